"""Crawl throughput: ``tongxin crawl`` against a bare Scrapy spider on the same local site.

A generated letter board of about 2,000 pages (``tests.sites.sitegen``) is served on
127.0.0.1 and crawled by ``tongxin crawl gov-letters`` (the generic reader of
``scrapers.generic`` finding the list, the next page and the labelled fields, as the
built-in profile gives no selectors; charset check, anti-bot check, ledger, cleaning,
masking, pseudonyms, store) and by a bare Scrapy spider with fixed selectors that
extracts the same fields and stores nothing, each crawl in its own process
(Twisted's reactor runs once per process). Both get the same Scrapy settings (no
delay, no AutoThrottle, 8 requests per domain, robots.txt obeyed).

The machine is shared and noisy, so the pair runs ``PAIRS`` times, alternating
which side goes first, each tongxin run into a fresh store. Reported: pages per
second of every run (wall time of the process, start-up included, over the site's
pages for both sides), each pair's ratio and the median ratio (goal: tongxin at
least 0.7 of bare Scrapy), the CPU seconds of each crawl process (steadier than wall
time on a busy machine) and their median ratio, and the store's documents per second
(during the crawl, and in a store-only loop). The HTTP server runs in this process
and shares the two cores with the crawler, for both sides alike.
"""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LETTERS = 1900  # + 95 list pages = 1,995 pages
PAIRS = 5  # about 22 s each on 2 cores
SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
            "CONCURRENT_REQUESTS": "8", "ROBOTSTXT_OBEY": "True", "LOG_LEVEL": "WARNING",
            "TONGXIN_NOW": "2026-11-27T12:00:00"}

BARE_SPIDER = r'''
import sys
import scrapy
from scrapy.crawler import CrawlerProcess

LABELS = {"标题": "title", "来信人": "author", "来信时间": "posted", "所在地": "place", "类型": "category",
          "内容": "text", "回复单位": "reply_unit", "回复时间": "replied", "回复内容": "reply_text"}


class Bare(scrapy.Spider):
    name = "bare"

    async def start(self):
        yield scrapy.Request(sys.argv[1])

    def parse(self, response):
        rows = response.css("table.letter-detail tr")
        if rows:
            fields = {}
            for row in rows:
                label = LABELS.get(row.css("th::text").get("").strip())
                if label:
                    fields[label] = " ".join(row.css("td ::text").getall()).strip()
            yield {"url": response.url, **fields}
            return
        for href in response.css("ul.letter-list li a::attr(href)").getall():
            yield response.follow(href)
        nxt = response.css("a.next::attr(href)").get()
        if nxt:
            yield response.follow(nxt)


settings = dict(arg.split("=", 1) for arg in sys.argv[2:])
process = CrawlerProcess(settings)
crawler = process.create_crawler(Bare)
process.crawl(crawler)
process.start()
print(crawler.stats.get_value("response_received_count", 0), crawler.stats.get_value("item_scraped_count", 0))
'''


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}


def _store_only(tmp: Path, count: int) -> float:
    """Documents per second through the store alone, one transaction per document.

    The crawl's slowest case: it commits one document at a time when they arrive one at
    a time, and several together when they queue while a commit runs.
    """
    from opinion.store.db import open_store, upsert_document
    from scrapers.pipelines import content_hash
    from tests.sites.sitegen import letter_fields

    with open_store(tmp / "store-only.db") as store:
        started = time.perf_counter()
        for n in range(1, count + 1):
            f = letter_fields(n)
            doc = {"url": f"http://127.0.0.1/letters/detail_{n:05d}.html", "source": "gov-letters", "kind": "letter",
                   "title": f["title"], "text": f["text"], "reply_text": f["reply_text"], "posted_at": f["posted"],
                   "fetched_at": "2026-11-27T12:00:00+08:00", "attributes": {},
                   "content_hash": content_hash(f["title"], f["text"])}
            with store.engine.begin() as conn:
                upsert_document(conn, doc)
        return count / (time.perf_counter() - started)


