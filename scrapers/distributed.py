"""Several crawler processes sharing one crawl through Redis (scrapy-redis), safe against kills.

``tongxin crawl PROFILE URL... --redis redis://HOST:PORT/DB`` in several processes (on
one machine or several) crawls the same site together: one request queue and one set
of pages seen, in Redis, under a namespace named after the profile and start URLs
(:func:`namespace`). What scrapy-redis gives is the queue and the seen-set; the glue
here adds what this project's crawls need:

* **Seeding through ``start()``.** scrapy-redis's spiders read start URLs in
  ``start_requests``, which Scrapy 2.13+ no longer calls; here every process yields its
  start requests through the spiders' own ``async def start()`` and the shared seen-set
  lets only the first process's through, so a crawl is seeded once however many
  processes start it.
* **Pages, not requests, are de-duplicated.** The spiders mark every request
  ``dont_filter`` and de-duplicate pages themselves (``known_pages``), which would let
  two processes fetch the same page; the scheduler here checks each first request for a
  page (not retries and redirects) against the shared seen-set, by method, canonical page
  URL and body.
* **No page lost to a kill.** A request taken from the queue is moved, atomically (one
  Lua script), into the taking process's *in-flight* hash; it leaves it when its page
  has settled (every document stored: the same rule as :mod:`scrapers.ledger`), failed
  for good, or was handed on as a retry or redirect. Each process refreshes a heartbeat
  key; when one stops refreshing (killed), another puts its in-flight requests back in
  the queue. A page fetched twice that way finds its documents stored: the store's
  upserts keep each document once.
* **An end.** A process stops when the queue is empty and no other live process has a
  page in flight (it would find new links); the last one to finish removes the crawl's
  keys, so the next crawl of the same site starts afresh, as a local crawl does.
* **Politeness across crawlers** (:mod:`scrapers.sharedpace`): every request also waits
  for its domain's shared turn, so ``CONCURRENT_REQUESTS_PER_DOMAIN`` and
  ``DOWNLOAD_DELAY`` (or AutoThrottle's larger delay) hold for all processes together.
  ``TONGXIN_SHARED_POLITENESS=False`` leaves them per process.

With PostgreSQL as the store (SQLite takes one writer at a time) every process writes
to the same corpus. ``--status`` prints :func:`crawl_status`.
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached

from opinion.errors import TongxinError
from scrapers.ledger import LedgerMiddleware
from scrapers.sharedpace import DomainPace, SharedPace, domain_paces, install_paced_handlers, pace_keys

log = logging.getLogger(__name__)

INFLIGHT_META = "tongxin_inflight"  # (worker, field) of the in-flight entry of a request's page
HEARTBEAT_SECONDS = 2.0
DEAD_AFTER_SECONDS = 10  # a worker whose heartbeat is older than this is taken for dead
# Scrapy asks a scheduler that has nothing to give (here: the shared queue is empty while another
# crawler's pages are in flight) again only every 5 s; requests those pages add would wait that long.
IDLE_POLL_SECONDS = 0.5

# Pop the best request and record it as in flight for this worker, in one step: a kill
# between the two would lose the request.
_POP_INTO = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0)
if #found == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local field = redis.sha1hex(found[1])
redis.call('HSET', KEYS[2], field, found[1])
return {field, found[1]}
"""


