"""Per-domain politeness shared by every crawler process of a crawl shared through Redis.

Scrapy keeps a downloader slot per domain in each process: its delay, AutoThrottle and
concurrency hold per process, so N crawlers sharing one crawl (:mod:`scrapers.distributed`)
would ask a site N times as often. Here every request of a shared crawl also waits for
its domain's turn, kept in Redis under the crawl's namespace:

* **Pacing.** Start times at a domain are reserved one after another, each at least
  ``delay`` after the previous one whichever crawler took it: ``start = max(now,
  next_free)``, ``next_free = start + delay``, in one Lua script on the Redis server's
  clock (``TIME``), so the crawlers' own clocks need not agree. ``delay`` is the larger
  of ``DOWNLOAD_DELAY`` and the crawler's current slot delay (AutoThrottle's, when a slow
  site made it raise it); each reservation spaces the next by its own crawler's delay,
  so crawlers that disagree (AutoThrottle measures in each) alternate between theirs.
  With a delay of 0 nothing is waited for.
* **Concurrency.** At most ``CONCURRENT_REQUESTS_PER_DOMAIN`` (the slot's concurrency)
  requests are open at a domain across all crawlers: a request holds a lease, a member
  of a sorted set scored by its expiry, from before it starts until its answer. The
  heartbeat of :class:`scrapers.distributed.DistributedScheduler` refreshes the leases of
  a live crawler; a killed crawler's expire within ``DEAD_AFTER_SECONDS``. A crawler
  waiting for a lease asks again every :data:`LEASE_POLL_SECONDS`.

A killed crawler never leaves a domain blocked: its leases lapse, and as each crawler
reserves one start time at a time per domain, it leaves at most one unused turn behind.
The wait happens in the download handler (:class:`PacedDownloadHandler`), after the
process's own slot let the request go, so requests leave at the times reserved.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object

LEASE_POLL_SECONDS = 0.025  # a request whose domain has all its connections open asks again this often

# A request's turn at its domain, on the Redis server's clock (ms): a lease on one of the
# domain's `limit` connections (none free: -1) and the next free start time, the one after it
# `delay` later. Returns the ms to wait for that start time.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, delay, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if limit > 0 and redis.call('ZCARD', KEYS[2]) >= limit then return -1 end
redis.call('ZADD', KEYS[2], now + ttl, ARGV[4])
redis.call('PEXPIRE', KEYS[2], ttl)
local start = math.max(now, tonumber(redis.call('HGET', KEYS[1], 'next') or '0'))
redis.call('HSET', KEYS[1], 'next', start + delay, 'delay', delay, 'limit', limit)
redis.call('PEXPIRE', KEYS[1], start + delay - now + 60000)
redis.call('SADD', KEYS[3], ARGV[5])
return start - now
"""

# The heartbeat: the leases of a live crawler (KEYS[i], ARGV[i + 1]) expire ARGV[1] ms from now.
_REFRESH = """
local t = redis.call('TIME')
local until_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', until_ms, ARGV[i + 1])
  redis.call('PEXPIRE', key, tonumber(ARGV[1]))
end
return 0
"""


def _domains_key(prefix: str) -> str:
    return f"{prefix}:domains"


def _pace_key(prefix: str, domain: str) -> str:
    return f"{prefix}:pace:{domain}"


def _busy_key(prefix: str, domain: str) -> str:
    return f"{prefix}:busy:{domain}"


def pace_keys(server: Any, prefix: str) -> list[str]:
    """The Redis keys of the shared politeness of the crawl under ``prefix`` (to remove with the crawl)."""
    domains = [raw.decode() for raw in server.smembers(_domains_key(prefix))]
    return [_domains_key(prefix), *(_pace_key(prefix, d) for d in domains), *(_busy_key(prefix, d) for d in domains)]


@dataclass
class DomainPace:
    """One domain's politeness shared by every crawler of a crawl."""

    delay: float  # seconds between start times of requests to it, as last reserved
    next_free: float  # seconds from now to its next free start time (0: free now)
    open: int  # its connections taken, all crawlers together (by requests in progress or about to start)
    limit: int  # at most this many at once (0: no limit)

    def describe(self) -> str:
        turn = f"next free in {self.next_free:.2f} s" if self.next_free > 0 else "free now"
        return (f"{self.delay:.2f} s between requests (all crawlers), {turn}, "
                f"{self.open} of {self.limit or 'unlimited'} connections taken")


def domain_paces(server: Any, prefix: str) -> dict[str, DomainPace]:
    """Each domain's shared politeness in the crawl under ``prefix``; domains unused for a minute are left out."""
    seconds, micros = server.time()
    now = seconds * 1000 + micros // 1000
    paces = {}
    for raw in server.smembers(_domains_key(prefix)):
        domain = raw.decode()
        pace = {k.decode(): float(v) for k, v in server.hgetall(_pace_key(prefix, domain)).items()}
        if pace:
            paces[domain] = DomainPace(pace["delay"] / 1000, max(0.0, pace["next"] - now) / 1000,
                                       int(server.zcount(_busy_key(prefix, domain), now, "+inf")), int(pace["limit"]))
    return paces


