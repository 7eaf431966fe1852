"""Crawl throughput: ``tongxin crawl`` against a bare Scrapy spider on the same local site.

A generated letter board of about 2,000 pages (``scrapers.sitegen``) is served on
127.0.0.1 and crawled twice in the same run, each in its own process (Twisted's
reactor runs once per process): by ``tongxin crawl gov-letters`` (charset check,
anti-bot check, ledger, cleaning, masking, pseudonyms, store) and by a bare Scrapy
spider that extracts the same fields and stores nothing. Both get the same Scrapy
settings (no delay, no AutoThrottle, 8 requests per domain, robots.txt obeyed).
Reported: pages per second of each (wall time of the process, start-up included),
their ratio (goal: tongxin at least 0.7 of bare Scrapy), and the store's items per
second (documents written per second of the tongxin crawl, and in a store-only loop).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LETTERS = 1900  # + 95 list pages = 1,995 pages
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
    """Documents per second through the store alone, one transaction per document as the crawl does."""
    from opinion.store import open_store, upsert_document
    from scrapers.pipelines import content_hash
    from scrapers.sitegen import letter_fields

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


def run() -> dict[str, object]:
    from opinion.store import documents, open_store
    from scrapers.localsite import serve_directory
    from scrapers.sitegen import write_letter_board

    import sqlalchemy as sa

    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmpdir:
        tmp = Path(tmpdir)
        start = write_letter_board(tmp / "site", LETTERS, per_page=20)
        pages = LETTERS + -(-LETTERS // 20)
        db = tmp / "t.db"
        with serve_directory(tmp / "site") as base:
            url = f"{base}/{start}"
            sets = [x for k, v in SETTINGS.items() for x in ("-s", f"{k}={v}")]
            started = time.perf_counter()
            bare = subprocess.run([sys.executable, "-c", BARE_SPIDER, url, *(f"{k}={v}" for k, v in SETTINGS.items())],
                                  cwd=REPO, env=_env(), capture_output=True, text=True, timeout=600)
            bare_s = time.perf_counter() - started
            started = time.perf_counter()
            ours = subprocess.run([sys.executable, "-m", "cli", "crawl", "gov-letters", url, "--db", str(db), *sets],
                                  cwd=REPO, env=_env(), capture_output=True, text=True, timeout=600)
            ours_s = time.perf_counter() - started
        if bare.returncode != 0 or ours.returncode != 0:
            raise RuntimeError(f"crawl failed: bare {bare.returncode} {bare.stderr[-500:]} / "
                               f"tongxin {ours.returncode} {ours.stderr[-500:]}")
        bare_pages, bare_items = (int(x) for x in bare.stdout.split()[-2:])
        with open_store(db) as store, store.engine.connect() as conn:
            stored = int(conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one())
        store_only = _store_only(tmp, 2000)
    bare_rate = bare_pages / bare_s
    ours_rate = pages / ours_s
    return {
        "site_pages": pages,
        "bare_scrapy_pages": bare_pages,
        "bare_scrapy_items": bare_items,
        "bare_scrapy_seconds": round(bare_s, 2),
        "bare_scrapy_pages_per_s": round(bare_rate, 1),
        "tongxin_documents_stored": stored,
        "tongxin_seconds": round(ours_s, 2),
        "tongxin_pages_per_s": round(ours_rate, 1),
        "ratio_tongxin_to_bare": round(ours_rate / bare_rate, 3),
        "goal_ratio": 0.7,
        "store_items_per_s_during_crawl": round(stored / ours_s, 1),
        "store_items_per_s_store_only": round(store_only, 1),
    }
