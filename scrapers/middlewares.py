"""Downloader middlewares for servers as they really behave.

Encodings. Scrapy trusts the HTTP header's charset before the page's ``<meta>``.
Chinese government sites often serve GBK pages with ``charset=utf-8`` in the header, or
with a servlet container's default ``charset=ISO-8859-1`` (which decodes any byte, so
"it decodes" proves nothing), or say nothing. :class:`CharsetMiddleware` checks the
declarations against the bytes (:func:`choose_encoding`) and re-decodes when they
disagree; a page whose own declaration fails on a few broken byte sequences is read
with that declaration and replacement characters, and counted.

Compression. A body sent with ``Content-Encoding: gzip`` that is not gzip (a proxy that
compressed nothing), and gzip bytes sent without ``Content-Encoding`` (a pre-compressed
file served as is), are told by the gzip magic bytes (``1f 8b``) and repaired, and
counted. Brotli (``br``) is decoded by Scrapy with the ``brotli`` package.

Walls. Pages that need a login or a higher permission (Discuz's "抱歉，本帖要求阅读权限高于
… 才能浏览", a redirect to ``member.php?mod=logging``) are not content: they are
refused as :class:`Restricted` and counted apart from errors. Anti-bot answers are
:class:`Blocked`. Everything counted here reaches the crawl run's statistics
(``decoding``, ``restricted``, ``blocked``).
"""
from __future__ import annotations

import codecs
import logging
import re
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlparse

from charset_normalizer import from_bytes
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.misc import load_object
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

log = logging.getLogger(__name__)

# GB2312 and GBK pages often hold characters only their supersets define; decode the
# whole family as GB18030, which is a strict superset of both.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "hz": "gb18030"}
_BOM = re.compile(rb"^(\xef\xbb\xbf|\xff\xfe|\xfe\xff)")
# Single-byte charsets that decode any byte: a header naming one is a server default,
# not a statement about the page (Tomcat and Jetty send ISO-8859-1 unless told otherwise).
_ANY_BYTE = frozenset({"latin_1", "iso8859-1", "cp1252", "ascii"})
# A declaration is taken with replacement characters when at most this share of the
# non-ASCII bytes fail (and at least one may): a broken sequence, not a wrong charset.
_BROKEN_SHARE = 0.05
_BROKEN_MIN = 1
GZIP_MAGIC = b"\x1f\x8b"


def _count(crawler: Crawler | None, key: str) -> None:
    if crawler is not None and crawler.stats is not None:
        crawler.stats.inc_value(key)


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


def broken_sequences(body: bytes, encoding: str) -> int:
    """How many byte sequences of ``body`` fail to decode as ``encoding`` (replacement characters)."""
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:
        return len(body)
    return text.count("\ufffd") - body.count("\ufffd".encode("utf-8"))


def choose_encoding(body: bytes, header: str | None, meta: str | None) -> tuple[str | None, str]:
    """Pick the encoding for ``body`` and say why; None means "no confident choice".

    In this order: bytes that are valid UTF-8 are UTF-8 (GBK text almost never is,
    while UTF-8 text often also decodes as GBK); the ``<meta>`` declaration, then the
    header, each when it decodes every byte, except a header naming a charset that
    decodes any byte (ISO-8859-1, the servlet default) on a page without ``<meta>``:
    that proves nothing, so the bytes are detected instead. Then a declaration that
    fails on only a few broken sequences (``"replaced"``: read with replacement
    characters); then charset-normalizer on the bytes (``"detected"``).
    """
    if decodes(body, "utf-8"):
        return "utf-8", "valid utf-8"
    meta_enc, header_enc = canonical_encoding(meta), canonical_encoding(header)
    if meta_enc and decodes(body, meta_enc):
        return meta_enc, "meta"
    header_is_default = header_enc in _ANY_BYTE and not meta_enc
    if header_enc and not header_is_default and decodes(body, header_enc):
        return header_enc, "header"
    non_ascii = sum(1 for b in body if b > 0x7F)
    for enc, why in ((meta_enc, "replaced"), (None if header_is_default else header_enc, "replaced")):
        if enc and enc not in _ANY_BYTE and broken_sequences(body, enc) <= max(_BROKEN_MIN, non_ascii * _BROKEN_SHARE):
            return enc, why
    best = from_bytes(body).best()
    if best is not None:
        return canonical_encoding(best.encoding) or best.encoding, "detected"
    return None, "undetectable"


class CharsetMiddleware:
    """Re-decode HTML whose declared charsets disagree with each other or with its bytes.

    Counts in the stats (``tongxin/decoding/<why>``): pages re-decoded from a detected
    charset (``detected``), read with replacement characters (``replaced``), or whose
    encoding could not be told (``undetectable``). The reason is also left in the
    request's meta (``tongxin_decoding``) for the spider's messages.
    """

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
        if why in ("replaced", "undetectable"):
            request.meta["tongxin_decoding"] = why
            _count(self.crawler, f"tongxin/decoding/{why}")
        if chosen is None:
            log.warning("%s: cannot tell the page's encoding (header %s, meta %s); decoding as %s",
                        response.url, header, meta, response.encoding)
            return response
        if why == "replaced":
            log.warning("%s: %d byte sequence(s) are not valid %s (the page's own declaration); "
                        "read with replacement characters", response.url, broken_sequences(response.body, chosen), chosen)
        current = canonical_encoding(response.encoding)
        if chosen == current:
            return response
        log.debug("%s: decoding as %s (%s; header said %s, meta said %s, Scrapy chose %s)",
                  response.url, chosen, why, header, meta, response.encoding)
        if why == "detected":
            request.meta["tongxin_decoding"] = why
            _count(self.crawler, "tongxin/decoding/detected")
        return response.replace(encoding=chosen)


