"""Run crawls from Python: several jobs in one Scrapy process, blocking until all are done.

Twisted's reactor can run only once per process, so :func:`crawl` takes every job of
the run at once and may be called once per process; to crawl again, start a new
process (the CLI does one crawl per invocation; tests run it in a subprocess).
Profiles and URLs are all checked before anything starts, so a typo fails fast
without a half-done run.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from opinion.errors import InputError, TongxinError
from opinion.store.db import open_store
from opinion.store.privacy import workspace_key
from scrapers.profiles import Profile, load_profile
from scrapers.spiders._base import check_url

log = logging.getLogger(__name__)

_started = False


@dataclass(frozen=True)
class CrawlJob:
    """One profile crawled from its start URLs."""

    profile: str
    urls: list[str]
    since: date | None = None
    max_pages: int | None = None
    resume: bool = False  # continue this job's interrupted crawl from its ledger in the workspace


@dataclass
class CrawlSummary:
    """What one job did: the ``crawl_runs`` row, decoded."""

    profile: str
    urls: list[str]
    run_id: int | None = None
    pages_fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    blocked: dict[str, int] = field(default_factory=dict)  # domain -> anti-bot answers
    retries: int = 0
    incremental: dict[str, int] = field(default_factory=dict)  # already_stored, up_to_date (JSON boards)
    restricted: dict[str, int] = field(default_factory=dict)  # login / permission -> pages behind the wall
    decoding: dict[str, int] = field(default_factory=dict)  # detected, replaced, gzip-* -> pages repaired
    dates: dict[str, int] = field(default_factory=dict)  # unreadable / missing -> documents
    official: dict[str, int] = field(default_factory=dict)  # rule -> forum posts taken as official replies
    started_at: str = ""
    finished_at: str = ""

    @property
    def documents(self) -> int:
        """Documents stored or confirmed by this run."""
        return self.new + self.updated + self.unchanged

    @property
    def nothing_found(self) -> bool:
        """True when the job fetched no page, or parsed no document out of what it fetched."""
        if self.pages_fetched == 0:
            return True
        return self.documents == 0 and not self.dropped and not self.incremental

    def why_nothing(self) -> str | None:
        """What kept this job from finding documents, when the run's counts say; None when nothing did.

        None means every page fetched arrived, decoded cleanly and still yielded
        nothing: then, and only then, the profile does not fit the site.
        """
        causes = []
        if self.restricted:
            pages = sum(self.restricted.values())
            causes.append(f"{pages} page(s) need a login or a higher permission "
                          f"({_counts(self.restricted)}; this crawler does not log in)")
        troubled = {k: v for k, v in self.decoding.items() if k in ("replaced", "undetectable")}
        if troubled:
            causes.append(f"{sum(troubled.values())} page(s) could not be decoded cleanly ({_counts(troubled)})")
        errors = {k: v for k, v in self.errors.items() if not k.startswith("limit:")}
        if errors:
            causes.append(f"{sum(errors.values())} page(s) failed ({_counts(errors)})")
        if self.blocked:
            causes.append(f"the site blocked this crawler ({_counts(self.blocked)})")
        return "; ".join(causes) or None


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


@dataclass
class CrawlProgress:
    """How far one job has got, handed to the ``progress`` callback of :func:`crawl`."""

    profile: str
    pages: int = 0  # responses received (robots.txt not counted)
    documents: int = 0  # items stored
    dropped: int = 0
    finished: bool = False


class _ProgressWatch:
    """Counts a crawler's pages and items from its signals and reports every ``every`` pages.

    The library only counts; what is shown, and where, is the caller's business.
    """

    def __init__(self, crawler: Any, profile: str, callback: Callable[[CrawlProgress], None], every: int) -> None:
        from scrapy import signals

        self.state = CrawlProgress(profile)
        self.callback = callback
        self.every = every
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def response_received(self, request: Any, **_: Any) -> None:
        if request.url.endswith("/robots.txt"):
            return
        self.state.pages += 1
        if self.state.pages % self.every == 0:
            self.callback(self.state)

    def item_scraped(self, **_: Any) -> None:
        self.state.documents += 1

    def item_dropped(self, **_: Any) -> None:
        self.state.dropped += 1

    def spider_closed(self, **_: Any) -> None:
        self.state.finished = True
        self.callback(self.state)


def _check(jobs: list[CrawlJob]) -> list[Profile]:
    if not jobs:
        raise InputError("no crawl jobs given")
    profiles = []
    for job in jobs:
        if not job.urls:
            raise InputError(f"profile {job.profile}: no start URL given")
        for url in job.urls:
            check_url(url)
        if job.max_pages is not None and job.max_pages < 1:
            raise InputError(f"max_pages {job.max_pages} must be at least 1")
        profiles.append(load_profile(job.profile))
    return profiles


def crawl(
    jobs: list[CrawlJob],
    db: str | os.PathLike[str] | None,
    settings: dict[str, Any] | None = None,
    progress: Callable[[CrawlProgress], None] | None = None,
    progress_every: int = 50,
) -> list[CrawlSummary]:
    """Run all ``jobs`` in one Scrapy process into the store ``db``; one summary per job.

    ``progress``, when given, is called with a job's :class:`CrawlProgress` every
    ``progress_every`` pages and once when the job ends (on the crawl's thread: keep
    it quick).

    ``settings`` override the project's Scrapy settings (as ``scrapy crawl -s`` does).
    Scrapy's log goes to the logging configuration already in place; without one,
    Scrapy installs its own handler.
    """
    global _started
    profiles = _check(jobs)
    # The store and its pseudonym key must be usable before the crawl starts: a bad
    # --db should fail here with its message, not inside the engine after fetching.
    with open_store(db) as store:
        workspace_key(store.key_path)
        store_path = store.key_path.with_name(store.key_path.name[: -len(".key")]) if store.key_path else None
    if _started:
        raise TongxinError("crawl() runs once per process (Twisted's reactor cannot restart); start a new process")
    _started = True

    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from scrapers.ledger import ledger_path
    from scrapers.pipelines import StorePipeline
    from scrapers.spiders import SPIDERS

    project = Settings()
    project.setmodule("scrapers.settings", priority="project")
    overrides = dict(settings or {})
    if "TONGXIN_CONTACT" in overrides and "USER_AGENT" not in overrides:
        from scrapers.settings import user_agent

        overrides["USER_AGENT"] = user_agent(str(overrides["TONGXIN_CONTACT"]))
    project.update(overrides, priority="cmdline")
    from scrapers.distributed import apply_distributed

    apply_distributed(project)  # TONGXIN_REDIS_URL (--redis): a crawl shared through Redis
    if db is not None:
        project.set("TONGXIN_DB", os.fspath(db), priority="cmdline")
    app_logging = bool(logging.getLogger().handlers)
    if app_logging:
        # Under the application's handlers, Scrapy shows no more than both the
        # application's level and LOG_LEVEL allow (its own set-up would say DEBUG).
        project.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
        wanted = logging.getLevelName(str(project.get("LOG_LEVEL", "INFO")).upper())
        level = max(logging.getLogger().level, wanted if isinstance(wanted, int) else logging.INFO)
        previous = logging.root.manager.disable
        logging.disable(level - 1)  # the banner Scrapy logs while the process is built
        try:
            process = CrawlerProcess(project)
        finally:
            logging.disable(previous)
        logging.getLogger("scrapy").setLevel(level)
    else:
        process = CrawlerProcess(project)
    crawlers = []
    watches = []  # signal receivers are held weakly: keep them alive for the run
    for job, profile in zip(jobs, profiles, strict=True):
        crawler = process.create_crawler(SPIDERS[profile.spider])
        state = ledger_path(store_path, profile.name, job.urls)
        process.crawl(crawler, profile=profile, urls=list(job.urls), since=job.since, max_pages=job.max_pages,
                      state=str(state), resume=job.resume)
        crawlers.append(crawler)
        if progress is not None:
            watches.append(_ProgressWatch(crawler, profile.name, progress, max(1, int(progress_every))))
    process.start()

    summaries = []
    for job, profile, crawler in zip(jobs, profiles, crawlers, strict=True):
        try:
            pipeline = crawler.get_item_pipeline(StorePipeline)
        except RuntimeError:  # the spider never started (its engine was not created)
            pipeline = None
        summary = CrawlSummary(profile=profile.name, urls=list(job.urls))
        if pipeline is not None:
            stats = pipeline.stats()
            summary.run_id = pipeline.run_id
            summary.pages_fetched = stats["pages_fetched"]
            summary.new = stats["documents"]["new"]
            summary.updated = stats["documents"]["updated"]
            summary.unchanged = stats["documents"]["unchanged"]
            summary.dropped = stats["dropped"]
            summary.errors = stats["errors"]
            summary.blocked = stats["blocked"]
            summary.retries = stats["retries"]
            summary.incremental = stats.get("incremental", {})
            summary.restricted = stats.get("restricted", {})
            summary.decoding = stats.get("decoding", {})
            summary.dates = stats.get("dates", {})
            summary.official = stats.get("official", {})
            summary.started_at = pipeline.started_at
            summary.finished_at = pipeline.finished_at
        else:
            summary.errors = {"startup": 1}
        summaries.append(summary)
    return summaries
