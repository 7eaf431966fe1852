"""A shared crawl (``tongxin crawl --redis``): one crawler process against two, on several slow sites.

Politeness holds for the crawl as a whole (:mod:`scrapers.sharedpace`): however many
crawlers share a crawl, each site gets at most ``CONCURRENT_REQUESTS_PER_DOMAIN``
requests at once from all of them, started at least the delay apart. A second crawler
therefore cannot make one site answer faster; it pays where a crawl spans many sites,
each limited politely, and one crawler is held back by its own total concurrency
(``CONCURRENT_REQUESTS``, set low as on a modest machine) or its CPU.

The main runs: :data:`SITES` generated letter boards (``tests.sites.sitegen``,
:data:`LETTERS_PER_SITE` letters each on list pages of :data:`PER_PAGE`), each served by
its own threaded server on its own loopback address (127.0.0.2, 127.0.0.3, ...: Linux
routes all of 127.0.0.0/8 to the loopback interface), so that Scrapy and the shared
pacing, which go by host name, take them for separate sites. Every server answers each
page after 150-300 ms (the same delay for the same page in every run, spread evenly
over that range), as a distant or overloaded county server does. One ``tongxin crawl
gov-letters URL1 ... URL6 --redis redis://...`` crawls all the boards, then two such
processes started together share the crawl. Each crawler is set as a user sets a polite
crawl on a modest machine: robots.txt obeyed; per site 2 requests at a time
(the shipped ``CONCURRENT_REQUESTS_PER_DOMAIN``) and at least 0.1 s between requests,
AutoThrottle on and aiming at those 2 (starting at 0.25 s); and at most 4 requests at a
time in all (``CONCURRENT_REQUESTS``), fewer than the 6 x 2 the sites would take.

The single-site check: one crawler, then two, on one board. Their speed-up is near 1,
the correct result: the site's limits hold for both crawlers together.

Each run gets a fresh SQLite store (created before the crawlers start: two processes
creating one store at once collide) and a fresh crawl in Redis: new server ports make a
new namespace (:func:`scrapers.distributed.namespace`), checked empty before the run.

Reported per run: pages per second (over the sites' pages; wall time from starting the
processes to the last one's exit, start-up included, and the sites' own span from the
first request to the last answer), the peak of requests open at each site at once, the
smallest gap between two connections to a site (robots.txt included) and how many gaps
were shorter than the delay, the pages each crawler fetched, how many pages were fetched
more than once, whether the store holds each letter once and whether the crawl left keys
in Redis; and the speed-up of two crawlers over one (goal for several sites: at least 1.8).
The shared pacing spaces the start times it hands out by the delay; a request leaves
after its start time, later when its crawler's reactor is busy (parsing, storing), so
the gaps the site sees can be somewhat shorter.
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
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SITES = 6
LETTERS_PER_SITE = 120  # + 6 list pages: 756 pages on 6 sites; about 50 s for one crawler, 30 s for two
PER_PAGE = 20
SINGLE_SITE_LETTERS = 40  # the single-site check: 42 pages
DELAY_MS = (150, 300)  # every answer of every site, by page
PER_SITE = 2  # requests at a time to one site, all crawlers together
PER_CRAWLER = 4  # requests at a time from one crawler, all sites together
SITE_DELAY = 0.1  # seconds at least between requests to one site, all crawlers together
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"  # scripts/services.sh; $TONGXIN_TEST_REDIS overrides
GOAL_SPEEDUP = 1.8
FETCHED = re.compile(r"\): (\d+) pages fetched")  # the summary line of `tongxin crawl`
SETTINGS = {"CONCURRENT_REQUESTS_PER_DOMAIN": str(PER_SITE), "CONCURRENT_REQUESTS": str(PER_CRAWLER),
            "DOWNLOAD_DELAY": str(SITE_DELAY), "AUTOTHROTTLE_ENABLED": "True",
            "AUTOTHROTTLE_TARGET_CONCURRENCY": str(PER_SITE), "AUTOTHROTTLE_START_DELAY": "0.25",
            "LOG_LEVEL": "WARNING", "TONGXIN_NOW": "2026-11-27T12:00:00"}


def page_delay(path: str) -> float:
    """Seconds a site waits before answering ``path``: fixed per page, even over :data:`DELAY_MS`."""
    low, high = DELAY_MS
    spread = int.from_bytes(hashlib.sha1(path.encode("utf-8")).digest()[:4], "big") % (high - low + 1)
    return (low + spread) / 1000


def site_host(number: int) -> str:
    """The loopback address of site ``number`` (0, 1, ...): 127.0.0.2, 127.0.0.3, ..."""
    return f"127.0.0.{number + 2}"


@dataclass
class SiteLog:
    """What one site saw: when each connection arrived, requests per path, the peak of requests open at once."""

    arrivals: list[float] = field(default_factory=list)  # perf_counter seconds when accepted, robots.txt included
    requests: Counter[str] = field(default_factory=Counter)
    open_now: int = 0
    peak_open: int = 0
    last: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def connected(self) -> None:
        with self.lock:
            self.arrivals.append(time.perf_counter())

    def arrived(self, path: str) -> None:
        with self.lock:
            self.requests[path] += 1
            self.open_now += 1
            self.peak_open = max(self.peak_open, self.open_now)

    def answered(self) -> None:
        with self.lock:
            self.open_now -= 1
            self.last = time.perf_counter()

    def gaps(self) -> list[float]:
        """Seconds between consecutive connections, whichever crawler made them."""
        times = sorted(self.arrivals)
        return [b - a for a, b in zip(times, times[1:], strict=False)]

    def smallest_gap(self) -> float | None:
        """Seconds between the two closest connections (None: fewer than two)."""
        return min(self.gaps(), default=None)


@contextmanager
def serve_slow_site(root: Path, host: str = "127.0.0.1") -> Iterator[tuple[str, SiteLog]]:
    """Serve ``root`` on ``host`` like :func:`scrapers.localsite.serve_directory`, each answer after :func:`page_delay`.

    Yields the base URL (``http://HOST:PORT``) and the :class:`SiteLog` the server fills:
    arrival times when a connection is accepted (before a thread is started for it, whose
    start the machine's load delays), open requests from the request line to the answer.
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

    class SlowServer(ThreadingHTTPServer):
        daemon_threads = True

        def process_request(self, request: Any, client_address: Any) -> None:
            site.connected()
            super().process_request(request, client_address)

    server = SlowServer((host, 0), partial(SlowHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name=f"slow site {host}", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}", site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _redis_url() -> str:
    return os.environ.get("TONGXIN_TEST_REDIS", REDIS_DEFAULT)


def _crawl_keys(redis_url: str, starts: list[str]) -> int:
    """Keys of the shared crawl from ``starts`` in Redis (none before a run; none after a finished one)."""
    import redis

    from scrapers.distributed import namespace

    return len(list(redis.Redis.from_url(redis_url).scan_iter(f"{namespace('gov-letters', starts)}:*")))


def _stored(db: Path) -> list[str]:
    import sqlalchemy as sa

    from opinion.store.db import documents, open_store

    with open_store(db) as store, store.engine.connect() as conn:
        return list(conn.execute(sa.select(documents.c.url)).scalars().all())


def crawl(site_dirs: list[Path], db: Path, workers: int, settings: dict[str, str] = SETTINGS) -> dict[str, Any]:
    """Crawl the boards in ``site_dirs`` (one site each) with ``workers`` processes sharing one crawl into ``db``.

    Site ``i`` is served on :func:`site_host` ``(i)``; one ``tongxin crawl`` invocation
    takes every site's first list page. Returns the base URL of each site, wall seconds,
    the sites' span in seconds, each site's :class:`SiteLog`, the pages each crawler
    fetched (from its summary), the URLs stored and the crawl's keys left in Redis.

    Raises:
        RuntimeError: when a crawler fails, or the crawl's keys are in Redis before it starts.
    """
    redis_url = _redis_url()
    sets = [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    with ExitStack() as stack:
        served = [stack.enter_context(serve_slow_site(d, site_host(i))) for i, d in enumerate(site_dirs)]
        starts = [f"{base}/letters/list_1.html" for base, _ in served]
        if _crawl_keys(redis_url, starts):
            raise RuntimeError(f"{redis_url}: the crawl of {starts[0]} ... has keys already; give a fresh Redis "
                               "database in TONGXIN_TEST_REDIS")
        command = [sys.executable, "-m", "cli", "crawl", "gov-letters", *starts, "--db", str(db),
                   "--redis", redis_url, *sets]
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
    sites = [site for _, site in served]
    first = min(t for site in sites for t in site.arrivals)
    last = max(site.last for site in sites if site.last is not None)
    return {"bases": [base for base, _ in served], "seconds": seconds, "site_seconds": last - first,
            "start_up_seconds": first - started, "sites": sites,
            "shares": [int(m.group(1)) if (m := FETCHED.search(out)) else -1 for out, _ in outputs],
            "stored": _stored(db), "keys_left": _crawl_keys(redis_url, starts)}


def _summary(run: dict[str, Any], letters: int, pages: int) -> dict[str, object]:
    """The figures of one run; ``letters`` per site, ``pages`` in all."""
    sites: list[SiteLog] = run["sites"]
    requests = Counter[str]()
    for base, site in zip(run["bases"], sites, strict=True):
        requests.update({f"{base}{path}": n for path, n in site.requests.items() if path != "/robots.txt"})
    stored: list[str] = run["stored"]
    expected = sorted(f"{base}/letters/detail_{n:05d}.html" for base in run["bases"] for n in range(1, letters + 1))
    gaps = [gap for site in sites for gap in site.gaps()]
    return {
        "pages_per_s": round(pages / run["seconds"], 2),
        "pages_per_s_site_span": round(pages / run["site_seconds"], 2),
        "seconds": round(run["seconds"], 1),
        "seconds_to_first_request": round(run["start_up_seconds"], 1),
        "peak_requests_open_at_each_site": [site.peak_open for site in sites],
        "smallest_gap_between_requests_to_a_site_s": round(min(gaps), 3),
        "gaps_shorter_than_the_delay": sum(1 for gap in gaps if gap < SITE_DELAY),
        "pages_fetched": sum(requests.values()),
        "pages_fetched_by_each_crawler": run["shares"],
        "pages_fetched_twice_or_more": sum(1 for n in requests.values() if n > 1),
        "documents_stored": len(stored),
        "every_letter_stored_once": sorted(stored) == expected,
        "redis_keys_left": run["keys_left"],
    }


def _one_and_two(site_dirs: list[Path], tmp: Path, name: str, letters: int, pages: int) -> dict[str, object]:
    one = crawl(site_dirs, tmp / f"{name}-one.db", workers=1)
    two = crawl(site_dirs, tmp / f"{name}-two.db", workers=2)
    return {"one_crawler": _summary(one, letters, pages), "two_crawlers": _summary(two, letters, pages),
            "speedup_two_over_one": round(one["seconds"] / two["seconds"], 2),
            "speedup_two_over_one_site_span": round(one["site_seconds"] / two["site_seconds"], 2)}


def run(sites: int = SITES, letters_per_site: int = LETTERS_PER_SITE, per_page: int = PER_PAGE,
        single_site_letters: int = SINGLE_SITE_LETTERS) -> dict[str, object]:
    """One crawler and two on ``sites`` boards, then (unless ``single_site_letters`` is 0) on one board.

    Raises:
        TongxinError: when no Redis answers at ``$TONGXIN_TEST_REDIS`` (default :data:`REDIS_DEFAULT`).
    """
    from scrapers.distributed import check_redis
    from tests.sites.sitegen import write_letter_board

    check_redis(_redis_url())
    pages = sites * (letters_per_site + -(-letters_per_site // per_page))
    result: dict[str, object] = {
        "sites": sites, "letters_per_site": letters_per_site, "site_pages": pages,
        "site_delay_ms": list(DELAY_MS), "settings_per_crawler": SETTINGS | {"ROBOTSTXT_OBEY": "True"},
        "goal_speedup": GOAL_SPEEDUP,
    }
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmpdir:
        tmp = Path(tmpdir)
        dirs = [tmp / f"site{i}" for i in range(sites)]
        for folder in dirs:
            write_letter_board(folder, letters_per_site, per_page=per_page)
        result |= _one_and_two(dirs, tmp, "sites", letters_per_site, pages)
        if single_site_letters:
            single = tmp / "single"
            write_letter_board(single, single_site_letters, per_page=per_page)
            single_pages = single_site_letters + -(-single_site_letters // per_page)
            result["single_site"] = {"letters": single_site_letters, "site_pages": single_pages,
                                     **_one_and_two([single], tmp, "single", single_site_letters, single_pages)}
    return result
