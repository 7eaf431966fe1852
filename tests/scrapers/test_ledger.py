"""The crawl ledger's batched writes: what is on disk at any instant, after a close, after a kill."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from scrapers.ledger import CrawlLedger
from tests.helpers import REPO


def on_disk(path: Path) -> tuple[set[str], set[str]]:
    """(requested, done) as another process would read them from the file now."""
    conn = sqlite3.connect(path)
    try:
        requested = {url for (url,) in conn.execute("SELECT url FROM requested")}
        done = {url for (url,) in conn.execute("SELECT url FROM done")}
    finally:
        conn.close()
    return requested, done


def links(*urls: str) -> list[tuple[str, dict[str, object]]]:
    return [(url, {"depth": 1}) for url in urls]


def test_start_urls_are_written_at_once_and_pages_wait_for_the_batch(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    ledger = CrawlLedger(path, fresh=True, flush_pages=3, flush_seconds=3600)
    ledger.record(None, links("list_1"))
    assert on_disk(path) == ({"list_1"}, set())
    ledger.record("list_1", links("a", "b", "list_2"))
    ledger.record("a", [])
    assert on_disk(path) == ({"list_1"}, set())  # two pages settled, batch of three not full
    assert ledger.done == {"list_1", "a"}  # known in memory: not requested twice by this crawl
    ledger.record("b", [])
    assert on_disk(path) == ({"list_1", "a", "b", "list_2"}, {"list_1", "a", "b"})
    ledger.close(remove=False)


def test_a_batch_is_written_once_its_time_is_up(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    ledger = CrawlLedger(path, fresh=True, flush_pages=1000, flush_seconds=0.05)
    ledger.record(None, links("list_1"))
    ledger.record("list_1", links("a"))
    ledger.flush_if_due()
    assert on_disk(path)[1] == set()
    time.sleep(0.06)
    ledger.flush_if_due()  # what the crawl's timer calls when no page settles for a while
    assert on_disk(path) == ({"list_1", "a"}, {"list_1"})
    ledger.record("a", [])
    assert on_disk(path)[1] == {"list_1"}
    time.sleep(0.06)
    ledger.record("b_elsewhere", [])  # a page settling after the interval writes the batch itself
    assert on_disk(path)[1] == {"list_1", "a", "b_elsewhere"}
    ledger.close(remove=False)


def test_default_writes_every_record(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    ledger = CrawlLedger(path, fresh=True)
    ledger.record(None, links("list_1"))
    ledger.record("list_1", links("a"))
    assert on_disk(path) == ({"list_1", "a"}, {"list_1"})
    ledger.close(remove=False)


def test_close_writes_the_pending_batch_and_a_reopened_ledger_resumes_from_it(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    ledger = CrawlLedger(path, fresh=True, flush_pages=1000, flush_seconds=3600)
    ledger.record(None, links("list_1"))
    ledger.record("list_1", links("a", "b", "list_2"))
    ledger.record("a", [])
    ledger.record("list_2", links("c"))
    assert on_disk(path)[1] == set()
    ledger.close(remove=False)
    assert on_disk(path) == ({"list_1", "a", "b", "list_2", "c"}, {"list_1", "a", "list_2"})
    again = CrawlLedger(path, fresh=False)
    assert [url for url, _ in again.frontier()] == ["b", "c"]
    assert dict(again.frontier())["b"] == {"depth": 1}
    again.close(remove=True)
    assert not path.exists()


def test_a_killed_process_loses_only_the_batch_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    script = textwrap.dedent(f"""
        import os, signal
        from scrapers.ledger import CrawlLedger
        ledger = CrawlLedger({str(path)!r}, fresh=True, flush_pages=3, flush_seconds=3600)
        ledger.record(None, [("list_1", {{}})])
        ledger.record("list_1", [("a", {{}}), ("b", {{}}), ("list_2", {{}})])
        ledger.record("a", [])
        ledger.record("list_2", [("c", {{}}), ("d", {{}})])  # third page: the batch is written
        ledger.record("b", [])
        ledger.record("c", [("e", {{}})])  # two pages in memory when the process dies
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    killed = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    requested, done = on_disk(path)
    assert done == {"list_1", "a", "list_2"}
    assert requested == {"list_1", "a", "b", "list_2", "c", "d"}
    # The rule at the instant of the kill: every page done has its links recorded.
    resumed = CrawlLedger(path, fresh=False)
    assert [url for url, _ in resumed.frontier()] == ["b", "c", "d"]  # b and c are fetched again
    resumed.close(remove=False)
