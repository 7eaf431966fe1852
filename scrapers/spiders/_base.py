"""What the profile-driven spiders share: arguments, the page budget, the clock, text.

Text is read from text nodes only. Markup that a user typed is escaped in the page
(``&lt;script&gt;``), so it arrives here as a text node and comes out as the literal
characters ``<script>``; real elements that only decorate or hide (anti-copy jammer
fragments, hidden spans, quoted earlier posts) are removed first, as the profile says.
"""
from __future__ import annotations

import copy
import functools
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlparse, urlsplit, urlunsplit

import scrapy
from lxml import etree
from parsel import Selector
from parsel.csstranslator import css2xpath
from scrapy.http import Request, Response

from opinion.errors import InputError
from scrapers.dates import CHINA_TZ, site_now
from scrapers.generic._text import _collect
from scrapers.profiles import Profile, load_profile

log = logging.getLogger(__name__)

_UNREAD = object()


def _drop(element: etree._Element) -> None:
    """Remove ``element`` but keep the text that follows it (its tail)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def element_text(selector: Selector | None, strip: Sequence[str] = ()) -> str:
    """The visible text of an element: text nodes only, block elements on new lines.

    ``strip`` lists CSS selectors of descendants removed first (on a copy; the page
    itself is untouched). Whitespace is left for the cleaning pipeline.
    """
    if selector is None:
        return ""
    root = selector.root
    if not isinstance(root, etree._Element):
        return str(root)
    if strip:
        root = copy.deepcopy(root)  # strip on a copy; reading alone needs none
    for css in strip:
        for found in root.xpath(css2xpath(css)):
            if found is not root:
                _drop(found)
    out: list[str] = []
    _collect(root, out)
    return "".join(out)


@functools.lru_cache(maxsize=256)
def compiled_css(css: str) -> etree.XPath:
    """A CSS selector compiled once to an lxml XPath, evaluated relative to an element."""
    return etree.XPath(css2xpath(css))


def first(selectors: Iterable[Selector]) -> Selector | None:
    return next(iter(selectors), None)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part).strip() for part in value if str(part).strip()]


def drop_params(url: str, names: Sequence[str]) -> str:
    """``url`` without the query parameters in ``names`` (``utm_*`` style prefixes end in ``*``)."""
    if not names or "?" not in url:
        return url
    parts = urlsplit(url)
    exact = {n for n in names if not n.endswith("*")}
    prefixes = tuple(n[:-1] for n in names if n.endswith("*"))
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k not in exact and not (prefixes and k.startswith(prefixes))]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))


def classify_failure(failure: Any) -> str:
    """A short, stable name for why a request failed: ``http:404``, ``download:timeout``..."""
    from scrapy import exceptions as ex
    from scrapy.spidermiddlewares.httperror import HttpError

    from scrapers.middlewares import Blocked, Restricted

    value = failure.value
    if isinstance(value, HttpError):
        return f"http:{value.response.status}"
    if isinstance(value, Blocked):
        return "blocked"
    if isinstance(value, Restricted):
        return f"restricted:{value.kind}"
    if isinstance(value, ex.IgnoreRequest):
        message = str(value)
        if "robots.txt" in message:
            return "robots.txt:forbidden"
        if "redirection" in message:
            return "redirect:loop"
        return "ignored"
    named: tuple[tuple[type[BaseException], str], ...] = (
        (ex.DownloadTimeoutError, "download:timeout"),
        (ex.DownloadCancelledError, "download:too-large"),
        (ex.ResponseDataLossError, "download:truncated"),
        (ex.DownloadConnectionRefusedError, "download:connection-refused"),
        (ex.CannotResolveHostError, "download:dns"),
        (ex.DownloadFailedError, "download:connection-lost"),
    )
    for cls, kind in named:
        if isinstance(value, cls):
            return kind
    name = type(value).__name__
    if "Timeout" in name:
        return "download:timeout"
    if "Connection" in name or "ResponseFailed" in name or "NeverReceived" in name:
        return "download:connection-lost"
    return f"download:{name}"


def check_url(url: str) -> str:
    """An absolute http(s) URL, or an :class:`InputError` saying what is wrong with it."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InputError(f"URL '{url}' is not an absolute http(s) URL, e.g. http://example.gov.cn/letters/list_1.html")
    return url


