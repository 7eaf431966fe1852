"""Message boards that serve JSON: page-number or cursor paging, fields picked by path, a watermark.

Many newer boards (领导留言板 apps, 12345 hotlines' public lists) fill their pages from
a JSON API. The profile names where the items are (``items: data.list[*]``) and where
each field is within an item (``text: content``, ``reply_text: reply.content``); a
field path may also be written in full (``data.list[*].content``).

Incremental runs: boards list newest first, so the highest item id stored (the
source's watermark, kept in the store) tells a later run where the new part ends.
The crawl sends it to the site when the profile names a ``watermark_param`` (the site
then answers with newer items only), skips items at or below it, and stops paging at
the first page that reaches it. The watermark moves up only after a crawl that ended
normally, so a crawl killed half-way does not hide the items it never stored.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from w3lib.url import add_or_replace_parameters, canonicalize_url

from opinion.errors import InputError
from scrapers.dates import parse_date, site_now
from scrapers.items import DocumentItem
from scrapers.spiders._base import ProfileSpider

_STEP = re.compile(r"^([^\[\]]+)(?:\[(\*|\d+)\])?$")
_FIELDS = ("title", "text", "author", "posted", "place", "sex", "age", "category", "reply_text", "reply_unit",
           "replied", "url")


def pick(data: Any, path: str) -> list[Any]:
    """Every value at dotted ``path`` in ``data`` (``[*]`` fans out over a list); [] when absent."""
    found = [data]
    for step in path.split("."):
        match = _STEP.match(step)
        if match is None:
            return []
        key, index = match.groups()
        nxt: list[Any] = []
        for node in found:
            value = node.get(key) if isinstance(node, dict) else None
            if value is None:
                continue
            if index is None:
                nxt.append(value)
            elif isinstance(value, list):
                if index == "*":
                    nxt.extend(value)
                elif int(index) < len(value):
                    nxt.append(value[int(index)])
        found = nxt
    return found


def pick_one(data: Any, path: str | None) -> Any:
    if not path:
        return None
    values = pick(data, path)
    return values[0] if values else None


def id_key(value: Any) -> tuple[int, int | str]:
    """Order ids numerically when they are numbers (``"10" > "9"``), as text otherwise."""
    text = str(value).strip()
    return (1, int(text)) if text.isdigit() else (0, text)


class JsonApiSpider(ProfileSpider):
    """Crawl a JSON board from its API URL (the first page, with any fixed parameters)."""

    name = "json_api"
    default_profile = "json-api"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = self.profile.options
        where = self.profile.path or self.profile.name
        self.pagination = str(options.get("pagination", "page"))
        if self.pagination not in ("page", "cursor"):
            raise InputError(f"{where}: options.pagination must be 'page' or 'cursor', got {self.pagination!r}")
        self.page_param = str(options.get("page_param", "page"))
        self.size_param = options.get("size_param")
        self.cursor_param = str(options.get("cursor_param", "lastItem"))
        self.watermark_param = options.get("watermark_param")
        self.item_url = options.get("item_url")
        try:
            self.page_size = int(options.get("page_size", 20))
            self.first_page = int(options.get("first_page", 1))
        except (TypeError, ValueError):
            raise InputError(f"{where}: options.page_size and options.first_page must be whole numbers") from None
        items_path = self.profile.paths["items"]
        # "data.list[*].content" and "content" both name a field of one item
        self.paths = {k: (v[len(items_path) + 1:] if v.startswith(items_path + ".") else v)
                      for k, v in self.profile.paths.items() if k not in ("items", "total", "cursor")}
        self.watermark: str | None = None
        self.highest: str | None = None  # highest id stored by this crawl
        self.incomplete = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> JsonApiSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.item_stored, signal=signals.item_scraped)
        return spider

    def source_key(self) -> str:
        return f"{self.profile.name} {self.start_urls[0]}" if self.start_urls else self.profile.name

    def _store(self) -> Any:
        from opinion.store.db import open_store

        crawler = getattr(self, "crawler", None)
        return open_store(crawler.settings.get("TONGXIN_DB") if crawler is not None else None)

    async def start(self) -> Any:
        from opinion.store.db import get_watermark

        with self._store() as store, store.engine.connect() as conn:
            self.watermark = get_watermark(conn, self.source_key())
        if self.watermark is not None:
            self.logger.info("%s: asking only for items above id %s", self.source_key(), self.watermark)
        for url in self.start_urls:
            request = self.page_request(self.first_url(url), dont_filter=True)
            if request is not None:
                yield request

    def first_url(self, url: str) -> str:
        params: dict[str, str] = {}
        if self.pagination == "page":
            params[self.page_param] = str(self.first_page)
        if self.size_param:
            params[str(self.size_param)] = str(self.page_size)
        if self.watermark_param and self.watermark is not None:
            params[str(self.watermark_param)] = self.watermark
        return add_or_replace_parameters(url, params) if params else url

    # --- pages -------------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        try:
            data = json.loads(response.text)
        except ValueError as exc:
            self.count("parse:not-json")
            self.incomplete = True
            self.logger.warning("%s: not JSON (%s); first bytes %r", response.url, exc, response.body[:80])
            return
        items = pick(data, self.profile.paths["items"])
        fetched = self.now()
        reached_watermark = False
        last_id: Any = None
        for raw in items:
            ident = pick_one(raw, self.paths["id"])
            if ident is None:
                self.count("parse:item-without-id")
                continue
            last_id = ident
            if self.watermark is not None and id_key(ident) <= id_key(self.watermark):
                reached_watermark = True
                self.note("already_stored")
                continue
            yield self.item(raw, ident, response, fetched)
        if self.watermark is not None and response.meta.get("depth", 0) == 0 and not any(
                id_key(i) > id_key(self.watermark) for i in (pick_one(r, self.paths["id"]) for r in items) if i is not None):
            self.note("up_to_date")  # nothing above the watermark: an incremental run with nothing new
        if reached_watermark:
            self.logger.info("%s: reached the watermark %s; not asking for older items", response.url, self.watermark)
            return
        next_url = self.next_url(response.url, data, len(items), last_id)
        if next_url is not None:
            request = self.follow(response, next_url)
            if request is None:
                self.incomplete = True  # page budget or depth limit: older items were not read
            else:
                yield request

    def note(self, kind: str) -> None:
        """Count an incremental-run event (``crawl_runs.stats["incremental"]``): not an error."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(f"tongxin/incremental/{kind}")

    def next_url(self, url: str, data: Any, got: int, last_id: Any) -> str | None:
        if got == 0:
            return None
        if self.pagination == "cursor":
            cursor = pick_one(data, self.profile.paths.get("cursor")) if "cursor" in self.profile.paths else last_id
            if cursor in (None, "") or str(cursor) == (_query(url, self.cursor_param) or ""):
                return None
            return add_or_replace_parameters(url, {self.cursor_param: str(cursor)})
        page = int(_query(url, self.page_param) or self.first_page)
        total = pick_one(data, self.profile.paths.get("total")) if "total" in self.profile.paths else None
        if total is not None and str(total).isdigit() and (page - self.first_page + 1) * self.page_size >= int(total):
            return None
        if total is None and self.size_param and got < self.page_size:
            return None
        return add_or_replace_parameters(url, {self.page_param: str(page + 1)})

    def item(self, raw: Any, ident: Any, response: Response, fetched: Any) -> DocumentItem:
        values = {name: pick_one(raw, self.paths.get(name)) for name in _FIELDS}
        text = {k: (None if v is None else str(v)) for k, v in values.items()}
        if text["url"]:
            url = response.urljoin(text["url"])
        elif self.item_url:
            url = response.urljoin(str(self.item_url).format(id=ident))
        else:
            url = f"{self.start_urls[0]}#id={ident}"
        posted = parse_date(text["posted"], fetched)
        replied = parse_date(text["replied"], fetched)
        return DocumentItem(
            url=canonicalize_url(self.canonical_page_url(url), keep_fragments=True), source=self.profile.name,
            kind="letter", author=text["author"], title=text["title"], text=text["text"] or "",
            reply_text=text["reply_text"], reply_unit=text["reply_unit"], posted_at=posted.iso,
            posted_raw=posted.raw or None, replied_at=replied.iso, fetched_at=fetched.isoformat(timespec="seconds"),
            location=text["place"], sex=text["sex"], age=text["age"], category=text["category"],
            source_id=str(ident),
        )

    def on_error(self, failure: Any) -> None:
        self.incomplete = True
        super().on_error(failure)

    # --- the watermark -----------------------------------------------------------------------

    def item_stored(self, item: Any, **_: Any) -> None:
        ident = item.get("source_id") if hasattr(item, "get") else None
        if ident is not None and (self.highest is None or id_key(ident) > id_key(self.highest)):
            self.highest = str(ident)

    def closed(self, reason: str) -> None:
        """Move the watermark up after a crawl that ended normally with every page read."""
        if self.highest is None:
            return
        if reason != "finished" or self.incomplete:
            self.logger.info("watermark kept at %s: the crawl ended early (%s)", self.watermark, reason)
            return
        if self.watermark is not None and id_key(self.highest) <= id_key(self.watermark):
            return
        from opinion.store.db import set_watermark

        with self._store() as store, store.engine.begin() as conn:
            set_watermark(conn, self.source_key(), self.highest, site_now().isoformat(timespec="seconds"), None)
        self.logger.info("%s: watermark now %s", self.source_key(), self.highest)


def _query(url: str, name: str) -> str | None:
    from w3lib.url import url_query_parameter

    return url_query_parameter(url, name)
