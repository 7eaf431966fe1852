"""Crawl state kept in the workspace, so that a killed crawl resumes where it stopped.

Scrapy's own ``JOBDIR`` survives a graceful stop only: its queue index is written on
close, so a crawl killed with SIGKILL (or by the OOM killer, or a power cut of the
terminal) loses it. The ledger here is a small SQLite file beside the store, written
as the crawl goes, with one rule that makes it safe at any instant:

    a page is marked *done* only after every document it yielded is stored (or
    dropped, counted), in the same transaction that records the pages it links to
    (unless an earlier transaction already recorded them).

Records are written in batches: a page that has settled waits in memory until
``flush_pages`` pages are waiting or ``flush_seconds`` have passed since the last
write (and always when the crawl closes), then all of them are written in one
transaction, links first. Each page in a batch was already settled, so the rule
holds for every batch; one commit per batch instead of one per page keeps the
ledger off the crawl's critical path. A kill loses at most the batch in memory:
those pages are not marked done, so a resumed crawl fetches them again.

A resumed crawl (``--resume``) starts from the recorded pages not yet done, and does
not request again the pages already recorded. A page fetched twice (killed between
storing its documents and marking it done) only finds its documents unchanged, so the
store ends exactly as an uninterrupted crawl leaves it. A crawl that finishes
normally removes its ledger.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

log = logging.getLogger(__name__)

# Request meta the spiders set and a resumed request must carry again.
RESUMED_META = ("thread_title", "listed_raw", "depth", "json_page", "json_cursor")


def ledger_path(store_path: Path | None, profile: str, urls: Iterable[str]) -> Path:
    """Where the ledger of one job (profile + start URLs) lives in the workspace."""
    digest = hashlib.sha1("\n".join([profile, *sorted(urls)]).encode("utf-8")).hexdigest()[:12]
    base = store_path.with_name(store_path.name + ".crawl") if store_path is not None else Path(".tongxin-crawl")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in profile)
    return base / f"{safe}-{digest}.sqlite"


class CrawlLedger:
    """Pages requested and pages done, for one job, in a SQLite file.

    ``flush_pages`` and ``flush_seconds`` bound the batch kept in memory (see the
    module docstring); the defaults write every record at once.
    """

    def __init__(self, path: Path, fresh: bool, flush_pages: int = 1, flush_seconds: float = 0.0) -> None:
        self.path = Path(path)
        self.flush_pages = max(1, int(flush_pages))
        self.flush_seconds = max(0.0, float(flush_seconds))
        if fresh:
            self.remove_files()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS requested (url TEXT PRIMARY KEY, meta TEXT NOT NULL)")
        self.conn.execute("CREATE TABLE IF NOT EXISTS done (url TEXT PRIMARY KEY)")
        self.requested: dict[str, dict[str, Any]] = {
            url: json.loads(meta) for url, meta in self.conn.execute("SELECT url, meta FROM requested")
        }
        self.done: set[str] = {url for (url,) in self.conn.execute("SELECT url FROM done")}
        # Recorded in memory, not yet written: links (url, meta as JSON), then pages done.
        self.pending_requested: list[tuple[str, str]] = []
        self.pending_done: list[str] = []
        self.last_flush = time.monotonic()

    def frontier(self) -> list[tuple[str, dict[str, Any]]]:
        """Pages requested and not yet done, in the order they were first recorded."""
        self.flush()
        rows = self.conn.execute("SELECT url, meta FROM requested ORDER BY rowid")
        return [(url, json.loads(meta)) for url, meta in rows if url not in self.done]

    def record(self, page: str | None, children: list[tuple[str, dict[str, Any]]]) -> None:
        """``children`` requested, then ``page`` done (when given), in this batch.

        Start URLs (``page`` None) are written at once: without them a resumed crawl
        would have nowhere to start from.
        """
        added = False
        for url, meta in children:
            if url not in self.requested:
                self.requested[url] = meta
                self.pending_requested.append((url, json.dumps(meta, ensure_ascii=False)))
                added = True
        if page is not None and page not in self.done:
            self.done.add(page)
            self.pending_done.append(page)
            added = True
        if not added:
            return
        if (page is None or len(self.pending_done) >= self.flush_pages
                or time.monotonic() - self.last_flush >= self.flush_seconds):
            self.flush()

    def flush(self) -> None:
        """Write the records kept in memory, in one transaction (links before pages done)."""
        self.last_flush = time.monotonic()
        if not self.pending_requested and not self.pending_done:
            return
        with self.conn:
            self.conn.execute("BEGIN")
            self.conn.executemany("INSERT OR IGNORE INTO requested (url, meta) VALUES (?, ?)", self.pending_requested)
            self.conn.executemany("INSERT OR IGNORE INTO done (url) VALUES (?)", [(u,) for u in self.pending_done])
        self.pending_requested = []
        self.pending_done = []

    def flush_if_due(self) -> None:
        """Flush when records have waited ``flush_seconds`` (a crawl gone quiet keeps no batch back)."""
        if time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()

    def close(self, remove: bool) -> None:
        """Write what is pending (unless the ledger is to be removed) and close the file."""
        if not remove:
            self.flush()
        self.conn.close()
        if remove:
            self.remove_files()

    def remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        try:
            self.path.parent.rmdir()  # only when no other job's ledger is in it
        except OSError:
            pass


def _meta(request: Request) -> dict[str, Any]:
    return {k: request.meta[k] for k in RESUMED_META if k in request.meta}


class LedgerMiddleware:
    """Spider middleware that writes the ledger and, on ``--resume``, restarts from it.

    Active when the spider has a ``state_path`` (:func:`scrapers.run.crawl` gives each
    job its own; ``scrapy crawl -a state=PATH``) or the ``TONGXIN_STATE`` setting
    names one; the spider's ``resume`` (or ``TONGXIN_RESUME``) says whether to
    continue it rather than start afresh.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.ledger: CrawlLedger | None = None
        self.flusher: Any = None  # twisted LoopingCall writing a batch that waited too long
        self.resume = False
        self.resumed_from = 0
        self.outstanding: Counter[str] = Counter()  # page -> documents not yet stored or dropped
        self.finished: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # page -> its links, once parsed
        self.item_page: dict[int, str] = {}
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_settled, signal=signal)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LedgerMiddleware:
        return cls(crawler)

    def _open(self, spider: Any) -> None:
        settings = self.crawler.settings
        state = getattr(spider, "state_path", None) or settings.get("TONGXIN_STATE")
        resume = getattr(spider, "resume", None)
        self.resume = bool(resume) if resume is not None else settings.getbool("TONGXIN_RESUME")
        if state:
            self.ledger = CrawlLedger(Path(state), fresh=not self.resume,
                                      flush_pages=settings.getint("TONGXIN_LEDGER_FLUSH_PAGES", 1),
                                      flush_seconds=settings.getfloat("TONGXIN_LEDGER_FLUSH_SECONDS", 0.0))
            spider.ledger = self.ledger
            if self.ledger.flush_pages > 1 and self.ledger.flush_seconds > 0:
                from twisted.internet.task import LoopingCall

                self.flusher = LoopingCall(self.ledger.flush_if_due)
                self.flusher.start(self.ledger.flush_seconds, now=False).addErrback(self._flush_failed)

    def _flush_failed(self, failure: Any) -> None:
        """The timer stops; pages keep being written as they settle, and on close."""
        path = self.ledger.path if self.ledger is not None else "?"
        log.error("%s: cannot write the crawl ledger (%s); a resumed crawl fetches again the pages "
                  "settled since its last write", path, failure.getErrorMessage())

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        # Any: on a resume this is a ProfileSpider (known_pages, resumed_request, ...).
        spider: Any = self.crawler.spider
        self._open(spider)
        frontier = self.ledger.frontier() if self.ledger is not None and self.resume else []
        if self.ledger is not None and self.resume:
            known = set(self.ledger.requested)
            spider.known_pages.update(known)
            spider.pages_requested = len(known)
            self.resumed_from = len(frontier)
            spider.logger.info("resuming: %d pages done, %d to go", len(self.ledger.done), len(frontier))
        if frontier:
            for url, meta in frontier:
                yield spider.resumed_request(url, meta)
            return
        starts: list[tuple[str, dict[str, Any]]] = []
        async for request in start:
            if isinstance(request, Request):
                starts.append((request.url, _meta(request)))
            yield request
        if self.ledger is not None:
            self.ledger.record(None, starts)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        page = response.meta.get("ledger_url") or response.url
        children: list[tuple[str, dict[str, Any]]] = []
        for out in result:
            self._note(page, out, children)
            yield out
        self.finished[page] = children
        self._settle(page)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        page = response.meta.get("ledger_url") or response.url
        children: list[tuple[str, dict[str, Any]]] = []
        async for out in result:
            self._note(page, out, children)
            yield out
        self.finished[page] = children
        self._settle(page)

    def _note(self, page: str, out: Any, children: list[tuple[str, dict[str, Any]]]) -> None:
        if isinstance(out, Request):
            children.append((out.url, _meta(out)))
        else:
            self.outstanding[page] += 1
            self.item_page[id(out)] = page

    def item_settled(self, item: Any, **_: Any) -> None:
        page = self.item_page.pop(id(item), None)
        if page is None:
            return
        self.outstanding[page] -= 1
        self._settle(page)

    def _settle(self, page: str) -> None:
        if self.outstanding[page] > 0 or page not in self.finished:
            return
        children = self.finished.pop(page)
        del self.outstanding[page]
        if self.ledger is not None:
            self.ledger.record(page, children)

    def spider_closed(self, reason: str, **_: Any) -> None:
        if self.flusher is not None and self.flusher.running:
            self.flusher.stop()
        if self.ledger is not None:
            self.ledger.close(remove=reason == "finished")
