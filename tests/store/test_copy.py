"""``copy_store``: SQLite -> PostgreSQL -> SQLite gives back every row of every table."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from opinion.errors import StoreError
from opinion.store.copy import copy_store, store_counts
from opinion.store.db import (
    Store,
    add_voice_codes,
    cache_tokens,
    coding_samples,
    crawl_runs,
    document_versions,
    documents,
    hand_codes,
    meta_table,
    metadata,
    open_store,
    set_watermark,
    store_cues,
    upsert_document,
    voice_codes,
)
from opinion.store.privacy import install_key, workspace_key
from opinion.surveys.importer import import_survey
from tests.helpers import write_small_survey


def fill(store: Store, tmp_path: Path, prefix: str = "a") -> None:
    """Rows in every table, with the values a copy most easily loses: NULLs, CJK, floats, booleans."""
    survey = tmp_path / f"{prefix}-survey.csv"
    write_small_survey(survey)
    with survey.open("a", encoding="utf-8") as f:  # another file: another hash
        f.write(f"{prefix.upper()}999,女,45,乡村,城关镇,路太窄\n")
    import_survey(store, survey, wave=f"{prefix}-2026")
    with store.engine.begin() as conn:
        run = conn.execute(crawl_runs.insert().values(
            profile="gov-letters", start_urls='["http://x.cn/list"]', started_at=f"2026-11-27T12:{ord(prefix):02d}:00",
            settings='{"DOWNLOAD_DELAY": 1.5}', stats=None)).inserted_primary_key[0]
        for i in range(12):
            upsert_document(conn, {
                "url": f"http://x.cn/{prefix}/{i}", "source": "县长信箱", "kind": "letter" if i % 2 else "post",
                "content_hash": f"{prefix}{i}", "author": f"v_{prefix}{i:014d}", "title": None if i % 3 else "路灯",
                "text": f"我们村的路灯坏了{i}天 ☺", "reply_text": "已转交" if i % 4 == 0 else None,
                "posted_at": "2026-11-01T08:00:00", "fetched_at": "2026-11-27T12:00:00", "crawl_run_id": run,
                "attributes": {"age_group": {"value": "60+", "provenance": "text"}},
            })
        first = conn.execute(sa.select(documents.c.id).where(documents.c.url == f"http://x.cn/{prefix}/0")).scalar_one()
        conn.execute(document_versions.insert().values(
            document_id=first, url=f"http://x.cn/{prefix}/0", content_hash="old", text="旧的说法",
            fetched_at="2026-11-20T12:00:00", replaced_at="2026-11-27T12:00:00", crawl_run_id=run))
        cache_tokens(conn, {f"{prefix}0": ["路灯", "坏", "了"]})
        set_watermark(conn, f"json-api http://x.cn/{prefix}", "9007199254740993", "2026-11-27T12:00:00", run)
        store_cues(conn, "rules-v1", {first: (f"{prefix}0", [{"attribute": "urban", "value": "rural",
                                                              "rule": "我们村", "start": 0, "end": 3}])})
        conn.execute(coding_samples.insert(), [
            {"sample": f"{prefix}-s", "source": "online", "voice": f"v_{prefix}{i:014d}",
             "probability": 1 / 3, "stratum": "online", "drawn_at": "2026-11-28T09:00:00", "seed": 7}
            for i in range(3)])
        conn.execute(hand_codes.insert(), [
            {"sample": f"{prefix}-s", "source": "online", "voice": f"v_{prefix}{i:014d}",
             "topics": "[]" if i == 0 else '["elderly"]', "no_concern": i == 0,
             "imported_at": "2026-11-29T09:00:00", "file": None}
            for i in range(3)])
        conn.execute(meta_table.insert().values(key=f"note-{prefix}", value="县里的语料"))
        add_voice_codes(conn, [  # a pattern of leading zeros stays text, an unknown age stays NULL
            {"config": f"cfg-{prefix}", "voice": f"v_{prefix}{i:014d}", "source": "online", "region": "城关镇" if i else "unknown",
             "urban": "rural", "sex": "female", "age_group": "60+" if i else "unknown",
             "age_lo": 60.0 if i else None, "age_hi": None, "topics": f"00{i % 2}10", "n_documents": i + 1}
            for i in range(4)])


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as conn:
        return {table.name: [tuple(row) for row in conn.execute(
            sa.select(table).order_by(*table.primary_key.columns))] for table in metadata.sorted_tables}


@pytest.fixture()
def sqlite_corpus(tmp_path: Path) -> Store:
    store = open_store(tmp_path / "a.db")
    fill(store, tmp_path)
    return store


def test_the_corpus_fixture_fills_every_table(sqlite_corpus: Store) -> None:
    assert [name for name, n in store_counts(sqlite_corpus).items() if n == 0] == []


def test_round_trip_sqlite_postgresql_sqlite_keeps_every_row(sqlite_corpus: Store, pg_schema_url: str,
                                                             tmp_path: Path) -> None:
    with open_store(pg_schema_url) as server:
        there = copy_store(sqlite_corpus, server, batch_size=5)
        assert dump(server) == dump(sqlite_corpus)
        with open_store(tmp_path / "back.db") as back:
            copy_store(server, back, batch_size=7)
            assert dump(back) == dump(sqlite_corpus)
            with back.engine.connect() as conn:
                coded = conn.execute(sa.select(voice_codes).order_by(voice_codes.c.voice)).mappings().all()
    counts = store_counts(sqlite_corpus)
    assert {t.table: t.added for t in there.tables if t.table != "meta"} == {
        name: n for name, n in counts.items() if name != "meta"}
    with sqlite_corpus.engine.connect() as conn:  # the values that are easiest to lose came back as they were
        row = conn.execute(sa.select(hand_codes).where(hand_codes.c.no_concern.is_(True))).mappings().one()
        probability = conn.execute(sa.select(coding_samples.c.probability)).scalars().first()
    assert row["topics"] == "[]" and probability == 1 / 3
    assert len(coded) == 4 and [(r["topics"], r["age_lo"], r["age_hi"], r["region"]) for r in coded[:2]] == [
        ("00010", None, None, "unknown"), ("00110", 60.0, None, "城关镇")]


def test_new_rows_in_a_copied_server_store_get_fresh_ids(sqlite_corpus: Store, pg_schema_url: str,
                                                         tmp_path: Path) -> None:
    with open_store(pg_schema_url) as server:
        copy_store(sqlite_corpus, server)
        with server.engine.begin() as conn:
            highest = conn.execute(sa.select(sa.func.max(documents.c.id))).scalar_one()
            assert upsert_document(conn, {"url": "http://x.cn/new", "source": "s", "kind": "post",
                                          "content_hash": "n", "text": "新", "fetched_at": "2026-11-30"}) == "new"
            assert conn.execute(sa.select(documents.c.id).where(documents.c.url == "http://x.cn/new")
                                ).scalar_one() == highest + 1


def test_non_empty_destination_is_refused_without_append(sqlite_corpus: Store, any_store: Store,
                                                         tmp_path: Path) -> None:
    fill(any_store, tmp_path, prefix="b")
    with pytest.raises(StoreError) as caught:
        copy_store(sqlite_corpus, any_store)
    shown = str(tmp_path / "store.db") if any_store.key_path else any_store.url.split(":", 2)[0] + ":"
    assert str(caught.value).startswith(shown)
    listed = ", ".join(f"{name} {n}" for name, n in store_counts(any_store).items() if name != "meta")
    assert str(caught.value).endswith(f": not empty (rows: {listed}); "
                                      "copy into an empty store, or give --append to add only the rows it lacks")
    assert "documents 12," in listed


def share_key(source: Store, destination: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give ``destination`` the pseudonym key of ``source`` (a file beside it, or $TONGXIN_KEY for a server)."""
    key = workspace_key(source.key_path)
    if destination.key_path is not None:
        install_key(destination.key_path, key)
    else:
        monkeypatch.setenv("TONGXIN_KEY", key.decode())


