"""A crawl shared through Redis: seeding, page de-duplication, in-flight pages, kills."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from scrapy.utils.test import get_crawler

from cli.main import main
from opinion.store.db import documents, open_store
from scrapers.distributed import DistributedScheduler, crawl_status, namespace, page_fingerprint
from scrapers.localsite import serve_directory
from scrapers.spiders import GovLettersSpider
from tests.helpers import REPO
from tests.sites.sitegen import write_letter_board


def scheduler_for(redis_url: str, start: str) -> tuple[DistributedScheduler, Any]:
    crawler = get_crawler(GovLettersSpider, {"TONGXIN_REDIS_URL": redis_url})
    spider = crawler._create_spider(profile="gov-letters", urls=[start])
    scheduler = DistributedScheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler, spider


@pytest.fixture()
def start_url() -> str:
    return f"http://board-{uuid.uuid4().hex[:8]}.example/letters/list_1.html"  # a namespace of its own


def test_each_page_is_queued_once_across_crawlers_retries_excepted(redis_url: str, start_url: str) -> None:
    first, spider = scheduler_for(redis_url, start_url)
    second, _ = scheduler_for(redis_url, start_url)
    try:
        start = spider.page_request(start_url, dont_filter=True)
        assert first.enqueue_request(start)
        assert not second.enqueue_request(start)  # the second crawler's start request: seeded already
        page = spider.page_request(start_url.replace("list_1", "detail_1"))
        assert second.enqueue_request(page) and not first.enqueue_request(page.copy())
        taken = first.next_request()
        assert taken is not None and taken.url == start_url  # the start page was queued first: equal priority, FIFO
        retry = taken.replace(meta={**taken.meta, "retry_times": 1})
        assert second.enqueue_request(retry)  # a retry is the same page again, not a new one
        status = crawl_status(redis_url, "gov-letters", [start_url])
        assert (status.queued, status.seen) == (2, 2)
        assert status.workers == {first.worker: 1, second.worker: 0}
    finally:
        first.close("finished")
        second.close("finished")


def test_a_settled_page_leaves_flight_and_a_retry_takes_over_its_entry(redis_url: str, start_url: str) -> None:
    scheduler, spider = scheduler_for(redis_url, start_url)
    try:
        scheduler.enqueue_request(spider.page_request(start_url, dont_filter=True))
        taken = scheduler.next_request()
        assert taken is not None
        assert crawl_status(redis_url, "gov-letters", [start_url]).workers[scheduler.worker] == 1
        scheduler.enqueue_request(taken.replace(meta={**taken.meta, "retry_times": 1}))
        again = scheduler.next_request()
        assert again is not None and again.meta["retry_times"] == 1
        assert crawl_status(redis_url, "gov-letters", [start_url]).workers[scheduler.worker] == 1
        scheduler.settled(again)
        assert crawl_status(redis_url, "gov-letters", [start_url]).workers[scheduler.worker] == 0
    finally:
        scheduler.close("finished")


def test_the_pages_of_several_sites_leave_the_queue_in_turn(redis_url: str, start_url: str) -> None:
    import redis

    scheduler, spider = scheduler_for(redis_url, start_url)
    folders = [start_url.rsplit("/", 1)[0], "http://other-board.example/letters"]
    try:
        for folder in folders:  # one site's pages, then the other's, as two list pages give them
            for n in range(1, 4):
                assert scheduler.enqueue_request(spider.page_request(f"{folder}/detail_{n}.html"))
        taken = []
        while (request := scheduler.next_request()) is not None:
            taken.append(request.url)
        # Each site's pages in the order queued, the sites in turn: a crawler is not left
        # waiting on one site's politeness with work for the other queued.
        assert [set(taken[i:i + 2]) for i in range(0, 6, 2)] == [
            {f"{folder}/detail_{n}.html" for folder in folders} for n in range(1, 4)]
    finally:
        scheduler.close("finished")
    assert not redis.Redis.from_url(redis_url).keys(f"{namespace('gov-letters', [start_url])}:*")


def test_pages_in_flight_of_a_stopped_crawler_are_put_back(redis_url: str, start_url: str) -> None:
    import redis

    killed, spider = scheduler_for(redis_url, start_url)
    survivor, _ = scheduler_for(redis_url, start_url)
    try:
        killed.enqueue_request(spider.page_request(start_url, dont_filter=True))
        assert killed.next_request() is not None
        killed.heartbeat.stop()
        server = redis.Redis.from_url(redis_url)
        server.delete(f"{namespace('gov-letters', [start_url])}:alive:{killed.worker}")  # as if killed long ago
        assert survivor.has_pending_requests()  # the killed crawler's page may still bring links
        assert survivor.next_request() is None  # the queue was empty: the page is put back now
        status = crawl_status(redis_url, "gov-letters", [start_url])
        assert status.queued == 1 and killed.worker not in status.workers and not status.dead
        recovered = survivor.next_request()
        assert recovered is not None and recovered.url == start_url
        assert page_fingerprint(recovered) == page_fingerprint(spider.page_request(start_url, dont_filter=True))
    finally:
        survivor.close("finished")


def test_status_needs_redis_and_an_unreachable_one_is_named() -> None:
    result = CliRunner().invoke(main, ["crawl", "gov-letters", "http://x.cn/list.html", "--status"])
    assert result.exit_code == 1
    assert result.output == ("Error: --status shows a crawl shared through Redis: give --redis "
                             "redis://HOST:PORT/DB\n")
    result = CliRunner().invoke(main, ["crawl", "gov-letters", "http://x.cn/list.html", "--redis",
                                       "redis://127.0.0.1:9/0", "--status"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: redis://127.0.0.1:9/0: cannot reach Redis (")
    assert result.output.rstrip().endswith("start it (e.g. scripts/services.sh) or give --redis redis://HOST:PORT/DB")


@pytest.fixture()
def board(tmp_path: Path) -> Iterator[tuple[str, int]]:
    letters = 120
    first = write_letter_board(tmp_path / "site", letters, per_page=10)
    with serve_directory(tmp_path / "site", delay=0.03) as base:
        yield f"{base}/{first}", letters


def _crawler(start: str, db: str, redis_url: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "crawl", "gov-letters", start, "--db", db, "--redis", redis_url,
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
         "-s", "TONGXIN_NOW=2026-11-27T12:00:00"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_crawlers_one_killed_half_way_store_every_page_once(board: tuple[str, int], redis_url: str,
                                                                pg_schema_url: str) -> None:
    start, letters = board
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    killed = _crawler(start, pg_schema_url, redis_url, env)
    survivor = _crawler(start, pg_schema_url, redis_url, env)
    engine = sa.create_engine(pg_schema_url)
    try:
        deadline = time.monotonic() + 60
        stored, in_flight = 0, 0
        # Kill once a third of the letters is stored, at a moment the crawler has pages in flight.
        while (stored < letters // 3 or not in_flight) and time.monotonic() < deadline:
            time.sleep(0.05)
            try:
                with engine.connect() as conn:
                    stored = conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one()
            except sa.exc.ProgrammingError:  # the tables are not there yet
                stored = 0
            workers = crawl_status(redis_url, "gov-letters", [start]).workers
            in_flight = sum(n for worker, n in workers.items() if f"-{killed.pid}-" in worker)
        assert stored >= letters // 3 and in_flight, "the crawl did not get going"
        assert stored < letters, "the crawl ended before the kill: make the site slower"
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=30)
        out, err = survivor.communicate(timeout=240)
    finally:
        engine.dispose()
        for process in (killed, survivor):
            if process.poll() is None:
                process.kill()
    assert survivor.returncode == 0, err
    assert "put back in the queue" in err  # the killed crawler's pages in flight
    with open_store(pg_schema_url) as store, store.engine.connect() as conn:
        urls = conn.execute(sa.select(documents.c.url)).scalars().all()
    assert sorted(urls) == sorted(f"{start.rsplit('/', 1)[0]}/detail_{n:05d}.html" for n in range(1, letters + 1))
    assert crawl_status(redis_url, "gov-letters", [start]).queued == 0
