"""Per-domain politeness shared by the crawlers of a crawl shared through Redis (scrapers/sharedpace.py)."""
from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from opinion.store.db import documents, open_store
from scrapers.distributed import crawl_status, namespace
from scrapers.localsite import _Handler
from scrapers.sharedpace import SharedPace
from tests.helpers import REPO
from tests.sites.sitegen import write_letter_board

DELAY = 0.3  # DOWNLOAD_DELAY of the crawls, seconds
LETTERS, PER_PAGE = 28, 14  # 28 letters on 2 list pages: 30 pages
FETCHED = re.compile(r"\): (\d+) pages fetched")  # the summary line of `tongxin crawl`


def _remove(server: redis.Redis, prefix: str) -> None:
    keys = server.keys(f"{prefix}:*")
    if keys:
        server.delete(*keys)


def test_a_killed_crawlers_connections_lapse_and_a_live_ones_are_kept(redis_url: str) -> None:
    server = redis.Redis.from_url(redis_url)
    prefix = f"tongxin:test:{uuid.uuid4().hex[:8]}"
    live = SharedPace(server, prefix, "live", lease_seconds=0.6)
    killed = SharedPace(server, prefix, "killed", lease_seconds=0.6)
    other = SharedPace(server, prefix, "other", lease_seconds=0.6)

    async def freed(pace: SharedPace, domain: str) -> float:
        await pace.take_turn(domain, limit=1, delay=0)
        return time.monotonic()

    async def scenario() -> tuple[float, float]:
        taken = time.monotonic()
        await live.take_turn("a.example", limit=1, delay=0)
        await killed.take_turn("b.example", limit=1, delay=0)  # never released, never refreshed
        after_killed = asyncio.ensure_future(freed(other, "b.example"))
        after_live = asyncio.ensure_future(freed(other, "a.example"))
        for _ in range(6):  # the live crawler's heartbeat keeps its connection for 1.2 s
            await asyncio.sleep(0.2)
            live.refresh()
        assert not after_live.done()
        live.release_all()
        return await after_live - taken, await after_killed - taken

    try:
        kept, lapsed = asyncio.run(scenario())
        assert kept >= 1.2
        assert 0.55 < lapsed < 1.1  # the killed crawler's lease lapsed 0.6 s after it was taken
    finally:
        _remove(server, prefix)


def test_turns_are_spaced_across_crawlers_and_status_shows_the_pace(redis_url: str) -> None:
    server = redis.Redis.from_url(redis_url)
    start_url = f"http://board-{uuid.uuid4().hex[:8]}.example/letters/list_1.html"
    prefix = namespace("gov-letters", [start_url])
    crawlers = [SharedPace(server, prefix, f"crawler-{n}", lease_seconds=10) for n in range(2)]
    times: list[float] = []

    async def turns(pace: SharedPace) -> None:
        for _ in range(4):
            lease = await pace.take_turn("site.example", limit=2, delay=0.2)
            times.append(time.monotonic())
            pace.release(lease)

    async def both() -> None:
        await asyncio.gather(*(turns(pace) for pace in crawlers))

    try:
        asyncio.run(both())
        gaps = [b - a for a, b in zip(sorted(times), sorted(times)[1:], strict=False)]
        assert len(times) == 8 and min(gaps) >= 0.2 * 0.9
        status = crawl_status(redis_url, "gov-letters", [start_url])
        pace = status.domains["site.example"]
        assert (pace.delay, pace.open, pace.limit) == (0.2, 0, 2)
        assert 0 <= pace.next_free <= 0.2  # the turn after the last one taken (free now, on a slow machine)
        assert re.search(r"\n  site\.example: 0\.20 s between requests \(all crawlers\), "
                         r"(next free in 0\.\d\d s|free now), 0 of 2 connections taken$", status.describe())
    finally:
        _remove(server, prefix)