def test_append_adds_only_what_is_missing_and_rewrites_references(sqlite_corpus: Store, any_store: Store,
                                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share_key(sqlite_corpus, any_store, monkeypatch)
    fill(any_store, tmp_path, prefix="b")
    with any_store.engine.begin() as conn:  # the destination's own codes are kept, out of date
        conn.execute(meta_table.insert().values(key="voice_codes:cfg-b", value="{}"))
    with sqlite_corpus.engine.begin() as conn:
        conn.execute(meta_table.insert().values(key="voice_codes:cfg-a", value="{}"))
    before = store_counts(any_store)
    first = copy_store(sqlite_corpus, any_store, append=True, batch_size=4)
    again = copy_store(sqlite_corpus, any_store, append=True, batch_size=4)
    source = store_counts(sqlite_corpus)
    after = store_counts(any_store)
    assert again.rows_added == 0 and first.left_out == again.left_out == ["voice_codes"]
    added = {t.table: t.added for t in first.tables}
    assert "voice_codes" not in added and after == {name: before[name] + added.get(name, 0) for name in after}
    assert added["documents"] == source["documents"] and added["document_versions"] == 1
    assert added["meta"] == 1  # note-a; not the schema version, which both have, nor a's codes' meta row
    # one key: the survey ids both files share are the same respondents; only a's extra row is new
    assert added["respondents"] == 1 and added["survey_imports"] == 1
    with any_store.engine.connect() as conn:
        coded = conn.execute(sa.select(voice_codes.c.config).distinct()).scalars().all()
        meta_keys = conn.execute(sa.select(meta_table.c.key).where(meta_table.c.key.like("voice_codes:%"))).scalars()
        assert (coded, list(meta_keys)) == (["cfg-b"], ["voice_codes:cfg-b"])
    with any_store.engine.connect() as conn:  # the earlier version still belongs to its own document
        pairs = conn.execute(sa.select(document_versions.c.url, documents.c.url, documents.c.crawl_run_id,
                                       document_versions.c.crawl_run_id)
                             .join(documents, documents.c.id == document_versions.c.document_id)).all()
    assert sorted(p[:2] for p in pairs) == [("http://x.cn/a/0",) * 2, ("http://x.cn/b/0",) * 2]
    assert all(p[2] == p[3] for p in pairs)


def test_append_between_stores_with_other_pseudonym_keys_is_refused_before_any_row(sqlite_corpus: Store,
                                                                                      tmp_path: Path) -> None:
    other = open_store(tmp_path / "other.db")
    fill(other, tmp_path, prefix="b")  # its own key: the same author would be another pseudonym here
    before = dump(other)
    with pytest.raises(StoreError) as caught:
        copy_store(sqlite_corpus, other, append=True)
    assert str(caught.value) == (
        f"{tmp_path / 'other.db'}: its pseudonym key differs from {tmp_path / 'a.db'}'s, so an author in both would "
        "be two pseudonyms and count as two voices; append only between stores that share one key (the "
        f"destination's key must be the contents of {tmp_path / 'a.db.key'}), or copy into an empty store")
    assert dump(other) == before
    other.dispose()


def test_copy_into_itself_is_refused(sqlite_corpus: Store) -> None:
    with pytest.raises(StoreError, match="the source and the destination are the same store"):
        copy_store(sqlite_corpus, sqlite_corpus, append=True)
