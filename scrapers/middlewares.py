"""Downloader middleware that makes Chinese pages decode right.

Scrapy trusts the HTTP header's charset before the page's ``<meta>``. Chinese
government sites often serve GBK pages with ``charset=utf-8`` in the header (or say
nothing, and the fallback is cp1252), which turns every character into mojibake. This
middleware checks the declared encodings against the bytes and re-decodes when they
disagree: valid UTF-8 stays UTF-8, then a declaration that decodes every byte wins,
the page's own ``<meta>`` before the header; when none does, charset-normalizer
guesses from the bytes.
"""
from __future__ import annotations

import codecs
import logging
import re

from charset_normalizer import from_bytes
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Request, Response
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

log = logging.getLogger(__name__)

# GB2312 and GBK pages often hold characters only their supersets define; decode the
# whole family as GB18030, which is a strict superset of both.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "hz": "gb18030"}
_BOM = re.compile(rb"^(\xef\xbb\xbf|\xff\xfe|\xfe\xff)")


def canonical_encoding(name: str | None) -> str | None:
    """The Python codec for a declared charset, widened to its superset; None if unknown."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return _SUPERSETS.get(codec, codec)


def decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def choose_encoding(body: bytes, header: str | None, meta: str | None) -> tuple[str | None, str]:
    """Pick the encoding for ``body`` and say why; None means "no confident choice".

    Bytes that are valid UTF-8 are UTF-8: GBK text almost never is, while UTF-8 text
    often also decodes as GBK, so this test goes first. Then the ``<meta>``
    declaration and the header, each tried strictly; when none decodes every byte,
    charset-normalizer detects from the bytes.
    """
    if decodes(body, "utf-8"):
        return "utf-8", "valid utf-8"
    for enc, why in ((canonical_encoding(meta), "meta"), (canonical_encoding(header), "header")):
        if enc and decodes(body, enc):
            return enc, why
    best = from_bytes(body).best()
    if best is not None:
        return canonical_encoding(best.encoding) or best.encoding, "detected"
    return None, "undetectable"


class CharsetMiddleware:
    """Re-decode HTML whose declared charsets disagree with each other or with its bytes."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse) or not response.body or _BOM.match(response.body):
            return response
        header = http_content_type_encoding(response.headers.get("Content-Type", b"").decode("latin-1"))
        meta = html_body_declared_encoding(response.body)
        chosen, why = choose_encoding(response.body, header, meta)
        if chosen is None:
            log.warning("%s: cannot tell the page's encoding (header %s, meta %s); decoding as %s",
                        response.url, header, meta, response.encoding)
            return response
        current = canonical_encoding(response.encoding)
        if chosen == current:
            return response
        log.debug("%s: decoding as %s (%s; header said %s, meta said %s, Scrapy chose %s)",
                  response.url, chosen, why, header, meta, response.encoding)
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"tongxin/redecoded/{why}")
        return response.replace(encoding=chosen)
