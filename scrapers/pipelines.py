"""Item pipelines, one job each, in this order (see ``ITEM_PIPELINES`` in settings):

1. :class:`CleanTextPipeline` normalises whitespace;
2. :class:`SincePipeline` counts undated documents and, under ``--since``, drops those
   posted before it and those whose date it cannot place;
3. :class:`DropEmptyPipeline` drops documents with no text;
4. :class:`AttributesPipeline` turns profile fields (所在地, 性别, 年龄) into weighting attributes;
5. :class:`MaskPipeline` masks phone, ID and similar numbers in every text field;
6. :class:`PseudonymPipeline` replaces the author by a keyed pseudonym;
7. :class:`StorePipeline` writes the document and records the crawl run.

Rejects raise ``DropItem(reason)``; :class:`StorePipeline` counts them by reason.

Authors: a forum post's author is its nickname, pseudonymised with the workspace key,
so one user's posts across threads stay one voice. Letter boards have no stable
writer identity (来信人 is shown masked, like 王**, shared by thousands), so a letter's
author is the pseudonym of its canonical URL: one letter = one voice. That is the
boards' own model (each letter is one citizen writing once) and never merges two
writers who happen to share a surname.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from typing import Any

import sqlalchemy as sa
from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from opinion.attributes import age_group, normalise_level
from opinion.store.db import (
    Store,
    crawl_runs,
    document_versions,
    documents,
    dumps,
    find_document,
    open_store,
    upsert_document,
)
from opinion.store.privacy import pseudonym, workspace_key
from opinion.text.masking import mask_pii
from scrapers.dates import on_or_after, site_now

log = logging.getLogger(__name__)

TEXT_FIELDS = ("title", "text", "reply_text", "reply_unit")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_BLANKS = re.compile("[ \t\r\f\v\xa0\u3000\u2002\u2003\u2009]+")
# The politeness settings a crawl run records, so a run can be judged afterwards.
RECORDED_SETTINGS = (
    "USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
    "CONCURRENT_REQUESTS_PER_DOMAIN", "DEPTH_LIMIT", "DOWNLOAD_MAXSIZE", "RETRY_TIMES",
    "TONGXIN_CONTACT",
)


def normalise_whitespace(text: str | None) -> str:
    """Collapse runs of blanks, trim each line, drop empty lines; keep line breaks."""
    if not text:
        return ""
    text = _ZERO_WIDTH.sub("", text)
    lines = (_BLANKS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def content_hash(title: str | None, text: str) -> str:
    """sha256 of the masked title and text: what the writer wrote, not the reply."""
    return hashlib.sha256(f"{title or ''}\n{text}".encode()).hexdigest()


def _spider(crawler: Crawler) -> Any:
    return getattr(crawler, "spider", None)


class CleanTextPipeline:
    """Whitespace and invisible characters, normalised in every text field."""

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        for name in (*TEXT_FIELDS, "author", "location", "sex", "age", "category"):
            if adapter.get(name) is not None:
                cleaned = normalise_whitespace(str(adapter[name]))
                adapter[name] = cleaned or None
        return item


class SincePipeline:
    """Count documents without a readable date; under ``--since``, keep only those known to be on or after it.

    A document whose date could not be read (``posted_raw`` printed, ``posted_at``
    None: ``dates.unreadable`` in the run's statistics) or that showed none
    (``dates.missing``) is stored when no ``since`` is given. Under ``since`` it is
    dropped, counted as ``undated (--since cannot place it)``: an unknown date is
    never taken as a new one.
    """

    UNDATED = "undated (--since cannot place it)"

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SincePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        since = getattr(_spider(self.crawler), "since", None)
        adapter = ItemAdapter(item)
        posted = adapter.get("posted_at")
        if not posted and self.crawler.stats is not None:
            self.crawler.stats.inc_value("tongxin/dates/" + ("unreadable" if adapter.get("posted_raw") else "missing"))
        if since is not None and not posted:
            raise DropItem(self.UNDATED)
        if since is not None and not on_or_after(posted, since):
            raise DropItem("posted before --since")
        return item


class DropEmptyPipeline:
    """A document without text says nothing: drop it."""

    def process_item(self, item: Any) -> Any:
        if not ItemAdapter(item).get("text"):
            raise DropItem("empty text")
        return item


class AttributesPipeline:
    """Profile fields become ``{attr: {"value": v, "provenance": "site"}}``.

    所在地 ``柳林乡 杨庄村`` gives place (all of it) and region (its first part); 性别
    gives sex (male/female); 年龄 gives age (an integer 0-120) and its age group.
    Values that cannot be read are left out, never guessed.
    """

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        found: dict[str, Any] = {}
        location = adapter.get("location")
        if location:
            found["place"] = location
            found["region"] = location.split()[0]
        sex = normalise_level("sex", adapter.get("sex") or "")
        if sex:
            found["sex"] = sex
        age_text = re.sub(r"\s*岁$", "", str(adapter.get("age") or "").strip())
        if age_text.isdigit() and 0 < int(age_text) <= 120:
            found["age"] = int(age_text)
            group = age_group(int(age_text))
            if group:
                found["age_group"] = group
        adapter["attributes"] = {k: {"value": v, "provenance": "site"} for k, v in found.items()}
        return item


class MaskPipeline:
    """Phone numbers, ID numbers and the like never reach the store in clear."""

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        for name in TEXT_FIELDS:
            if adapter.get(name):
                adapter[name] = mask_pii(adapter[name])
        return item


class PseudonymPipeline:
    """Replace the author by a keyed pseudonym (letters: of their URL; see module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.key: bytes | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PseudonymPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        with open_store(self.crawler.settings.get("TONGXIN_DB")) as store:
            self.key = workspace_key(store.key_path)

    def process_item(self, item: Any) -> Any:
        if self.key is None:
            self.open_spider()
        assert self.key is not None
        adapter = ItemAdapter(item)
        if adapter.get("kind") == "letter" or not adapter.get("author"):
            adapter["author"] = pseudonym(self.key, adapter["url"])
        else:
            adapter["author"] = pseudonym(self.key, adapter["author"])
        return item


class StorePipeline:
    """Write documents with :func:`opinion.store.db.upsert_document` and record the crawl run.

    The run row is written when the spider opens (so a crash still leaves a trace)
    and completed with its statistics when it closes: pages fetched, documents
    new/updated/unchanged, dropped by reason, errors by kind, pages behind a login or
    permission wall by kind (``restricted``), pages decoded with a repair
    (``decoding``), documents with an unreadable or missing date (``dates``).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store: Store | None = None
        self.run_id: int | None = None
        self.pages = 0
        self.outcomes: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.blocked: Counter[str] = Counter()  # domain -> anti-bot answers
        self.writer: Any = None  # one thread for the store's writes
        self.queue: list[tuple[dict[str, Any], Any]] = []  # documents waiting for the next transaction
        self.writing = False  # a transaction is on the writer thread
        self.batch_size = max(1, crawler.settings.getint("TONGXIN_STORE_BATCH", 64))
        self.retries = 0
        self.incremental: Counter[str] = Counter()  # JSON boards: already_stored, up_to_date
        self.restricted: Counter[str] = Counter()  # pages behind a login or permission wall, by kind
        self.decoding: Counter[str] = Counter()  # pages decoded with a repair: detected, replaced, gzip-*
        self.dates: Counter[str] = Counter()  # documents whose date is unreadable or missing
        self.official: Counter[str] = Counter()  # forum posts taken as official replies, by rule
        self.started_at = ""
        self.finished_at = ""
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    # --- signals -------------------------------------------------------------------------

    def item_dropped(self, item: Any, response: Response | None, exception: BaseException, **_: Any) -> None:
        self.dropped[str(exception) or type(exception).__name__] += 1

    def spider_error(self, failure: Any, response: Response | None = None, **_: Any) -> None:
        self.errors[f"parse:{type(failure.value).__name__}"] += 1

    def item_error(self, item: Any, response: Response | None, failure: Any, **_: Any) -> None:
        self.errors[f"pipeline:{type(failure.value).__name__}"] += 1

    def response_received(self, response: Response, request: Request, **_: Any) -> None:
        # Failed pages are counted by name where the request finally fails (the spiders'
        # errback), so that a 500 retried into a 200 is one page, not one error.
        if request.url.endswith("/robots.txt"):
            return
        if 200 <= response.status < 400:
            self.pages += 1

    # --- pipeline --------------------------------------------------------------------------

    def open_spider(self) -> None:
        self.store = open_store(self.crawler.settings.get("TONGXIN_DB"))
        if self.writer is None and self.crawler.settings.getbool("TONGXIN_STORE_THREAD", True):
            from twisted.python.threadpool import ThreadPool

            self.writer = ThreadPool(1, 1, name="tongxin store")
            self.writer.start()
        spider = _spider(self.crawler)
        profile = getattr(getattr(spider, "profile", None), "name", None) or getattr(spider, "name", "?")
        used = {name: self.crawler.settings.get(name) for name in RECORDED_SETTINGS}
        used["max_pages"] = getattr(spider, "max_pages", None)
        used["robots_ignored"] = not self.crawler.settings.getbool("ROBOTSTXT_OBEY")
        used["resumed"] = bool(getattr(spider, "resume", False))
        since = getattr(spider, "since", None)
        used["since"] = since.isoformat() if since else None
        self.started_at = site_now().isoformat(timespec="seconds")
        with self.store.engine.begin() as conn:
            result = conn.execute(crawl_runs.insert().values(
                profile=profile,
                start_urls=dumps(list(getattr(spider, "start_urls", []))),
                started_at=self.started_at,
                settings=dumps(used),
            ))
            key = result.inserted_primary_key
            assert key is not None, "a single-row insert has a primary key"
            self.run_id = int(key[0])

    async def process_item(self, item: Any) -> Any:
        """Write on one worker thread: the crawl keeps downloading while SQLite commits.

        One thread, so writes stay in order and two URLs of one document never race.
        Documents that arrive while a transaction commits wait and go together in the
        next one (group commit: one commit for many documents, none delayed when the
        crawl is slow). The item counts as scraped (and its page as done in the
        ledger) only once the transaction holding it has committed.
        """
        if self.store is None:
            self.open_spider()
        adapter = ItemAdapter(item)
        doc: dict[str, Any] = {name: adapter.get(name) for name in documents.c.keys() if name not in ("id", "content_hash")}
        doc["content_hash"] = content_hash(doc.get("title"), doc["text"])
        doc["crawl_run_id"] = self.run_id
        doc["fetched_at"] = doc.get("fetched_at") or site_now().isoformat(timespec="seconds")
        if self.writer is None:
            outcome = self._write(doc)
        else:
            from scrapy.utils.defer import maybe_deferred_to_future
            from twisted.internet.defer import Deferred

            waiting: Deferred[str] = Deferred()
            self.queue.append((doc, waiting))
            if not self.writing:
                self._write_next_batch()
            outcome = await maybe_deferred_to_future(waiting)
        self.outcomes[outcome] += 1
        return item

    def _write_next_batch(self) -> None:
        """Hand the documents waiting (at most ``TONGXIN_STORE_BATCH``) to the writer thread."""
        from twisted.internet import reactor
        from twisted.internet.threads import deferToThreadPool

        batch, self.queue = self.queue[:self.batch_size], self.queue[self.batch_size:]
        self.writing = True
        job = deferToThreadPool(reactor, self.writer, self._write_batch, [doc for doc, _ in batch])
        job.addBoth(self._batch_written, batch)

    def _batch_written(self, results: Any, batch: list[tuple[dict[str, Any], Any]]) -> None:
        self.writing = False
        if self.queue:  # start the next commit before waking the items of this one
            self._write_next_batch()
        if not isinstance(results, list):  # the writer itself failed: every item of the batch did
            results = [results] * len(batch)
        for (_, waiting), result in zip(batch, results, strict=True):
            if isinstance(result, (BaseException, Failure)):
                waiting.errback(result)
            else:
                waiting.callback(result)

    def _write_batch(self, docs: list[dict[str, Any]]) -> list[str | BaseException]:
        """Write ``docs`` in one transaction; if that fails, each in its own, so one bad document fails alone."""
        assert self.store is not None
        if len(docs) > 1:
            try:
                with self.store.engine.begin() as conn:
                    return [self._write_one(conn, doc) for doc in docs]
            except Exception:  # rolled back; redo one by one to tell which document failed
                log.debug("batch of %d documents failed; writing them one at a time", len(docs), exc_info=True)
        results: list[str | BaseException] = []
        for doc in docs:
            try:
                results.append(self._write(doc))
            except Exception as exc:
                results.append(exc)
        return results

    def _write(self, doc: dict[str, Any]) -> str:
        assert self.store is not None
        with self.store.engine.begin() as conn:
            return self._write_one(conn, doc)

    def _write_one(self, conn: sa.Connection, doc: dict[str, Any]) -> str:
        previous = find_document(conn, doc["url"])
        outcome = upsert_document(conn, doc, existing=previous)
        if outcome == "unchanged" and self._reply_changed(conn, previous, doc):
            outcome = "updated"
        if outcome == "updated" and previous is not None:
            self._keep_version(conn, previous, doc["fetched_at"])
        return outcome

    @staticmethod
    def _keep_version(conn: sa.Connection, previous: Any, replaced_at: str) -> None:
        """The version a change replaced stays readable: what was said first is evidence too."""
        conn.execute(document_versions.insert().values(
            document_id=previous["id"], url=previous["url"], content_hash=previous["content_hash"],
            title=previous["title"], text=previous["text"], reply_text=previous["reply_text"],
            reply_unit=previous["reply_unit"], posted_at=previous["posted_at"],
            fetched_at=previous["fetched_at"], replaced_at=replaced_at, crawl_run_id=previous["crawl_run_id"],
        ))

    @staticmethod
    def _reply_changed(conn: sa.Connection, previous: Any, doc: dict[str, Any]) -> bool:
        """The hash covers the writer's words only; an official reply added later still counts."""
        if previous is None:
            return False
        if (previous["reply_text"], previous["reply_unit"]) == (doc.get("reply_text"), doc.get("reply_unit")):
            return False
        conn.execute(documents.update().where(documents.c.url == doc["url"]).values(
            reply_text=doc.get("reply_text"), reply_unit=doc.get("reply_unit"),
            fetched_at=doc["fetched_at"], crawl_run_id=doc["crawl_run_id"],
        ))
        return True

    def close_spider(self) -> None:
        if self.writer is not None:
            self.writer.stop()  # waits for the writes in flight
            self.writer = None
        self.finished_at = site_now().isoformat(timespec="seconds")
        for key, count in (self.crawler.stats.get_stats() if self.crawler.stats else {}).items():
            if key.startswith("tongxin/errors/restricted:"):
                self.restricted[key[len("tongxin/errors/restricted:"):]] += int(count)
            elif key.startswith("tongxin/errors/"):
                self.errors[key[len("tongxin/errors/"):]] += int(count)
            elif key.startswith("tongxin/decoding/"):
                self.decoding[key[len("tongxin/decoding/"):]] += int(count)
            elif key.startswith("tongxin/dates/"):
                self.dates[key[len("tongxin/dates/"):]] += int(count)
            elif key.startswith("tongxin/official/"):
                self.official[key[len("tongxin/official/"):]] += int(count)
            elif key.startswith("tongxin/blocked/"):
                self.blocked[key[len("tongxin/blocked/"):]] += int(count)
            elif key.startswith("tongxin/incremental/"):
                self.incremental[key[len("tongxin/incremental/"):]] += int(count)
            elif key == "retry/count":
                self.retries = int(count)
        if self.store is None:
            return
        with self.store.engine.begin() as conn:
            conn.execute(crawl_runs.update().where(crawl_runs.c.id == self.run_id).values(
                finished_at=self.finished_at, stats=dumps(self.stats()),
            ))
        self.store.dispose()

    def stats(self) -> dict[str, Any]:
        """The run's statistics, as recorded in ``crawl_runs.stats``."""
        return {
            "pages_fetched": self.pages,
            "documents": {k: self.outcomes.get(k, 0) for k in ("new", "updated", "unchanged")},
            "dropped": dict(self.dropped),
            "errors": dict(self.errors),
            "blocked": dict(self.blocked),
            "retries": self.retries,
            "incremental": dict(self.incremental),
            "restricted": dict(self.restricted),
            "decoding": dict(self.decoding),
            "dates": dict(self.dates),
            "official": dict(self.official),
        }


def run_record(store: Store, run_id: int) -> dict[str, Any]:
    """One ``crawl_runs`` row with its JSON columns decoded."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(crawl_runs).where(crawl_runs.c.id == run_id)).mappings().first()
    if row is None:
        return {}
    record = dict(row)
    for name in ("start_urls", "settings", "stats"):
        if record.get(name):
            record[name] = json.loads(record[name])
    return record