class SharedPace:
    """One crawler's side of the shared per-domain politeness of the crawl under ``prefix``.

    ``lease_seconds``: how long a lease outlives its crawler's last heartbeat.
    """

    def __init__(self, server: Any, prefix: str, worker: str, lease_seconds: float) -> None:
        self.server = server
        self.prefix = prefix
        self.worker = worker
        self.lease_ms = round(lease_seconds * 1000)
        self.held: dict[str, str] = {}  # lease -> the key of its domain's leases
        self._reserve = server.register_script(_RESERVE)
        self._refresh = server.register_script(_REFRESH)
        self._turns: dict[str, Any] = {}  # domain -> DeferredLock: one reservation at a time
        self._leases = itertools.count()

    async def take_turn(self, domain: str, limit: int, delay: float) -> str:
        """Wait, with the reactor running, for a turn at ``domain``; returns the lease to :meth:`release`.

        ``limit``: requests open at once across all crawlers (0: no limit); ``delay``:
        seconds between start times across all crawlers (0: none, and no waiting).
        """
        from scrapy.utils.asyncio import sleep
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.defer import DeferredLock

        turn = self._turns.setdefault(domain, DeferredLock())
        await maybe_deferred_to_future(turn.acquire())
        lease = f"{self.worker}:{next(self._leases)}"
        busy = _busy_key(self.prefix, domain)
        keys = [_pace_key(self.prefix, domain), busy, _domains_key(self.prefix)]
        try:
            while (wait_ms := self._reserve(keys=keys, args=[limit, round(delay * 1000), self.lease_ms, lease,
                                                             domain])) < 0:
                await sleep(LEASE_POLL_SECONDS)
            self.held[lease] = busy
            if wait_ms > 0:
                await sleep(wait_ms / 1000)
        except BaseException:  # cancelled while waiting: give the connection back
            self.release(lease)
            raise
        finally:
            turn.release()
        return lease

    def release(self, lease: str) -> None:
        """The request of ``lease`` is done: its connection is free for any crawler."""
        busy = self.held.pop(lease, None)
        if busy is not None:
            self.server.zrem(busy, lease)

    def release_all(self) -> None:
        """Free every connection this crawler holds (it is closing)."""
        for lease in list(self.held):
            self.release(lease)

    def refresh(self) -> None:
        """Keep this crawler's leases from expiring (called by its heartbeat)."""
        held = dict(self.held)
        if held:
            self._refresh(keys=list(held.values()), args=[self.lease_ms, *held])


def install_paced_handlers(settings: BaseSettings) -> None:
    """Route http and https through :class:`PacedDownloadHandler`, wrapping the handlers ``settings`` name."""
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    settings.set("TONGXIN_PACED_HANDLERS", {s: handlers.get(s) for s in ("http", "https")}, priority="cmdline")
    paced = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    paced.update(http=f"{__name__}.PacedDownloadHandler", https=f"{__name__}.PacedDownloadHandler")
    settings.set("DOWNLOAD_HANDLERS", paced, priority="cmdline")


class PacedDownloadHandler(BaseDownloadHandler):
    """The usual http(s) download handler, entered only on the domain's shared turn (:class:`SharedPace`).

    Wraps the handler ``TONGXIN_PACED_HANDLERS`` names for the request's scheme; the
    turns are those of the scheduler's ``pace`` (a shared crawl's scheduler has one).
    It runs after the process's downloader slot has let the request go, so reserved
    start times are the times requests leave: a wait in a downloader middleware would
    come before the slot's own wait, and requests would leave later than reserved and
    closer together. The domain is the slot's key (the host name); the delay the larger
    of ``DOWNLOAD_DELAY`` and the slot's current delay; the limit the slot's concurrency.
    """

    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.paths: dict[str, str] = crawler.settings.getdict("TONGXIN_PACED_HANDLERS")
        self.inner: dict[str, Any] = {}
        self.min_delay = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self.concurrency = crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")

    async def download_request(self, request: Request) -> Response:
        scheme = urlparse_cached(request).scheme
        if scheme not in self.inner:
            self.inner[scheme] = build_from_crawler(load_object(self.paths[scheme]), self.crawler)
        engine = getattr(self.crawler, "engine", None)
        pace: SharedPace | None = getattr(getattr(engine, "scheduler", None), "pace", None)
        if pace is None:
            response: Response = await self.inner[scheme].download_request(request)
            return response
        lease = await pace.take_turn(*self._politeness(request))
        try:
            response = await self.inner[scheme].download_request(request)
            return response
        finally:
            pace.release(lease)

    def _politeness(self, request: Request) -> tuple[str, int, float]:
        downloader = self.crawler.engine.downloader
        domain = request.meta.get(downloader.DOWNLOAD_SLOT) or downloader.get_slot_key(request)
        slot = downloader.slots.get(domain)
        if slot is None:
            return domain, self.concurrency, self.min_delay
        return domain, slot.concurrency, max(self.min_delay, slot.delay)

    async def close(self) -> None:
        for handler in self.inner.values():
            await handler.close()
