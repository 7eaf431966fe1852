"""The store on both backends: schema, upserts, concurrent writers, messages."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from opinion.errors import StoreError
from opinion.store.db import (
    SCHEMA_VERSION,
    Store,
    cache_tokens,
    cached_tokens,
    documents,
    find_document,
    get_watermark,
    meta_table,
    metadata,
    open_store,
    segment_cache,
    set_watermark,
    upsert_document,
)
from scrapers.localsite import serve_directory
from tests.helpers import FAST, REPO, TEST_DATA


def document(url: str, text: str = "路灯不亮") -> dict[str, object]:
    return {"url": url, "source": "test", "kind": "post", "content_hash": f"h:{text}", "text": text,
            "fetched_at": "2026-11-27T12:00:00", "attributes": {"region": {"value": "城关镇", "provenance": "page"}}}


def test_new_store_has_every_table_and_the_schema_version(any_store: Store) -> None:
    assert set(sa.inspect(any_store.engine).get_table_names()) >= set(metadata.tables)
    with any_store.engine.connect() as conn:
        version = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar_one()
    assert version == str(SCHEMA_VERSION)


def test_upsert_tells_new_unchanged_updated_and_reopening_keeps_rows(store_url: str) -> None:
    with open_store(store_url) as store, store.engine.begin() as conn:
        assert upsert_document(conn, document("http://x.cn/1")) == "new"
        assert upsert_document(conn, document("http://x.cn/1")) == "unchanged"
        assert upsert_document(conn, document("http://x.cn/1", "路灯修好了")) == "updated"
    with open_store(store_url) as store, store.engine.connect() as conn:
        row = find_document(conn, "http://x.cn/1")
        assert row is not None and row["text"] == "路灯修好了"
        assert row["attributes"] == '{"region": {"provenance": "page", "value": "城关镇"}}'


def test_document_stored_meanwhile_by_another_writer_is_not_inserted_twice(any_store: Store) -> None:
    with any_store.engine.begin() as conn:
        upsert_document(conn, document("http://x.cn/2"))
    with any_store.engine.begin() as conn:  # this writer read "not stored" before the other committed
        assert upsert_document(conn, document("http://x.cn/2"), existing=None) == "unchanged"
        assert upsert_document(conn, document("http://x.cn/2", "新内容"), existing=None) == "updated"
        assert conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one() == 1


def test_watermark_and_token_cache_are_upserts(any_store: Store) -> None:
    with any_store.engine.begin() as conn:
        set_watermark(conn, "json-api http://x.cn/", "17", "2026-11-27T12:00:00", None)
        set_watermark(conn, "json-api http://x.cn/", "42", "2026-11-28T12:00:00", None)
        cache_tokens(conn, {"h1": ["路灯", "不亮"]})
        cache_tokens(conn, {"h1": ["路灯", "不亮"], "h2": ["看病", "贵"]})
    with any_store.engine.connect() as conn:
        assert get_watermark(conn, "json-api http://x.cn/") == "42"
        assert cached_tokens(conn, ["h1", "h2"]) == {"h1": ["路灯", "不亮"], "h2": ["看病", "贵"]}
        assert conn.execute(sa.select(sa.func.count()).select_from(segment_cache)).scalar_one() == 2


WRITER = textwrap.dedent("""
    import random, sys
    import sqlalchemy as sa
    from opinion.store.db import cache_tokens, find_document, open_store, set_watermark, upsert_document
    url, seed = sys.argv[1], int(sys.argv[2])
    order = list(range(300))
    random.Random(seed).shuffle(order)

    def write(conn, i):
        doc = {"url": f"http://x.cn/{i}", "source": "t", "kind": "post", "content_hash": f"h{i}",
               "text": f"第{i}封信", "fetched_at": "2026-11-27T12:00:00"}
        upsert_document(conn, doc, existing=find_document(conn, doc["url"]))
        cache_tokens(conn, {f"h{i}": ["第", str(i), "封信"]})

    with open_store(url) as store:
        for start in range(0, len(order), 10):
            # Ten documents per transaction and, if that fails (two batches waiting on each
            # other's rows is a deadlock PostgreSQL breaks), one per transaction: as the crawl does.
            batch = order[start:start + 10]
            try:
                with store.engine.begin() as conn:
                    for i in batch:
                        write(conn, i)
            except sa.exc.OperationalError:
                for i in batch:
                    with store.engine.begin() as conn:
                        write(conn, i)
        with store.engine.begin() as conn:
            set_watermark(conn, "json-api http://x.cn/", str(seed), "2026-11-27T12:00:00", None)
