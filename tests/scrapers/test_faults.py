"""A crawl of the fault site: every fault ends in a stored document or a counted, named error."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from opinion.store.db import open_store
from scrapers.pipelines import run_record
from tests.helpers import REPO
from tests.sites.faultsite import EXPECTED, serve_faults

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "TONGXIN_NOW=2026-11-27T12:00:00",
        "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=1", "-s", "TONGXIN_RETRY_BACKOFF=0.1", "-s", "DEPTH_LIMIT=6"]


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("faults") / "t.db"
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    with serve_faults() as site:
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "cli", "crawl", "gov-letters", site.base + "/list.html",
                                 "--db", str(db), *FAST], cwd=REPO, env=env, capture_output=True, text=True,
                                timeout=90)
        elapsed = time.monotonic() - started
        hits = dict(site.hits)
    with open_store(db) as store, store.engine.connect() as conn:
        docs = {r.url.split("/", 3)[3]: r for r in conn.execute(sa.text("select * from documents"))}
        record = run_record(store, 1)
    return {"result": result, "elapsed": elapsed, "hits": hits, "docs": docs, "record": record, "base": site.base}


@pytest.mark.slow
def test_fault_crawl_finishes_without_crash_or_hang(fault_crawl: dict) -> None:
    result = fault_crawl["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert fault_crawl["elapsed"] < 60


@pytest.mark.slow
def test_each_fault_is_stored_or_counted_by_name(fault_crawl: dict) -> None:
    docs = fault_crawl["docs"]
    errors = fault_crawl["record"]["stats"]["errors"]
    stored = sorted("/" + url for url in docs)
    assert stored == sorted(path for path, outcome in EXPECTED.items() if outcome == "stored")
    expected_errors: dict[str, int] = {}
    for outcome in EXPECTED.values():
        if outcome != "stored":
            expected_errors[outcome] = expected_errors.get(outcome, 0) + 1
    assert {k: v for k, v in errors.items() if not k.startswith("limit:")} == expected_errors
    assert errors.get("limit:depth", 0) >= 1  # the endless calendar was cut, and said so


@pytest.mark.slow
def test_faulty_pages_that_recover_are_stored_right(fault_crawl: dict) -> None:
    docs = fault_crawl["docs"]
    assert docs["d/gbk-as-utf8.html"].text == "自来水经常停，水压也低。"
    assert docs["d/gbk-as-utf8.html"].title == "供水不稳定"
    assert docs["d/malformed.html"].title == "排水沟堵塞"
    assert docs["d/malformed.html"].text == "下雨就积水，请清理排水沟。"
    assert docs["d/retry500.html"].text == "小区路灯坏了一个月。"
    # the same letter under a URL with tracking and session parameters is one document
    assert [u for u in docs if u.startswith("d/same.html")] == ["d/same.html?id=7"]


@pytest.mark.slow
def test_retry_after_is_honoured_and_recorded(fault_crawl: dict) -> None:
    first, second = fault_crawl["hits"]["/d/retry429.html"][:2]
    assert second - first >= 0.95  # Retry-After: 1
    record = fault_crawl["record"]
    assert record["stats"]["retries"] >= 2
    assert record["stats"]["blocked"] == {"127.0.0.1": 2}
    assert record["settings"]["robots_ignored"] is False
    assert "blocked: 127.0.0.1 2" in fault_crawl["result"].stdout


@pytest.mark.slow
def test_hanging_page_was_asked_for_at_most_retry_times_plus_one(fault_crawl: dict) -> None:
    assert len(fault_crawl["hits"]["/d/hang.html"]) == 2
    assert len(fault_crawl["hits"]["/d/huge.html"]) <= 2
