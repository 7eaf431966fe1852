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
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlparse

from charset_normalizer import from_bytes
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.utils.misc import load_object
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
        header = http_content_type_encoding((response.headers.get("Content-Type") or b"").decode("latin-1"))
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


# --- retries with backoff, Retry-After, blocked sites --------------------------------------

class Blocked(IgnoreRequest):
    """The site answered with an anti-bot page (403/412/521, a captcha): not content."""


_BLOCK_STATUSES = frozenset({403, 412, 521})
# The title has to open with the word: a letter titled "收不到短信验证码" is a letter.
_CAPTCHA_TITLE = re.compile(r"<title[^>]*>\s*(验证码|安全验证|人机验证|访问验证|滑动验证|captcha|are you a robot)",
                            re.IGNORECASE)
_CAPTCHA_FORM = re.compile(r"<input[^>]+name=[\"']?(captcha|vcode|verifycode|checkcode)", re.IGNORECASE)
_CHALLENGE_SCRIPT = re.compile(r"(__jsl_clearance|acw_sc__v2|_waf_bd8ce2ce37|window\.location\.reload)", re.IGNORECASE)


def looks_blocked(status: int, text: str) -> str | None:
    """Why a response is an anti-bot answer rather than a page, or None when it is a page.

    Status codes alone are enough for 403/412/521 (WAF challenge answers). A 200 is a
    captcha or challenge page when its title says so, or when it is small and made
    of a captcha form or a cookie-setting challenge script; a letter that merely
    mentions 验证码 in its text is not.
    """
    if status in _BLOCK_STATUSES:
        return f"status {status}"
    head = text[:4000]
    if _CAPTCHA_TITLE.search(head):
        return "captcha page"
    if len(text) < 20000 and (_CAPTCHA_FORM.search(text) or _CHALLENGE_SCRIPT.search(text)):
        return "challenge page"
    return None


class BlockedMiddleware:
    """Recognise anti-bot answers, count them per domain, and stop asking a blocking domain.

    After ``TONGXIN_BLOCKED_LIMIT`` such answers from one domain, further requests to
    it are not sent: hammering a site that has said no is neither polite nor useful.
    Each answer is counted in the stats as ``tongxin/blocked/<domain>``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.limit = crawler.settings.getint("TONGXIN_BLOCKED_LIMIT", 3)
        self.counts: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockedMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        host = urlparse(request.url).hostname or ""
        if self.counts.get(host, 0) >= self.limit and not request.url.endswith("/robots.txt"):
            raise Blocked(f"{host} blocked this crawler {self.counts[host]} times; not asking again")

    def process_response(self, request: Request, response: Response) -> Response:
        if request.url.endswith("/robots.txt"):
            return response
        text = response.text if isinstance(response, TextResponse) else ""
        why = looks_blocked(response.status, text)
        if why is None:
            return response
        host = urlparse(request.url).hostname or ""
        self.counts[host] = self.counts.get(host, 0) + 1
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"tongxin/blocked/{host}")
        log.warning("%s: blocked by the site (%s)", request.url, why)
        raise Blocked(f"{request.url}: blocked by the site ({why})")


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware:
    """Retry 5xx, 429 and connection errors with exponential backoff, honouring Retry-After.

    Replaces Scrapy's RetryMiddleware (same ``RETRY_*`` settings). The n-th retry of
    a request waits ``TONGXIN_RETRY_BACKOFF * 2**(n-1)`` seconds (at most
    ``TONGXIN_RETRY_BACKOFF_MAX``); a ``Retry-After`` header replaces that wait when
    it asks for no more than ``TONGXIN_RETRY_AFTER_MAX`` seconds, and a longer one
    ends the retries (the site asked for a pause this crawl cannot take).
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.enabled = settings.getbool("RETRY_ENABLED")
        self.max_times = settings.getint("RETRY_TIMES")
        self.codes = {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}
        self.exceptions = tuple(load_object(e) if isinstance(e, str) else e for e in settings.getlist("RETRY_EXCEPTIONS"))
        self.base = settings.getfloat("TONGXIN_RETRY_BACKOFF", 1.0)
        self.cap = settings.getfloat("TONGXIN_RETRY_BACKOFF_MAX", 30.0)
        self.after_max = settings.getfloat("TONGXIN_RETRY_AFTER_MAX", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if not self.enabled or request.meta.get("dont_retry") or response.status not in self.codes:
            return response
        wait = self._backoff(request)
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is not None:
            if asked > self.after_max:
                log.warning("%s: Retry-After %.0f s is longer than TONGXIN_RETRY_AFTER_MAX (%.0f s); giving up",
                            request.url, asked, self.after_max)
                return response
            wait = asked
        retry = self._retry(request, f"{response.status} response")
        if retry is None:
            return response
        await self._sleep(wait)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if not self.enabled or request.meta.get("dont_retry") or not isinstance(exception, self.exceptions):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await self._sleep(self._backoff(request))
        return retry

    def _backoff(self, request: Request) -> float:
        return min(self.cap, self.base * 2 ** request.meta.get("retry_times", 0))

    def _retry(self, request: Request, reason: str | Exception) -> Request | None:
        from scrapy.downloadermiddlewares.retry import get_retry_request

        spider = self.crawler.spider
        assert spider is not None, "retries happen while a spider is open"
        return get_retry_request(request, spider=spider, reason=reason, max_retry_times=self.max_times)

    @staticmethod
    async def _sleep(seconds: float) -> None:
        if seconds <= 0:
            return
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))