@dataclass
class Arrivals:
    """When each request reached the site (monotonic seconds), its path and its User-Agent."""

    times: list[tuple[float, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def gaps(self) -> list[float]:
        """Seconds between consecutive requests, whichever crawler sent them."""
        times = sorted(t for t, _, _ in self.times)
        return [b - a for a, b in zip(times, times[1:], strict=False)]

    def rate_together(self) -> float:
        """Pages per second while both crawlers were fetching pages (the second one starts later)."""
        pages = [(t, agent) for t, path, agent in self.times if path != "/robots.txt"]
        spans = [[t for t, a in pages if a == agent] for agent in {a for _, a in pages}]
        assert len(spans) == 2, "one crawler fetched nothing"
        begin, end = max(min(s) for s in spans), min(max(s) for s in spans)
        return (sum(begin <= t <= end for t, _ in pages) - 1) / (end - begin)


@contextmanager
def recording_site(root: Path) -> Iterator[tuple[str, Arrivals]]:
    arrivals = Arrivals()

    class Recording(_Handler):
        def do_GET(self) -> None:
            with arrivals.lock:
                arrivals.times.append((time.monotonic(), self.path.split("?", 1)[0], self.headers["User-Agent"]))
            super().do_GET()

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Recording, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", arrivals
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def crawl_together(site: Path, db: Path, redis_url: str, *settings: str) -> tuple[Arrivals, list[int], list[str], str]:
    """Two `tongxin crawl --redis` processes crawl the board in ``site`` into ``db``.

    Returns the site's arrivals, the pages each crawler fetched, the URLs stored and the start URL.
    """
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    with open_store(db):  # created before: two processes creating one SQLite store at once collide
        pass
    with recording_site(site) as (base, arrivals):
        start = f"{base}/letters/list_1.html"
        command = [sys.executable, "-m", "cli", "crawl", "gov-letters", start, "--db", str(db), "--redis", redis_url,
                   "-s", f"DOWNLOAD_DELAY={DELAY}", "-s", "AUTOTHROTTLE_ENABLED=False",
                   "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "TONGXIN_NOW=2026-11-27T12:00:00", *settings]
        processes = [subprocess.Popen([*command, "-s", f"USER_AGENT=tongxin-test-{n}"], cwd=REPO, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(2)]
        try:
            outputs = [p.communicate(timeout=120) for p in processes]
        finally:
            for p in processes:
                if p.poll() is None:
                    p.kill()
    for p, (_, err) in zip(processes, outputs, strict=True):
        assert p.returncode == 0, err[-2000:]
    shares = [int(m.group(1)) if (m := FETCHED.search(out)) else -1 for out, _ in outputs]
    with open_store(db) as store, store.engine.connect() as conn:
        stored = list(conn.execute(sa.select(documents.c.url)).scalars().all())
    return arrivals, shares, stored, start


@pytest.mark.slow
def test_two_crawlers_keep_the_delay_between_them(tmp_path: Path, redis_url: str) -> None:
    write_letter_board(tmp_path / "site", LETTERS, per_page=PER_PAGE)
    pages = LETTERS + -(-LETTERS // PER_PAGE)
    server = redis.Redis.from_url(redis_url)

    shared, shares, stored, start = crawl_together(tmp_path / "site", tmp_path / "shared.db", redis_url)
    expected = sorted(f"{start.rsplit('/', 1)[0]}/detail_{n:05d}.html" for n in range(1, LETTERS + 1))
    assert sorted(stored) == expected
    assert len(shared.times) == pages + 2  # each page once, and each crawler's robots.txt
    assert all(n > 0 for n in shares) and sum(shares) == pages, shares  # both crawled
    assert min(shared.gaps()) >= 0.8 * DELAY, sorted(shared.gaps())[:5]
    assert shared.rate_together() <= 1.1 / DELAY
    assert not server.keys(f"{namespace('gov-letters', [start])}:*")  # pace keys removed with the crawl's

    # The same crawl with politeness per crawler: the site is asked about twice as often.
    apart, shares, stored, start = crawl_together(tmp_path / "site", tmp_path / "apart.db", redis_url,
                                                  "-s", "TONGXIN_SHARED_POLITENESS=False")
    assert sorted(stored) == sorted(f"{start.rsplit('/', 1)[0]}/detail_{n:05d}.html" for n in range(1, LETTERS + 1))
    assert all(n > 0 for n in shares), shares
    close = [gap for gap in apart.gaps() if gap < 0.8 * DELAY]
    assert len(close) >= len(apart.gaps()) // 3, sorted(apart.gaps())
    assert apart.rate_together() > 1.4 * shared.rate_together(), (apart.rate_together(), shared.rate_together())
