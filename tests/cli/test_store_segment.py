"""``tongxin store segment`` on the command line, a killed run included."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from opinion.store.db import open_store, upsert_document
from tests.helpers import REPO

PHRASES = ["村里的路灯坏了很久没人修，晚上出门很不方便", "看病太贵，医保报销太慢，希望简化手续",
           "孩子上学要走很远的山路，下雨天更危险", "小区垃圾没人清运，夏天气味很大"]


def make_store(path: Path, n: int) -> None:
    with open_store(path) as store, store.engine.begin() as conn:
        for i in range(n):
            upsert_document(conn, {
                "url": f"http://x.cn/{i}", "source": "县长信箱", "kind": "post", "content_hash": f"h{i}",
                "author": f"v_{i % 50:014d}", "text": f"{PHRASES[i % len(PHRASES)]}，第{i}次反映",
                "fetched_at": "2026-11-27T12:00:00",
            })


def cached_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM segment_cache").fetchone()[0])


def test_store_segment_prints_its_summary_and_splits_into_shards(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    make_store(db, 30)
    zero = CliRunner().invoke(main, ["store", "segment", "--db", str(db), "--shard", "0/2", "--batch", "7"])
    assert zero.exit_code == 0, zero.output
    line = zero.output.splitlines()[-1]
    done = cached_rows(db)
    assert 0 < done < 30
    assert line.startswith(f"shard 0/2: {done} texts ({30 - done} left to other shards): 0 already cached, "
                           f"{done} segmented in ")
    assert line.endswith(f" s (1 process, jieba) in {db}")

    rest = CliRunner().invoke(main, ["store", "segment", "--db", str(db), "--workers", "2"])
    assert rest.exit_code == 0, rest.output
    assert f"30 texts: {done} already cached, {30 - done} segmented in " in rest.output
    assert rest.output.rstrip().endswith(f" s (2 processes, jieba) in {db}")
    assert cached_rows(db) == 30


def test_a_killed_run_loses_at_most_its_batch_and_a_rerun_finishes(tmp_path: Path) -> None:
    db, n, batch = tmp_path / "k.db", 5000, 20
    make_store(db, n)
    run = subprocess.Popen([sys.executable, "-m", "cli", "store", "segment", "--db", str(db), "--batch", str(batch)],
                           cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "TONGXIN_SEGMENTER": "jieba"})
    deadline = time.monotonic() + 120
    while cached_rows(db) == 0 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    assert run.wait() == -signal.SIGKILL  # killed while segmenting, not finished
    kept = cached_rows(db)
    assert 0 < kept < n and kept % batch == 0  # whole batches only: each is one transaction

    rerun = CliRunner().invoke(main, ["store", "segment", "--db", str(db), "--batch", str(batch)])
    assert rerun.exit_code == 0, rerun.output
    assert f"{n} texts: {kept} already cached, {n - kept} segmented in " in rerun.output
    assert cached_rows(db) == n


def test_store_segment_refuses_a_bad_shard(tmp_path: Path) -> None:
    make_store(tmp_path / "s.db", 1)
    result = CliRunner().invoke(main, ["store", "segment", "--db", str(tmp_path / "s.db"), "--shard", "2/2"])
    assert result.exit_code == 2
    assert ("Error: Invalid value for '--shard': shard '2/2' is not I/K with 0 <= I < K; write e.g. 0/4 for the "
            "first of four shards") in result.output


def test_store_segment_does_not_create_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["store", "segment", "--db", str(tmp_path / "typo.db")])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path / 'typo.db'}: no such store; ")
    assert not (tmp_path / "typo.db").exists()
