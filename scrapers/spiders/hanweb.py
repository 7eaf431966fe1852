"""大汉 JCMS (Hanweb) government sites: list rows from ``jpage/dataproxy.jsp`` XML, then detail pages.

JCMS list pages are filled in by JavaScript that asks ``dataproxy.jsp`` for records
``startrecord``..``endrecord`` and gets back XML: a ``<totalrecord>`` count and one
``<record>`` per row, each an HTML fragment in CDATA (``<li><a href=...>title</a>
<span>2026-10-01</span></li>``). The first page of a column often embeds the same
``<datastore>`` in a ``<script type="text/xml">``, so either URL can start a crawl.
Later pages are asked for by rewriting the paging parameters, up to the total count
(a site whose count is wrong cannot send the crawl on forever: an empty answer ends it).
Detail pages are read as a labelled letter (like ``gov-letters``) when they have a
content row, otherwise as an article body (``div#zoom`` and the like).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from parsel import Selector
from scrapy.http import Request, Response
from w3lib.url import add_or_replace_parameters, canonicalize_url, url_query_parameter

from opinion.errors import InputError
from scrapers.dates import on_or_after, parse_date
from scrapers.items import DocumentItem
from scrapers.spiders._base import ProfileSpider, element_text, first
from scrapers.spiders.gov_letters import honorific_sex

_DATASTORE = re.compile(rb"<datastore>(.*?)</datastore>", re.S | re.I)
_TOTAL = re.compile(rb"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_PROXY_URL = re.compile(rb"""["']([^"'\s]*jpage/dataproxy\.jsp[^"'\s]*)["']""")
_RECORD = re.compile(rb"<record>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.S | re.I)


def parse_datastore(body: bytes, encoding: str = "utf-8") -> tuple[int | None, list[str]] | None:
    """``(total, record fragments)`` of the first ``<datastore>`` in ``body``; None when there is none."""
    found = _DATASTORE.search(body)
    if found is None:
        return None
    inner = found.group(1)
    total = _TOTAL.search(inner)
    records = [(m.group(1) if m.group(1) is not None else m.group(2)).decode(encoding, errors="replace")
               for m in _RECORD.finditer(inner)]
    return (int(total.group(1)) if total else None), records


class HanwebSpider(ProfileSpider):
    """Crawl a JCMS column from its dataproxy URL or its first list page."""

    name = "hanweb"
    default_profile = "hanweb"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = self.profile.options
        where = self.profile.path or self.profile.name
        self.method = str(options.get("method", "GET")).upper()
        if self.method not in ("GET", "POST"):
            raise InputError(f"{where}: options.method must be GET or POST, got {options.get('method')!r}")
        form = options.get("form") or {}
        if not isinstance(form, dict):
            raise InputError(f"{where}: options.form must be a mapping of form fields, got {form!r}")
        self.form = {str(k): str(v) for k, v in form.items()}
        try:
            self.per_request = int(options.get("per_request", 45))
            self.per_page = int(options.get("per_page", 15))
        except (TypeError, ValueError):
            raise InputError(f"{where}: options.per_request and options.per_page must be whole numbers") from None
        if self.per_request < 1 or self.per_page < 1:
            raise InputError(f"{where}: options.per_request and options.per_page must be at least 1")

    # --- requests ----------------------------------------------------------------------------

    def proxy_request(self, url: str, **kwargs: Any) -> Request | None:
        """A dataproxy request: the paging is in the URL, the column's form fields in a POST body."""
        if self.method == "POST":
            kwargs.update(method="POST", body=urlencode(self.form),
                          headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
        return self.page_request(url, callback=self.parse, **kwargs)

    async def start(self) -> Any:
        for url in self.start_urls:
            request = self.proxy_request(url, dont_filter=True) if "dataproxy" in url else \
                self.page_request(url, dont_filter=True)
            if request is not None:
                yield request

    def resumed_request(self, url: str, meta: dict[str, Any]) -> Request:
        if "dataproxy" in url and self.method == "POST":
            return Request(url, callback=self.parse, errback=self.on_error, method="POST", body=urlencode(self.form),
                           headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
                           meta={**meta, "ledger_url": url}, dont_filter=True)
        return super().resumed_request(url, meta)

    # --- pages -------------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A dataproxy answer or list page gives detail links; a detail page gives a document."""
        store = parse_datastore(response.body, getattr(response, "encoding", None) or "utf-8")
        if store is not None:
            yield from self.parse_records(response, *store)
            return
        item = self.parse_detail(response)
        if item is not None:
            yield item
        else:
            self.logger.warning("%s: neither a <datastore> list nor a letter or article page", response.url)
            self.count("parse:unrecognised-page")

    def parse_records(self, response: Response, total: int | None, records: list[str]) -> Iterator[Any]:
        fetched = self.now()
        any_recent = False
        for record in records:
            row = Selector(text=record)
            link = first(row.css(self.sel("list_link")))
            if link is None or not link.attrib.get("href"):
                self.count("parse:record-without-link")
                continue
            listed = parse_date(element_text(first(row.css(self.sel("list_date")))), fetched)
            if self.since is not None and not on_or_after(listed.iso, self.since):
                continue
            any_recent = True
            request = self.follow(response, link.attrib["href"], meta={"listed_raw": listed.raw})
            if request is not None:
                yield request
        if self.since is not None and not any_recent:
            self.logger.info("%s: nothing on or after %s; not asking for older records", response.url, self.since)
            return
        if not records:
            return
        if "dataproxy" in response.url:
            next_url = self.next_proxy_url(response.url, total, len(records))
        else:
            next_url = self.proxy_after_list_page(response, total, len(records))
        if next_url is not None:
            crawler = getattr(self, "crawler", None)
            limit = crawler.settings.getint("DEPTH_LIMIT") if crawler is not None else 0
            if limit and response.meta.get("depth", 0) + 1 > limit:
                self.count("limit:depth")
                return
            request = self.proxy_request(next_url)
            if request is not None:
                yield request

    def proxy_after_list_page(self, response: Response, total: int | None, got: int) -> str | None:
        """After a list page's embedded records, the rest from the dataproxy its script names."""
        found = _PROXY_URL.search(response.body)
        if found is None or (total is not None and got >= total):
            return None
        url = response.urljoin(found.group(1).decode("ascii", errors="ignore"))
        return add_or_replace_parameters(url, {
            "startrecord": str(got + 1), "endrecord": str(got + self.per_request), "perpage": str(self.per_page),
        })

    def next_proxy_url(self, url: str, total: int | None, got: int) -> str | None:
        """The dataproxy URL of the records after those just read; None after the last."""
        if "dataproxy" not in url:
            return None
        try:
            start = int(url_query_parameter(url, "startrecord") or 1)
            end = int(url_query_parameter(url, "endrecord") or start + self.per_request - 1)
        except ValueError:
            self.count("parse:bad-paging-parameters")
            return None
        size = max(end - start + 1, 1)
        nxt = start + size
        if total is not None and nxt > total:
            return None
        if total is None and got < size:
            return None
        return add_or_replace_parameters(url, {
            "startrecord": str(nxt), "endrecord": str(nxt + size - 1),
            "perpage": url_query_parameter(url, "perpage") or str(self.per_page),
        })

    def parse_detail(self, response: Response) -> DocumentItem | None:
        fetched = self.now()
        url = canonicalize_url(self.canonical_page_url(response.url))
        fields: dict[str, str] = {}
        for row in response.css(self.sel("detail_row")):
            for label_cell, value_cell in zip(row.css(self.sel("row_label")), row.css(self.sel("row_value")), strict=False):
                if label_cell.root is value_cell.root:
                    continue
                name = self.label_field(element_text(label_cell))
                if name is not None and name not in fields:
                    fields[name] = element_text(value_cell, self.profile.strip)
        if fields.get("text"):
            posted = parse_date(fields.get("posted") or response.meta.get("listed_raw"), fetched)
            replied = parse_date(fields.get("replied"), fetched)
            return DocumentItem(
                url=url, source=self.profile.name, kind="letter", author=fields.get("author"),
                title=fields.get("title"), text=fields["text"], reply_text=fields.get("reply_text"),
                reply_unit=fields.get("reply_unit"), posted_at=posted.iso, posted_raw=posted.raw or None,
                replied_at=replied.iso, fetched_at=fetched.isoformat(timespec="seconds"),
                location=fields.get("place"), sex=honorific_sex(fields.get("author")),
                category=fields.get("category"),
            )
        body = first(response.css(self.sel("article_body")))
        if body is None:
            return None
        text = element_text(body, self.profile.strip)
        if not text.strip():
            return None
        title = element_text(first(response.css(self.sel("article_title")))) or response.css("title::text").get()
        shown = element_text(first(response.css(self.sel("article_date"))))
        posted = parse_date(_date_part(shown) or response.meta.get("listed_raw"), fetched)
        return DocumentItem(
            url=url, source=self.profile.name, kind="article", author=None, title=title, text=text,
            posted_at=posted.iso, posted_raw=posted.raw or None, fetched_at=fetched.isoformat(timespec="seconds"),
        )


_DATE_IN_TEXT = re.compile(r"\d{4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}(?:\s*日)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")


def _date_part(text: str) -> str | None:
    """``发布时间：2026-10-01 09:30 来源：县政府办`` -> the date in it."""
    found = _DATE_IN_TEXT.search(text or "")
    return found.group(0) if found else None