# Mark a page seen and queue its request in one step (or do neither if it was seen). The n-th
# page queued for a host (KEYS[3], ARGV[4]) is scored -priority + n / (n + 1): within a priority,
# pages leave first come first served per host and in turn across hosts. Equal scores would leave
# in the order of their encoded bytes, host by host: a crawl of many sites would have every
# crawler wait on one site's limits at a time.
_PUSH_NEW = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local n = redis.call('HINCRBY', KEYS[3], ARGV[4], 1) - 1
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) + n / (n + 1), ARGV[3])
return 1
"""


def namespace(profile: str, urls: Iterable[str]) -> str:
    """The Redis key prefix of one crawl: ``tongxin:<profile>:<digest of the start URLs>``."""
    digest = hashlib.sha1("\n".join([profile, *sorted(urls)]).encode("utf-8")).hexdigest()[:12]
    return f"tongxin:{profile}:{digest}"


def distributed_settings(redis_url: str) -> dict[str, Any]:
    """Scrapy settings that make a crawl share its queue through Redis at ``redis_url``."""
    return {
        "TONGXIN_REDIS_URL": redis_url,
        "REDIS_URL": redis_url,
        "SCHEDULER": "scrapers.distributed.DistributedScheduler",
        "SPIDER_MIDDLEWARES": {"scrapers.ledger.LedgerMiddleware": None,
                               "scrapers.distributed.SettleMiddleware": 850},
        "DOWNLOADER_MIDDLEWARES": {"scrapers.distributed.FailureMiddleware": 1},
    }


def apply_distributed(settings: BaseSettings) -> None:
    """Switch ``settings`` to a shared crawl when ``TONGXIN_REDIS_URL`` is set (merging middlewares).

    Unless ``TONGXIN_SHARED_POLITENESS`` is false, per-domain politeness is shared by
    all the crawl's processes (:func:`scrapers.sharedpace.install_paced_handlers`).

    Raises:
        TongxinError: when Redis cannot be reached at that URL.
    """
    url = settings.get("TONGXIN_REDIS_URL")
    if not url:
        return
    check_redis(str(url))
    for name, value in distributed_settings(str(url)).items():
        if isinstance(value, dict):
            merged = dict(settings.getdict(name))
            merged.update(value)
            settings.set(name, merged, priority="cmdline")
        else:
            settings.set(name, value, priority="cmdline")
    if settings.getbool("TONGXIN_SHARED_POLITENESS", True):
        install_paced_handlers(settings)


def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def check_redis(url: str) -> None:
    """Raise :class:`TongxinError` naming ``url`` unless a Redis server answers there."""
    import redis

    try:
        _redis(url).ping()
    except (redis.exceptions.RedisError, ValueError) as exc:
        raise TongxinError(f"{url}: cannot reach Redis ({exc}); start it (e.g. scripts/services.sh) "
                           "or give --redis redis://HOST:PORT/DB") from exc


@dataclass
class CrawlStatus:
    """The state of a shared crawl in Redis."""

    namespace: str
    queued: int
    seen: int
    workers: dict[str, int]  # live worker -> pages in flight
    dead: dict[str, int]  # worker whose heartbeat stopped -> pages in flight, not yet put back
    domains: dict[str, DomainPace] = field(default_factory=dict)  # used in the last minute

    def describe(self) -> str:
        live = ", ".join(f"{w} ({n} in flight)" for w, n in sorted(self.workers.items())) or "none"
        lines = [f"{self.namespace}: {self.queued} requests queued, {self.seen} pages seen",
                 f"  crawlers: {live}"]
        if self.dead:
            lines.append("  stopped with pages in flight (put back by the next live crawler): "
                         + ", ".join(f"{w} ({n})" for w, n in sorted(self.dead.items())))
        lines.extend(f"  {domain}: {pace.describe()}" for domain, pace in sorted(self.domains.items()))
        return "\n".join(lines)


def crawl_status(redis_url: str, profile: str, urls: Iterable[str]) -> CrawlStatus:
    """Queue, pages seen, pages in flight per crawler and per-domain pace of the crawl of ``profile`` from ``urls``."""
    server = _redis(redis_url)
    keys = _Keys(namespace(profile, urls))
    live: dict[str, int] = {}
    dead: dict[str, int] = {}
    for raw in server.smembers(keys.workers):
        worker = raw.decode()
        (live if server.exists(keys.alive(worker)) else dead)[worker] = int(server.hlen(keys.inflight(worker)))
    return CrawlStatus(keys.prefix, int(server.zcard(keys.queue)), int(server.scard(keys.seen)), live,
                       {w: n for w, n in dead.items() if n}, domain_paces(server, keys.prefix))


class _Keys:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.queue = f"{prefix}:requests"
        self.seen = f"{prefix}:seen"
        self.hosts = f"{prefix}:hosts"  # host -> pages queued for it (their turn order)
        self.workers = f"{prefix}:workers"

    def inflight(self, worker: str) -> str:
        return f"{self.prefix}:inflight:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    def reclaim(self, worker: str) -> str:
        return f"{self.prefix}:reclaim:{worker}"


class DistributedScheduler:
    """A scrapy-redis priority queue with a shared seen-set, in-flight pages and heartbeats.

    Configured by ``TONGXIN_REDIS_URL`` (see :func:`distributed_settings`); the namespace
    comes from the spider's profile and start URLs.
    """

    def __init__(self, crawler: Crawler, redis_url: str) -> None:
        self.crawler = crawler
        self.server = _redis(redis_url)
        self.worker = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.keys: _Keys | None = None
        self.queue: Any = None
        self.spider: Any = None
        self.heartbeat: Any = None
        self.pace: SharedPace | None = None
        self._pop = self.server.register_script(_POP_INTO)
        self._push_new = self.server.register_script(_PUSH_NEW)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedScheduler:
        return cls(crawler, str(crawler.settings.get("TONGXIN_REDIS_URL")))

    # --- life cycle ---------------------------------------------------------------------------

    def open(self, spider: Any) -> None:
        from scrapy_redis.queue import PriorityQueue
        from twisted.internet.task import LoopingCall

        self.spider = spider
        profile = getattr(getattr(spider, "profile", None), "name", None) or spider.name
        self.keys = _Keys(namespace(profile, getattr(spider, "start_urls", [])))
        self.queue = PriorityQueue(server=self.server, spider=spider, key=self.keys.queue)
        self.pace = SharedPace(self.server, self.keys.prefix, self.worker, lease_seconds=DEAD_AFTER_SECONDS)
        self.server.sadd(self.keys.workers, self.worker)
        self._beat()
        self.heartbeat = LoopingCall(self._beat)
        self.heartbeat.start(HEARTBEAT_SECONDS, now=False)
        try:
            engine = self.crawler.engine
        except RuntimeError:  # opened outside a running crawl (tests)
            engine = None
        if engine is not None and hasattr(engine, "_SLOT_HEARTBEAT_INTERVAL"):  # read when the engine starts
            engine._SLOT_HEARTBEAT_INTERVAL = IDLE_POLL_SECONDS
        spider.logger.info("shared crawl %s as %s: %d requests queued", self.keys.prefix, self.worker,
                           len(self.queue))

    def close(self, reason: str) -> None:
        assert self.keys is not None
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if self.pace is not None:
            self.pace.release_all()
        pipe = self.server.pipeline()
        pipe.delete(self.keys.inflight(self.worker), self.keys.alive(self.worker))
        pipe.srem(self.keys.workers, self.worker)
        pipe.execute()
        if reason == "finished" and not self.server.scard(self.keys.workers) and not len(self.queue):
            self.server.delete(self.keys.queue, self.keys.seen, self.keys.workers, self.keys.hosts,  # complete
                               *pace_keys(self.server, self.keys.prefix))

    def _beat(self) -> None:
        assert self.keys is not None
        self.server.set(self.keys.alive(self.worker), "1", ex=DEAD_AFTER_SECONDS)
        if self.pace is not None:
            self.pace.refresh()

    # --- the scheduler interface --------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.queue) if self.queue is not None else 0

    def has_pending_requests(self) -> bool:
        """Requests queued, or pages in flight elsewhere (their links are still to come)."""
        return len(self) > 0 or self._others_in_flight()

    def enqueue_request(self, request: Request) -> bool:
        assert self.keys is not None
        if self._first_request_for_page(request):
            # Seen and queued in one step: between the two, another crawler would find the
            # page seen but nowhere to fetch, and might end before it is queued.
            pushed = self._push_new(keys=[self.keys.seen, self.keys.queue, self.keys.hosts],
                                    args=[page_fingerprint(request), -request.priority,
                                          self.queue._encode_request(request), urlparse_cached(request).hostname or ""])
            if not pushed:
                if self.stats:
                    self.stats.inc_value("tongxin/distributed/already_seen")
                return False
        else:
            self.queue.push(request)
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        assert self.keys is not None
        popped = self._pop(keys=[self.keys.queue, self.keys.inflight(self.worker)])
        if not popped:
            self._reclaim_dead()
            return None
        field, encoded = popped[0].decode(), popped[1]
        request: Request = self.queue._decode_request(encoded)
        earlier = request.meta.get(INFLIGHT_META)
        if earlier:  # a retry or redirect of a page in flight: it is this entry now
            self.server.hdel(self.keys.inflight(earlier[0]), earlier[1])
        request.meta[INFLIGHT_META] = (self.worker, field)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def settled(self, request: Request | None) -> None:
        """The page of ``request`` is done with (stored, failed for good): out of flight."""
        entry = request.meta.get(INFLIGHT_META) if request is not None else None
        if entry and self.keys is not None:
            self.server.hdel(self.keys.inflight(entry[0]), entry[1])

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _first_request_for_page(request: Request) -> bool:
        meta = request.meta
        return not (meta.get("retry_times") or meta.get("redirect_times") or meta.get(INFLIGHT_META))

    def _others_in_flight(self) -> bool:
        assert self.keys is not None
        for raw in self.server.smembers(self.keys.workers):
            worker = raw.decode()
            if worker != self.worker and self.server.hlen(self.keys.inflight(worker)):
                return True
        return False

    def _reclaim_dead(self) -> None:
        """Put back in the queue the pages in flight of crawlers whose heartbeat stopped."""
        assert self.keys is not None
        for raw in self.server.smembers(self.keys.workers):
            worker = raw.decode()
            if worker == self.worker or self.server.exists(self.keys.alive(worker)):
                continue
            if not self.server.set(self.keys.reclaim(worker), self.worker, nx=True, ex=60):
                continue  # another live crawler is putting them back
            entries = self.server.hgetall(self.keys.inflight(worker))
            for encoded in entries.values():
                self.queue.push(self.queue._decode_request(encoded))
            pipe = self.server.pipeline()
            pipe.delete(self.keys.inflight(worker))
            pipe.srem(self.keys.workers, worker)
            pipe.execute()
            log.warning("crawler %s stopped with %d pages in flight; put back in the queue", worker, len(entries))
            if self.stats:
                self.stats.inc_value("tongxin/distributed/reclaimed", len(entries))


def page_fingerprint(request: Request) -> str:
    """Method, canonical page URL (the spiders' ``ledger_url``) and body of a page's request."""
    page = request.meta.get("ledger_url") or request.url
    return hashlib.sha1(b"\0".join([request.method.encode(), page.encode("utf-8"), request.body or b""])).hexdigest()


def _scheduler(crawler: Crawler) -> DistributedScheduler | None:
    engine = getattr(crawler, "engine", None)
    scheduler = engine.scheduler if engine is not None else None
    return scheduler if isinstance(scheduler, DistributedScheduler) else None


class SettleMiddleware(LedgerMiddleware):
    """The ledger's page accounting without its file: a settled page leaves the in-flight hash.

    Takes the place of :class:`scrapers.ledger.LedgerMiddleware` in a shared crawl (the
    crawl's state is in Redis). Start requests go through the shared seen-set, so only
    the first process seeds the crawl.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.requests: dict[str, Request] = {}  # page -> its request, until settled

    def _open(self, spider: Any) -> None:
        self.ledger = None  # no local ledger: a killed crawler's pages are put back from Redis

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        self._open(self.crawler.spider)
        async for request in start:
            yield request

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        self.requests[response.meta.get("ledger_url") or response.url] = response.request  # type: ignore[assignment]
        yield from super().process_spider_output(response, result)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        self.requests[response.meta.get("ledger_url") or response.url] = response.request  # type: ignore[assignment]
        async for out in super().process_spider_output_async(response, result):
            yield out

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        scheduler = _scheduler(self.crawler)
        if scheduler is not None:
            scheduler.settled(response.request)

    def _settle(self, page: str) -> None:
        if self.outstanding[page] > 0 or page not in self.finished:
            return
        super()._settle(page)
        scheduler = _scheduler(self.crawler)
        if scheduler is not None:
            scheduler.settled(self.requests.pop(page, None))


class FailureMiddleware:
    """Next to the engine: a request that failed for good (no retry left, or refused) leaves flight."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailureMiddleware:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        scheduler = _scheduler(self.crawler)
        if scheduler is not None:
            scheduler.settled(request)

    def request_dropped(self, request: Request, **_: Any) -> None:
        scheduler = _scheduler(self.crawler)
        if scheduler is not None:
            scheduler.settled(request)


def shared_crawl_status(redis_url: str | None, profile: str, urls: Iterable[str]) -> str:
    """``tongxin crawl ... --status``: the shared crawl's state as text (``profile``: a name or a YAML path).

    Raises:
        TongxinError: without ``redis_url``, or when Redis cannot be reached.
    """
    from scrapers.profiles import load_profile
    from scrapers.spiders._base import check_url

    if not redis_url:
        raise TongxinError("--status shows a crawl shared through Redis: give --redis redis://HOST:PORT/DB")
    check_redis(redis_url)
    return crawl_status(redis_url, load_profile(profile).name, [check_url(u) for u in urls]).describe()
