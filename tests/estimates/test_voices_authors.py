"""Voices of a range of authors: the rows of the whole build for those authors, from their documents only."""
from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from opinion.estimates.voices import VOICE_COLUMNS, online_voices
from opinion.store.db import Store, document_cues, documents, upsert_document
from opinion.text.cues import load_gazetteer
from tests.helpers import TEST_DATA
from tests.store.test_voice_codes import fill

TODAY = date(2026, 11, 30)


def add_others(store: Store) -> None:
    """Pseudonyms whose order differs between bytes and a locale, and a document without an author."""
    with store.engine.begin() as conn:
        for i, author in enumerate(["V_upper", "v_lower", "V_upper", "v_"]):
            upsert_document(conn, {"url": f"http://x.cn/other{i}", "source": "论坛", "kind": "post",
                                   "content_hash": f"o{i}", "author": author, "text": "本人女，看病太贵",
                                   "fetched_at": "2026-11-27T12:00:00"})
        upsert_document(conn, {"url": "http://x.cn/nameless", "source": "论坛", "kind": "post", "content_hash": "nn",
                               "author": None, "text": "路灯坏了", "fetched_at": "2026-11-27T12:00:00"})


def authors_in_order(store: Store) -> list[str]:
    """Pseudonyms of voice documents in the database's own order, as ranges are taken."""
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(documents.c.author).where(documents.c.author.is_not(None),
                                                                     documents.c.kind != "article")
                                 .group_by(documents.c.author).order_by(documents.c.author)).scalars())


def test_a_range_of_authors_gives_the_rows_of_the_whole_build(store: Store) -> None:
    fill(store)
    add_others(store)
    gazetteer = load_gazetteer(TEST_DATA / "gazetteer.csv")
    whole = online_voices(store, gazetteer, today=TODAY)
    names = authors_in_order(store)
    assert len(names) == 35 and whole["voice"].isna().sum() == 1  # the nameless document is a voice of its own
    parts = []
    for start in range(0, len(names), 4):
        first, last = names[start], names[min(start + 3, len(names) - 1)]
        part = online_voices(store, gazetteer, today=TODAY, authors=(first, last))
        assert part["voice"].tolist() == [v for v in whole["voice"] if v in names[start:start + 4]]
        want = whole[whole["voice"].isin(names[start:start + 4])].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, want)  # every column, texts and cue evidence included, same order
        parts.append(part)
    together = pd.concat(parts, ignore_index=True)
    assert sorted(together["voice"]) == sorted(names)  # every author once; the nameless document in none


def test_a_range_reads_only_its_authors_documents(store: Store) -> None:
    fill(store)
    names = authors_in_order(store)
    first, last = names[3], names[5]
    part = online_voices(store, today=TODAY, authors=(first, last))
    assert part["voice"].tolist() and set(part["voice"]) == set(names[3:6])
    with store.engine.connect() as conn:  # cues are read, and kept, for the documents the range read
        read = set(conn.execute(sa.select(document_cues.c.document_id)).scalars())
        theirs = set(conn.execute(sa.select(documents.c.id).where(documents.c.author.in_(names[3:6]))).scalars())
    assert read == theirs and part["n_documents"].sum() == len(theirs) < 91


def test_a_range_without_authors_is_empty(store: Store) -> None:
    fill(store)
    empty = online_voices(store, today=TODAY, authors=("w", "z"))
    assert empty.empty and list(empty.columns) == VOICE_COLUMNS