# --- compression the server got wrong ----------------------------------------------------

def _encodings(response: Response) -> list[str]:
    return [e.strip().lower() for e in (response.headers.get("Content-Encoding") or b"").decode("latin-1").split(",")
            if e.strip()]


class MislabelledGzipMiddleware:
    """``Content-Encoding: gzip`` on a body that is not gzip: drop the label, keep the body.

    Runs before Scrapy's HttpCompressionMiddleware in the response path (which would
    fail the page with BadGzipFile). Counted as ``decoding: gzip-label-on-plain-body``.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MislabelledGzipMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        encodings = _encodings(response)
        if encodings in (["gzip"], ["x-gzip"]) and response.body and not response.body.startswith(GZIP_MAGIC):
            log.info("%s: says Content-Encoding gzip but the body is not gzip; reading it as sent", response.url)
            _count(self.crawler, "tongxin/decoding/gzip-label-on-plain-body")
            headers = response.headers.copy()
            del headers["Content-Encoding"]
            return response.replace(headers=headers)
        return response


class UnlabelledGzipMiddleware:
    """Gzip bytes sent without ``Content-Encoding``: decompress them (magic bytes ``1f 8b``).

    Runs after Scrapy's HttpCompressionMiddleware in the response path, so only a body
    still compressed after it is touched. Bodies larger than ``DOWNLOAD_MAXSIZE`` once
    decompressed are left as they are. Counted as ``decoding: gzip-without-label``.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE", 0) if crawler is not None else 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnlabelledGzipMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not response.body.startswith(GZIP_MAGIC) or _encodings(response):
            return response
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
        if "gzip" in content_type or request.url.lower().endswith(".gz"):
            return response  # a .gz file asked for as such
        body = _gunzip(response.body, self.max_size)
        if body is None:
            return response
        log.info("%s: gzip body sent without Content-Encoding; decompressed", response.url)
        _count(self.crawler, "tongxin/decoding/gzip-without-label")
        cls = responsetypes.from_args(headers=response.headers, url=response.url, body=body)
        return response.replace(cls=cls, body=body)


def _gunzip(data: bytes, max_size: int) -> bytes | None:
    """The decompressed bytes, or None when ``data`` is not one whole gzip stream or exceeds ``max_size``."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_size) if max_size else inflater.decompress(data)
    except zlib.error:
        return None
    if inflater.unconsumed_tail or not inflater.eof:
        return None
    return out


# --- login and permission walls -----------------------------------------------------------

class Restricted(IgnoreRequest):
    """The page needs a login (``kind`` "login") or a higher permission ("permission")."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


_LOGIN_URL = re.compile(r"(mod=logging|action=login|[/?&](login|logon|signin)([./?&_-]|$)|/passport/|/cas/login)",
                        re.IGNORECASE)
# Walls speak in a site's message box (Discuz: #messagetext, .alert_info) or its title,
# never in the body of a letter, where "请先登录" may well be the complaint itself.
_MESSAGE_BOX = re.compile(
    r"<(?:div|p)[^>]+(?:id=[\"']?(?:messagetext|messagelogin|main_messaqge)|class=[\"'][^\"']*\balert_(?:info|error)\b)"
    r"[^>]*>(?P<text>.{0,600})", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"<title[^>]*>\s*(?P<text>[^<]{0,80})", re.IGNORECASE)
_PERMISSION_WORDS = re.compile(r"阅读权限|权限不足|没有权限|无权(访问|查看|浏览)|权限高于|用户组.{0,10}(无法|不能|没有)")
_LOGIN_WORDS = re.compile(r"需要(先)?登录|请(先)?登录|登录后(才|方)?(可以|能|可)|未登录|尚未登录|会员登录|用户登录")
_LOGIN_TITLE = re.compile(r"^\s*(登录|登陆|用户登录|会员登录|统一身份认证|login|sign in)", re.IGNORECASE)


def access_wall(status: int, url: str, redirected_from: list[str], html: str) -> str | None:
    """``"login"`` or ``"permission"`` when a response is a wall rather than the page asked for.

    A wall is a 401; a response that ended, after redirects, on a login URL
    (``member.php?mod=logging``, ``/login``); a page titled as a login page; or a
    site message box (Discuz ``#messagetext``, ``.alert_info``) that asks for a login
    or a higher permission. Words in a page's ordinary text never make it a wall.
    """
    if status == 401:
        return "login"
    if redirected_from and _LOGIN_URL.search(url) and not any(_LOGIN_URL.search(u) for u in redirected_from):
        return "login"
    head = html[:20000]
    boxes = " ".join(m.group("text") for m in _MESSAGE_BOX.finditer(head))
    title_match = _TITLE.search(head)
    title = title_match.group("text") if title_match else ""
    if _PERMISSION_WORDS.search(boxes):
        return "permission"
    if _LOGIN_WORDS.search(boxes) or _LOGIN_TITLE.search(title):
        return "login"
    return None


class RestrictedMiddleware:
    """Refuse login and permission walls as :class:`Restricted`, counted by kind, not as content."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RestrictedMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.url.endswith("/robots.txt"):
            return response
        text = response.text if isinstance(response, TextResponse) else ""
        redirected = [str(u) for u in request.meta.get("redirect_urls", [])]
        kind = access_wall(response.status, response.url, redirected, text)
        if kind is None:
            return response
        asked = redirected[0] if redirected else request.url
        need = "a login" if kind == "login" else "a higher reading permission"
        raise Restricted(f"{asked}: the site asks for {need}; this crawler does not log in", kind)


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