class ProfileSpider(scrapy.Spider):
    """A spider whose selectors come from a site profile.

    Arguments (``scrapy crawl NAME -a profile=... -a urls=A,B``, or from
    :func:`scrapers.run.crawl`): ``profile`` (name, path or :class:`Profile`),
    ``urls``, ``since`` (date: skip documents posted earlier) and ``max_pages``
    (at most this many page requests, robots.txt not counted).
    """

    default_profile: ClassVar[str]

    def __init__(
        self,
        profile: Profile | str | None = None,
        urls: str | Sequence[str] | None = None,
        since: date | str | None = None,
        max_pages: int | str | None = None,
        state: str | None = None,
        resume: bool | str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.state_path = state  # the crawl ledger (see scrapers.ledger); None: no resume
        self.resume = resume if resume is None or isinstance(resume, bool) else str(resume).lower() in ("1", "true", "yes")
        self.profile = profile if isinstance(profile, Profile) else load_profile(profile or self.default_profile)
        if self.profile.spider != self.name:
            raise InputError(
                f"{self.profile.path or self.profile.name}: profile is for spider '{self.profile.spider}', "
                f"not '{self.name}'"
            )
        self.start_urls = [check_url(u) for u in _as_list(urls) or list(getattr(self, "start_urls", []))]
        if isinstance(since, str):
            try:
                since = date.fromisoformat(since)
            except ValueError:
                raise InputError(f"since '{since}' is not a date (expected YYYY-MM-DD)") from None
        self.since: date | None = since
        self.max_pages = int(max_pages) if max_pages not in (None, "") else None
        self.allowed_domains = sorted({urlparse(u).hostname or "" for u in self.start_urls} - {""})
        self.pages_requested = 0
        self._budget_logged = False
        # Pages already asked for in this crawl (and, when resuming, in the killed one).
        self.known_pages: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            request = self.page_request(url, dont_filter=True)
            if request is not None:
                yield request

    def page_request(self, url: str, callback: Any = None, **kwargs: Any) -> Request | None:
        """A request for one more page, or None once ``max_pages`` have been requested.

        A page asked for before in this crawl is not asked for again (nor counted
        against the budget); start URLs (``dont_filter``) always are.
        """
        url = self.canonical_page_url(url)
        # Pages are de-duplicated here (known_pages, which a resumed crawl fills from its
        # ledger), not by Scrapy's dupefilter: a redirect back to a page already seen is
        # then a redirect loop, counted, rather than a request silently filtered.
        again = bool(kwargs.pop("dont_filter", False))
        if url in self.known_pages and not again:
            return None
        if self.max_pages is not None and self.pages_requested >= self.max_pages:
            if not self._budget_logged:
                self.logger.info("page budget of %d reached; not following further links", self.max_pages)
                self._budget_logged = True
            self.count("limit:max-pages")
            return None
        self.pages_requested += 1
        self.known_pages.add(url)
        meta = {**kwargs.pop("meta", {}), "ledger_url": url}
        return Request(url, callback=callback or self.parse, errback=self.on_error, meta=meta, dont_filter=True,
                       **kwargs)

    def resumed_request(self, url: str, meta: dict[str, Any]) -> Request:
        """A page recorded by an interrupted crawl and not yet done, asked for again."""
        return Request(url, callback=self.parse, errback=self.on_error, meta={**meta, "ledger_url": url},
                       dont_filter=True)

    def canonical_page_url(self, url: str) -> str:
        """``url`` without the tracking and session parameters the profile names."""
        return drop_params(url, self.profile.drop_params)

    def count(self, kind: str, amount: int = 1) -> None:
        """Count one named error or limit in the run's statistics (``errors`` of the crawl run)."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(f"tongxin/errors/{kind}", amount)

    def on_error(self, failure: Any) -> None:
        """A page that could not be had: count it under a name, never drop it silently."""
        kind = classify_failure(failure)
        self.count(kind)
        request = getattr(failure, "request", None)
        self.logger.warning("%s: %s (%s)", getattr(request, "url", "?"), kind, failure.getErrorMessage())

    def follow(self, response: Response, href: str | None, **kwargs: Any) -> Request | None:
        if not href or href.strip().lower().startswith(("javascript:", "mailto:", "#")):
            return None
        crawler = getattr(self, "crawler", None)
        limit = crawler.settings.getint("DEPTH_LIMIT") if crawler is not None else 0
        if limit and response.meta.get("depth", 0) + 1 > limit:
            self.count("limit:depth")  # an endless calendar of "next" links ends here, counted
            return None
        return self.page_request(response.urljoin(href.strip()), **kwargs)

    def now(self) -> datetime:
        """The fetch time: the real time on the sites' clock, or ``TONGXIN_NOW`` when pinned."""
        pinned = self.__dict__.get("_pinned_now", _UNREAD)
        if pinned is _UNREAD:
            crawler = getattr(self, "crawler", None)
            if crawler is None:  # not bound yet: read the setting again next time
                return site_now()
            text = crawler.settings.get("TONGXIN_NOW")
            pinned = None
            if text:
                value = datetime.fromisoformat(str(text))
                pinned = value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)
            self._pinned_now = pinned  # settings are frozen while the crawler runs
        return pinned if pinned is not None else site_now()

    def sel(self, key: str) -> str:
        return self.profile.selector(key)

    def label_field(self, label: str) -> str | None:
        """The field a label cell names (``来信时间`` -> ``posted``), per the profile."""
        fields = self.__dict__.get("_label_fields")
        if fields is None:
            fields = {}
            for name, labels in self.profile.labels.items():
                for text in labels:
                    fields.setdefault(text, name)  # the first field listing a label wins
            self._label_fields = fields
        return fields.get(label.strip().rstrip(":：").strip())