""")


def test_concurrent_writer_processes_store_each_document_once(pg_schema_url: str) -> None:
    """Four processes write the same 300 documents in different orders into one server store.

    SQLite is left out: it takes one writer at a time (a second waits, or gives up on a
    snapshot it read before the first committed), which is why several crawlers need a server.
    """
    open_store(pg_schema_url).dispose()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, pg_schema_url, str(seed)], cwd=REPO,
                                stderr=subprocess.PIPE, text=True) for seed in range(4)]
    errors = [w.communicate(timeout=240)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0, 0], [e.splitlines()[-3:] for e in errors]
    with open_store(pg_schema_url) as store, store.engine.connect() as conn:
        urls = conn.execute(sa.select(documents.c.url)).scalars().all()
        cached = conn.execute(sa.select(sa.func.count()).select_from(segment_cache)).scalar_one()
    assert sorted(urls) == sorted(f"http://x.cn/{i}" for i in range(300))
    assert cached == 300


OPENER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from opinion.store.db import open_store
    from opinion.store.privacy import workspace_key
    time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # all processes start together
    with open_store(Path(sys.argv[1])) as store:
        sys.stdout.write(workspace_key(store.key_path).decode())
""")


def test_processes_opening_one_new_sqlite_store_at_once_all_get_it_and_one_key(tmp_path: Path) -> None:
    """Two crawlers started together on a new SQLite store: one creates it, the others wait and use it."""
    for attempt in range(3):
        db = tmp_path / f"new{attempt}.db"
        at = time.time() + 2.0
        openers = [subprocess.Popen([sys.executable, "-c", OPENER, str(db), str(at)], cwd=REPO,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
        outputs = [o.communicate(timeout=60) for o in openers]
        assert [o.returncode for o in openers] == [0] * 4, [err for _, err in outputs]
        assert {out for out, _ in outputs} == {(tmp_path / f"new{attempt}.db.key").read_text()}
        with open_store(db) as store, store.engine.connect() as conn:
            versions = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).all()
        assert versions == [(str(SCHEMA_VERSION),)]


def test_unreachable_server_is_one_line_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://tongxin_test:s3cret-pw@127.0.0.1:9/tongxin_test")
    message = str(caught.value)
    assert message.startswith("postgresql://tongxin_test:***@127.0.0.1:9/tongxin_test: not a usable tongxin store (")
    assert "s3cret-pw" not in message and "\n" not in message


def test_unsupported_database_url_says_what_is_supported() -> None:
    with pytest.raises(StoreError, match=r"^mysql://u:\*\*\*@h/d: not a supported store; give a SQLite file path "
                                         r"or a postgresql://USER:PASSWORD@HOST:PORT/DATABASE URL$"):
        open_store("mysql://u:pw@h/d")


def _crawled(db: str) -> list[tuple[object, ...]]:
    with open_store(db) as store, store.engine.connect() as conn:
        columns = [documents.c.url, documents.c.kind, documents.c.content_hash, documents.c.title,
                   documents.c.text, documents.c.posted_at, documents.c.attributes]
        return [tuple(r) for r in conn.execute(sa.select(*columns).order_by(documents.c.url))]


@pytest.mark.slow
def test_a_crawl_stores_the_same_documents_in_postgresql_as_in_sqlite(pg_schema_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    with serve_directory(TEST_DATA / "site") as base:
        for db in (str(tmp_path / "t.db"), pg_schema_url):
            done = subprocess.run([sys.executable, "-m", "cli", "crawl", "gov-letters", base + "/letters/list_1.html",
                                   "--db", db, *FAST], cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
            assert done.returncode == 0, done.stderr
            assert "documents: 4 new, 0 updated, 0 unchanged" in done.stdout
    in_sqlite, in_postgresql = _crawled(str(tmp_path / "t.db")), _crawled(pg_schema_url)
    assert len(in_sqlite) == 4
    assert in_postgresql == in_sqlite


@pytest.mark.parametrize("before", [10, 5])
def test_migration_to_schema_11_gives_drawn_voices_a_documents_fingerprint(store_url: str, before: int) -> None:
    """From 10 the column is added; from 5 (no coding samples yet) the table is made with it."""
    with open_store(store_url) as opened, opened.engine.begin() as conn:
        if before == 10:
            conn.execute(sa.text("ALTER TABLE coding_samples DROP COLUMN documents_hash"))
        else:
            conn.execute(sa.text("DROP TABLE hand_codes"))
            conn.execute(sa.text("DROP TABLE coding_samples"))
        conn.execute(meta_table.update().where(meta_table.c.key == "schema_version").values(value=str(before)))
    with open_store(store_url) as opened, opened.engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("coding_samples")}
        version = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
    assert "documents_hash" in columns and version == str(SCHEMA_VERSION) == "11"
