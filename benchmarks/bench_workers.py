"""A shared crawl (``tongxin crawl --redis``): one crawler process against two, on a slow site.

A generated letter board (``tests.sites.sitegen``, 300 letters on 15 list pages: 315
pages) is served on 127.0.0.1 by a threaded server that answers every request after
150-300 ms (the same delay for the same page in every run, spread evenly over that
range), as a distant or overloaded county server does. It is crawled by ``tongxin crawl
gov-letters URL --redis redis://...`` in one process, then by two processes started
together that share the crawl through Redis, then (the control) by one process allowed
what the two take together. Each run gets a fresh SQLite store (created before the
crawlers start: two processes creating one store at once collide) and a fresh crawl in
Redis: a new server port makes a new namespace (:func:`scrapers.distributed.namespace`),
checked empty before the run.

Politeness, per crawler, as a user would set it for a site that is slow but answers two
requests at a time from each client without slowing further: robots.txt obeyed, 2
requests at a time to the site (the shipped ``CONCURRENT_REQUESTS_PER_DOMAIN``),
AutoThrottle on and aiming at those 2 (it backs off if the site slows down), starting
at 0.25 s between requests and never below 0.1 s (the shipped floor of 0.5 s alone
would hold a crawler to 2 pages a second). Not 0 s: with Scrapy 2.19's asyncio
downloader a delay of 0 lets a site get more than ``CONCURRENT_REQUESTS_PER_DOMAIN``
requests at once (the server's peak count showed 7 for a limit of 2).

The shared crawl shares its queue and its pages seen, not its politeness: each crawler
keeps its own per-site slot, delay and AutoThrottle, so two crawlers hold up to 4
requests open at the site and ask it twice as often. The two-crawler run is polite only
to a site that tolerates 4 concurrent requests; the control (one crawler, 4 at a time,
a floor of 0.05 s) shows what one crawler does with the same allowance.

Reported: pages per second of each run (over the site's pages; wall time from starting
the processes to the last one's exit, start-up included, and the site's own span from
the first request to the last answer), the speed-up of two crawlers over one (goal: at
least 1.8) and over the control, the peak number of requests the site had open at
once, the pages each crawler fetched, how many pages were fetched more than once, and
whether the store holds each letter once.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LETTERS = 300  # + 15 list pages = 315 pages: about 50 s for one crawler, 30 s for two, 110 s in all
PER_PAGE = 20
DELAY_MS = (150, 300)  # every answer of the site, by page
PER_SITE = 2  # requests at a time to the site, per crawler
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"  # scripts/services.sh; $TONGXIN_TEST_REDIS overrides
GOAL_SPEEDUP = 1.8
FETCHED = re.compile(r"\): (\d+) pages fetched")  # the summary line of `tongxin crawl`
SETTINGS = {"CONCURRENT_REQUESTS_PER_DOMAIN": str(PER_SITE), "CONCURRENT_REQUESTS": "8", "DOWNLOAD_DELAY": "0.1",
            "AUTOTHROTTLE_ENABLED": "True", "AUTOTHROTTLE_TARGET_CONCURRENCY": str(PER_SITE),
            "AUTOTHROTTLE_START_DELAY": "0.25", "LOG_LEVEL": "WARNING", "TONGXIN_NOW": "2026-11-27T12:00:00"}
# The control: one crawler allowed what two crawlers with SETTINGS take together.
CONTROL_SETTINGS = SETTINGS | {"CONCURRENT_REQUESTS_PER_DOMAIN": str(2 * PER_SITE),
                               "AUTOTHROTTLE_TARGET_CONCURRENCY": str(2 * PER_SITE), "DOWNLOAD_DELAY": "0.05"}


def page_delay(path: str) -> float:
    """Seconds the site waits before answering ``path``: fixed per page, even over :data:`DELAY_MS`."""
    low, high = DELAY_MS
    spread = int.from_bytes(hashlib.sha1(path.encode("utf-8")).digest()[:4], "big") % (high - low + 1)
    return (low + spread) / 1000


@dataclass
class SiteLog:
    """What the site saw: requests per path, the peak of requests open at once, the span served."""

    requests: Counter[str] = field(default_factory=Counter)
    open_now: int = 0
    peak_open: int = 0
    first: float | None = None
    last: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def arrived(self, path: str) -> None:
        with self.lock:
            self.requests[path] += 1
            self.open_now += 1
            self.peak_open = max(self.peak_open, self.open_now)
            if self.first is None:
                self.first = time.perf_counter()

    def answered(self) -> None:
        with self.lock:
            self.open_now -= 1
            self.last = time.perf_counter()


@contextmanager
def serve_slow_site(root: Path) -> Iterator[tuple[str, SiteLog]]:
    """Serve ``root`` like :func:`scrapers.localsite.serve_directory`, each answer after :func:`page_delay`.

    Yields the base URL (``http://127.0.0.1:PORT``) and the :class:`SiteLog` the server fills.
    """
    from scrapers.localsite import _Handler

    site = SiteLog()

    class SlowHandler(_Handler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            site.arrived(path)
            try:
                time.sleep(page_delay(path))
                super().do_GET()
            finally:
                site.answered()

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SlowHandler, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="slow site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _redis_url() -> str:
    return os.environ.get("TONGXIN_TEST_REDIS", REDIS_DEFAULT)


def _crawl_keys(redis_url: str, start: str) -> int:
    """Keys of the shared crawl of ``start`` in Redis (none before a run; none after a finished one)."""
    import redis

    from scrapers.distributed import namespace

    return len(list(redis.Redis.from_url(redis_url).scan_iter(f"{namespace('gov-letters', [start])}:*")))


def _stored(db: Path) -> list[str]:
    import sqlalchemy as sa

    from opinion.store.db import documents, open_store

    with open_store(db) as store, store.engine.connect() as conn:
        return list(conn.execute(sa.select(documents.c.url)).scalars().all())


def crawl(site_dir: Path, db: Path, workers: int, settings: dict[str, str] = SETTINGS) -> dict[str, Any]:
    """Crawl the board in ``site_dir`` with ``workers`` processes sharing one crawl, into the fresh store ``db``.

    Returns wall seconds, the site's span in seconds, its peak of open requests, its
    requests per path, the pages each crawler fetched (from its summary) and the URLs stored.

    Raises:
        RuntimeError: when a crawler fails, or the crawl's keys are in Redis before it starts.
    """
    from opinion.store.db import open_store

    redis_url = _redis_url()
    sets = [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    with serve_slow_site(site_dir) as (base, site):
        start = f"{base}/letters/list_1.html"
        if _crawl_keys(redis_url, start):
            raise RuntimeError(f"{redis_url}: the crawl of {start} has keys already; give a fresh Redis database "
                               "in TONGXIN_TEST_REDIS")
        with open_store(db):  # created here: two processes creating one SQLite store at once collide
            pass
        command = [sys.executable, "-m", "cli", "crawl", "gov-letters", start, "--db", str(db), "--redis", redis_url,
                   *sets]
        started = time.perf_counter()
        processes = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for _ in range(workers)]
        try:
            outputs = [p.communicate(timeout=600) for p in processes]
        finally:
            for p in processes:
                if p.poll() is None:
                    p.kill()
        seconds = time.perf_counter() - started
        failed = [(p.returncode, err[-500:]) for p, (_, err) in zip(processes, outputs, strict=True) if p.returncode]
        if failed:
            raise RuntimeError(f"tongxin crawl --redis failed with {workers} crawler(s): {failed}")
        left = _crawl_keys(redis_url, start)
        shares = [int(m.group(1)) if (m := FETCHED.search(out)) else -1 for out, _ in outputs]
        assert site.first is not None and site.last is not None
        return {"base": base, "seconds": seconds, "site_seconds": site.last - site.first,
                "start_up_seconds": site.first - started, "peak_open": site.peak_open,
                "requests": dict(site.requests), "shares": shares, "stored": _stored(db), "keys_left": left}


def _summary(run: dict[str, Any], letters: int, pages: int) -> dict[str, object]:
    requests: dict[str, int] = run["requests"]
    stored: list[str] = run["stored"]
    expected = [f"{run['base']}/letters/detail_{n:05d}.html" for n in range(1, letters + 1)]
    return {
        "pages_per_s": round(pages / run["seconds"], 2),
        "pages_per_s_site_span": round(pages / run["site_seconds"], 2),
        "seconds": round(run["seconds"], 1),
        "seconds_to_first_request": round(run["start_up_seconds"], 1),
        "peak_requests_open_at_site": run["peak_open"],
        "pages_fetched": sum(n for path, n in requests.items() if path != "/robots.txt"),
        "pages_fetched_by_each_crawler": run["shares"],
        "pages_fetched_twice_or_more": sum(1 for path, n in requests.items() if path != "/robots.txt" and n > 1),
        "documents_stored": len(stored),
        "every_letter_stored_once": sorted(stored) == expected,
        "redis_keys_left": run["keys_left"],
    }


def run(letters: int = LETTERS, per_page: int = PER_PAGE, control: bool = True) -> dict[str, object]:
    """One crawler, two crawlers, and (``control``) one crawler allowed what the two take together.

    Raises:
        TongxinError: when no Redis answers at ``$TONGXIN_TEST_REDIS`` (default :data:`REDIS_DEFAULT`).
    """
    from scrapers.distributed import check_redis
    from tests.sites.sitegen import write_letter_board

    check_redis(_redis_url())

    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmpdir:
        tmp = Path(tmpdir)
        write_letter_board(tmp / "site", letters, per_page=per_page)
        pages = letters + -(-letters // per_page)
        one = crawl(tmp / "site", tmp / "one.db", workers=1)
        two = crawl(tmp / "site", tmp / "two.db", workers=2)
        wider = crawl(tmp / "site", tmp / "wider.db", workers=1, settings=CONTROL_SETTINGS) if control else None
    result: dict[str, object] = {
        "site_pages": pages,
        "letters": letters,
        "site_delay_ms": list(DELAY_MS),
        "settings_per_crawler": SETTINGS | {"ROBOTSTXT_OBEY": "True"},
        "one_crawler": _summary(one, letters, pages),
        "two_crawlers": _summary(two, letters, pages),
        "speedup_two_over_one": round(one["seconds"] / two["seconds"], 2),
        "speedup_two_over_one_site_span": round(one["site_seconds"] / two["site_seconds"], 2),
        "goal_speedup": GOAL_SPEEDUP,
    }
    if wider is not None:
        result["control_settings"] = CONTROL_SETTINGS | {"ROBOTSTXT_OBEY": "True"}
        result["control_one_crawler_twice_the_allowance"] = _summary(wider, letters, pages)
        result["speedup_two_over_control"] = round(wider["seconds"] / two["seconds"], 2)
    return result

