"""Resuming a crawl killed with SIGKILL, re-crawls that add nothing, changed letters kept in versions."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from opinion.store.db import document_versions, documents, open_store
from opinion.store.privacy import workspace_key
from scrapers.localsite import serve_directory
from scrapers.pipelines import run_record
from tests.helpers import REPO, TEST_DATA
from tests.sites.sitegen import letter_fields, write_letter_board

SITE = TEST_DATA / "site"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "TONGXIN_NOW=2026-11-27T12:00:00",
        "-s", "LOG_LEVEL=WARNING"]
COMPARED = ["url", "source", "kind", "content_hash", "author", "title", "text", "reply_text", "reply_unit",
            "posted_at", "posted_raw", "fetched_at", "attributes"]
LETTERS = 60  # + 3 list pages


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", "crawl", *args]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}


def corpus(db: Path) -> list[tuple[Any, ...]]:
    with open_store(db) as store, store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(*[documents.c[c] for c in COMPARED]).order_by(documents.c.url))]


def count_documents(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with open_store(db) as store, store.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one())
    except Exception:  # the store is being created by the crawl at this instant
        return 0


def pages_done(ledger: Path) -> set[str]:
    """Pages the killed crawl's ledger marks done, read as a resumed crawl reads them."""
    conn = sqlite3.connect(ledger)
    try:
        return {url for (url,) in conn.execute("SELECT url FROM done")}
    finally:
        conn.close()


def stored_urls(db: Path) -> set[str]:
    with open_store(db) as store, store.engine.connect() as conn:
        return set(conn.execute(sa.select(documents.c.url)).scalars())


@pytest.fixture(scope="module")
def killed_and_resumed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("resume")
    site = work / "site"
    start = write_letter_board(site, LETTERS, per_page=20)
    killed_db, reference_db = work / "killed.db", work / "reference.db"
    # One workspace key for both stores, so that pseudonyms compare equal.
    with open_store(killed_db) as store:
        workspace_key(store.key_path)
    with open_store(reference_db):
        pass
    shutil.copy(work / "killed.db.key", work / "reference.db.key")
    with serve_directory(site, delay=0.08) as base:
        url = f"{base}/{start}"
        # Ledger batches of 4 pages (the default is larger): at the kill, several batches are
        # on disk, and every page they mark done must have its letter in the store.
        proc = subprocess.Popen(cli("gov-letters", url, "--db", str(killed_db), *FAST,
                                    "-s", "TONGXIN_LEDGER_FLUSH_PAGES=4"), cwd=REPO, env=env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while count_documents(killed_db) < 12 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        stored_when_killed = count_documents(killed_db)
        ledgers = sorted(p.name for p in (work / "killed.db.crawl").glob("*.sqlite"))
        done_when_killed = pages_done(work / "killed.db.crawl" / ledgers[0]) if ledgers else set()
        urls_when_killed = stored_urls(killed_db)
        resumed = subprocess.run(cli("gov-letters", url, "--db", str(killed_db), "--resume", *FAST), cwd=REPO,
                                 env=env(), capture_output=True, text=True, timeout=120)
        # The same URLs (letters are keyed and pseudonymised by URL), crawled without a break.
        reference = subprocess.run(cli("gov-letters", url, "--db", str(reference_db), *FAST),
                                   cwd=REPO, env=env(), capture_output=True, text=True, timeout=120)
    return {"work": work, "proc": proc, "stored_when_killed": stored_when_killed, "ledgers": ledgers,
            "done_when_killed": done_when_killed, "urls_when_killed": urls_when_killed,
            "resumed": resumed, "reference": reference, "killed_db": killed_db, "reference_db": reference_db}


@pytest.mark.slow
def test_crawl_was_killed_half_way(killed_and_resumed: dict[str, Any]) -> None:
    assert killed_and_resumed["proc"].returncode == -signal.SIGKILL
    assert 0 < killed_and_resumed["stored_when_killed"] < LETTERS
    assert len(killed_and_resumed["ledgers"]) == 1  # the crawl state, kept in the workspace


@pytest.mark.slow
def test_every_page_done_in_the_ledger_had_its_letter_stored_when_killed(killed_and_resumed: dict[str, Any]) -> None:
    done = killed_and_resumed["done_when_killed"]
    details = {url for url in done if "/detail_" in url}
    assert details <= killed_and_resumed["urls_when_killed"]  # nothing acknowledged done is missing from the store
    assert len(details) >= 4  # at least one batch was written before the kill


@pytest.mark.slow
def test_resumed_crawl_ends_with_the_store_of_an_uninterrupted_one(killed_and_resumed: dict[str, Any]) -> None:
    resumed, reference = killed_and_resumed["resumed"], killed_and_resumed["reference"]
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert reference.returncode == 0, reference.stderr[-3000:]
    got, want = corpus(killed_and_resumed["killed_db"]), corpus(killed_and_resumed["reference_db"])
    assert len(want) == LETTERS
    assert got == want
    titles = sorted(row[COMPARED.index("title")] for row in want)
    assert titles == sorted(letter_fields(n)["title"] for n in range(1, LETTERS + 1))


@pytest.mark.slow
def test_resume_does_not_fetch_everything_again(killed_and_resumed: dict[str, Any]) -> None:
    with open_store(killed_and_resumed["killed_db"]) as store:
        run = run_record(store, 2)
    assert run["settings"]["resumed"] is True
    total_pages = LETTERS + 3
    assert run["stats"]["pages_fetched"] < total_pages
    # what the killed run stored is found again as at most the pages fetched twice
    assert run["stats"]["documents"]["new"] <= LETTERS - killed_and_resumed["stored_when_killed"] + 2
    assert not (killed_and_resumed["work"] / "killed.db.crawl").exists()  # a finished crawl leaves no state


@pytest.mark.slow
def test_changed_letter_is_updated_and_its_earlier_version_kept(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    db = tmp_path / "t.db"
    detail = site / "letters" / "detail_0001.html"
    with serve_directory(site) as base:
        url = base + "/letters/list_1.html"
        first = subprocess.run(cli("gov-letters", url, "--db", str(db), *FAST), cwd=REPO, env=env(),
                               capture_output=True, text=True, timeout=120)
        again = subprocess.run(cli("gov-letters", url, "--db", str(db), *FAST), cwd=REPO, env=env(),
                               capture_output=True, text=True, timeout=120)
        page = detail.read_text(encoding="utf-8")
        detail.write_text(page.replace("请尽快修路。", "请尽快修路，已经三个月了。"), encoding="utf-8")
        changed = subprocess.run(cli("gov-letters", url, "--db", str(db), *FAST), cwd=REPO, env=env(),
                                 capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "documents: 4 new, 0 updated, 0 unchanged" in first.stdout
    assert "documents: 0 new, 0 updated, 4 unchanged" in again.stdout
    assert "documents: 0 new, 1 updated, 3 unchanged" in changed.stdout
    with open_store(db) as store, store.engine.connect() as conn:
        doc = conn.execute(sa.select(documents).where(documents.c.title == "村口道路坑洼难行")).mappings().one()
        versions = conn.execute(sa.select(document_versions)).mappings().all()
        total = conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one()
    assert total == 4
    assert "已经三个月了" in doc["text"]
    assert len(versions) == 1
    old = versions[0]
    assert old["document_id"] == doc["id"] and old["url"] == doc["url"]
    assert old["text"] == "我们村口那段路坑坑洼洼，下雨天根本走不了。\n请尽快修路。联系电话[手机号]。"
    assert old["content_hash"] != doc["content_hash"]
    assert old["crawl_run_id"] == 1 and doc["crawl_run_id"] == 3