def _cpu_seconds() -> float:
    """CPU time (user + system) of the finished child processes so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _crawl_bare(url: str) -> tuple[float, float, int, int]:
    """Seconds, CPU seconds, responses received (robots.txt included) and items of one bare Scrapy crawl."""
    cpu = _cpu_seconds()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", BARE_SPIDER, url, *(f"{k}={v}" for k, v in SETTINGS.items())],
                          cwd=REPO, env=_env(), capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"bare Scrapy crawl failed ({done.returncode}): {done.stderr[-500:]}")
    responses, items = (int(x) for x in done.stdout.split()[-2:])
    return seconds, cpu, responses, items


def _crawl_tongxin(url: str, db: Path) -> tuple[float, float, int]:
    """Seconds and CPU seconds of one ``tongxin crawl`` into the fresh store ``db``, and the documents it holds."""
    import sqlalchemy as sa

    from opinion.store.db import documents, open_store

    sets = [x for k, v in SETTINGS.items() for x in ("-s", f"{k}={v}")]
    cpu = _cpu_seconds()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cli", "crawl", "gov-letters", url, "--db", str(db), *sets],
                          cwd=REPO, env=_env(), capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"tongxin crawl failed ({done.returncode}): {done.stderr[-500:]}")
    with open_store(db) as store, store.engine.connect() as conn:
        stored = int(conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one())
    return seconds, cpu, stored


def run() -> dict[str, object]:
    from scrapers.localsite import serve_directory
    from tests.sites.sitegen import write_letter_board

    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmpdir:
        tmp = Path(tmpdir)
        start = write_letter_board(tmp / "site", LETTERS, per_page=20)
        pages = LETTERS + -(-LETTERS // 20)
        bare_rates: list[float] = []
        ours_rates: list[float] = []
        ratios: list[float] = []
        bare_cpus: list[float] = []  # CPU seconds of each crawl process: less noisy than wall time
        ours_cpus: list[float] = []
        stored_runs: list[int] = []
        bare_items_runs: list[int] = []
        with serve_directory(tmp / "site") as base:
            url = f"{base}/{start}"
            for n in range(PAIRS):
                db = tmp / f"t{n}.db"
                if n % 2 == 0:  # alternate which side goes first, so a drift of the machine hits both
                    bare_s, bare_cpu, responses, bare_items = _crawl_bare(url)
                    ours_s, ours_cpu, stored = _crawl_tongxin(url, db)
                else:
                    ours_s, ours_cpu, stored = _crawl_tongxin(url, db)
                    bare_s, bare_cpu, responses, bare_items = _crawl_bare(url)
                if responses < pages + 1 or bare_items != LETTERS or stored != LETTERS:
                    raise RuntimeError(f"incomplete crawl: bare {responses} responses (robots.txt included) and "
                                       f"{bare_items} items, tongxin {stored} documents; expected {pages} pages, "
                                       f"{LETTERS} letters")
                bare_rates.append(pages / bare_s)
                ours_rates.append(pages / ours_s)
                ratios.append(ours_rates[-1] / bare_rates[-1])
                bare_cpus.append(bare_cpu)
                ours_cpus.append(ours_cpu)
                stored_runs.append(stored)
                bare_items_runs.append(bare_items)
        store_only = _store_only(tmp, 2000)
    median_ours = statistics.median(ours_rates)
    return {
        "site_pages": pages,
        "pairs": PAIRS,
        "bare_scrapy_pages_per_s": [round(r, 1) for r in bare_rates],
        "tongxin_pages_per_s": [round(r, 1) for r in ours_rates],
        "ratio_per_pair": [round(r, 3) for r in ratios],
        "bare_scrapy_pages_per_s_median": round(statistics.median(bare_rates), 1),
        "tongxin_pages_per_s_median": round(median_ours, 1),
        "ratio_tongxin_to_bare_median": round(statistics.median(ratios), 3),
        "ratio_min": round(min(ratios), 3),
        "ratio_max": round(max(ratios), 3),
        "goal_ratio": 0.7,
        "bare_scrapy_cpu_s": [round(c, 2) for c in bare_cpus],
        "tongxin_cpu_s": [round(c, 2) for c in ours_cpus],
        "cpu_ratio_tongxin_to_bare_median": round(statistics.median(o / b for o, b in zip(ours_cpus, bare_cpus, strict=True)), 3),
        "bare_scrapy_items_per_run": bare_items_runs[0],
        "tongxin_documents_stored_per_run": stored_runs[0],
        "store_items_per_s_during_crawl_median": round(median_ours * LETTERS / pages, 1),
        "store_items_per_s_store_only": round(store_only, 1),
    }
