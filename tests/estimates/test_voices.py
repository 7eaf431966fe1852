"""Documents roll up to voices; attributes keep their provenance; site outranks text."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

import opinion.estimates.voices as voices_module
from opinion.estimates.voices import online_voices
from opinion.store.db import document_cues, open_store, upsert_document
from opinion.text.cues import load_gazetteer
from tests.helpers import TEST_DATA

GAZETTEER = TEST_DATA / "gazetteer.csv"


def doc(url: str, author: str, text: str, **attributes: object) -> dict[str, object]:
    return {
        "url": url, "source": "forum", "kind": "post", "content_hash": url, "author": author,
        "text": text, "fetched_at": "2026-11-27T00:00:00",
        "attributes": {k: {"value": v, "provenance": "site"} for k, v in attributes.items()},
    }


def test_one_author_many_posts_is_one_voice(store) -> None:
    with store.engine.begin() as conn:
        for i in range(30):
            upsert_document(conn, doc(f"http://x/t#{i}", "v_a", "房价太高"))
        upsert_document(conn, doc("http://x/t#99", "v_b", "看病难"))
    voices = online_voices(store, today=date(2026, 11, 27))
    assert sorted(voices["voice"]) == ["v_a", "v_b"]
    assert voices.set_index("voice").loc["v_a", "n_documents"] == 30


def test_site_metadata_outranks_text_cues_and_both_keep_provenance(store) -> None:
    with store.engine.begin() as conn:
        upsert_document(conn, doc("http://x/1", "v_a", "本人女，我今年72岁", sex="male", age=34))
        upsert_document(conn, doc("http://x/2", "v_b", "本人女，我今年72岁"))
    voices = online_voices(store, today=date(2026, 11, 27)).set_index("voice")
    assert voices.loc["v_a", ["sex", "prov_sex", "age_group", "prov_age_group"]].tolist() == ["male", "site", "30-44", "site"]
    assert voices.loc["v_b", ["sex", "prov_sex", "age_group", "prov_age_group"]].tolist() == ["female", "text", "60+", "text"]


def test_conflicting_site_values_leave_the_attribute_unknown(store) -> None:
    with store.engine.begin() as conn:
        upsert_document(conn, doc("http://x/1", "v_a", "房价", sex="male"))
        upsert_document(conn, doc("http://x/2", "v_a", "房价", sex="female"))
    voices = online_voices(store, today=date(2026, 11, 27)).set_index("voice")
    assert voices.loc["v_a", "sex"] == "unknown"
    assert voices.loc["v_a", "prov_sex"] == "unknown"


def test_place_on_the_page_gives_region_and_urban_through_the_gazetteer(store) -> None:
    gazetteer = load_gazetteer(GAZETTEER)
    place, (region, urban) = next(iter(gazetteer.places.items()))
    with store.engine.begin() as conn:
        upsert_document(conn, doc("http://x/1", "v_a", "路灯坏了", place=f"{region} {place}"))
    voices = online_voices(store, gazetteer, today=date(2026, 11, 27)).set_index("voice")
    assert voices.loc["v_a", ["region", "urban", "prov_urban"]].tolist() == [region, urban, "site"]


def test_articles_the_administration_publishes_are_not_voices(store) -> None:
    with store.engine.begin() as conn:
        upsert_document(conn, {**doc("http://gov/a1", "v_gov", "关于养老服务的通知"), "kind": "article"})
        upsert_document(conn, doc("http://x/1", "v_a", "养老院太少"))
    voices = online_voices(store, today=date(2026, 11, 27))
    assert list(voices["voice"]) == ["v_a"]


def _cue_rows(store) -> list[tuple[int, str, str, list[dict[str, object]]]]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(document_cues).order_by(document_cues.c.document_id)).all()
    return [(r.document_id, r.config, r.content_hash, json.loads(r.cues)) for r in rows]


def test_cues_are_stored_with_their_span_and_read_once(store, monkeypatch: pytest.MonkeyPatch) -> None:
    with store.engine.begin() as conn:
        upsert_document(conn, doc("http://x/1", "v_a", "本人女，今年７２岁，村里的路太烂"))
        upsert_document(conn, doc("http://x/2", "v_b", "房价太高"))
    first = online_voices(store, today=date(2026, 11, 27)).set_index("voice")
    rows = _cue_rows(store)
    assert len(rows) == 2 and rows[1][3] == []  # a document without cues is recorded as read
    found = {c["attribute"]: c for c in rows[0][3]}
    assert found["sex"]["text"] == "本人女" and found["sex"]["rule"] == "self_sex"
    assert "72岁" in str(found["age"]["text"])  # span of the normalised text (full-width folded)
    evidence = json.loads(first.loc["v_a", "cues"])
    assert evidence["sex"] == {"value": "female", "rule": "self_sex", "text": "本人女", "url": "http://x/1"}
    assert evidence["urban"]["text"] == "村里" and first.loc["v_b", "cues"] == ""

    def fail(*_: object, **__: object) -> None:
        raise AssertionError("a stored document was read again")

    monkeypatch.setattr(voices_module, "read_cues", fail)
    again = online_voices(store, today=date(2026, 11, 27)).set_index("voice")
    assert again.drop(columns="texts").equals(first.drop(columns="texts"))


def test_a_changed_document_or_gazetteer_is_read_again(store) -> None:
    with store.engine.begin() as conn:
        upsert_document(conn, doc("http://x/1", "v_a", "本人女"))
    online_voices(store, today=date(2026, 11, 27))
    with store.engine.begin() as conn:
        upsert_document(conn, {**doc("http://x/1", "v_a", "本人男"), "content_hash": "v2"})
    voices = online_voices(store, today=date(2026, 11, 27)).set_index("voice")
    assert voices.loc["v_a", "sex"] == "male"
    rows = _cue_rows(store)
    assert [(r[2], r[3][0]["value"]) for r in rows] == [("v2", "male")]  # replaced, not added
    gazetteer = load_gazetteer(GAZETTEER)
    online_voices(store, gazetteer, today=date(2026, 11, 27))
    assert len({r[1] for r in _cue_rows(store)}) == 2  # another configuration, stored beside


def test_cues_that_disagree_across_posts_leave_the_attribute_unknown_with_the_conflict_shown(store) -> None:
    with store.engine.begin() as conn:
        upsert_document(conn, doc("http://x/1", "v_a", "本人女，物价太高"))
        upsert_document(conn, doc("http://x/2", "v_a", "我老婆说物价太高"))
    voices = online_voices(store, today=date(2026, 11, 27)).set_index("voice")
    assert voices.loc["v_a", ["sex", "prov_sex"]].tolist() == ["unknown", "unknown"]
    assert json.loads(voices.loc["v_a", "cues"])["sex"] == {"conflict": ["female", "male"]}


def test_a_store_of_schema_4_gains_the_cue_table(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with open_store(db) as s, s.engine.begin() as conn:
        upsert_document(conn, doc("http://x/1", "v_a", "本人女"))
        conn.execute(sa.text("DROP TABLE document_cues"))
        for column in ("age_lo", "age_hi", "stratum"):  # added by the steps 6 -> 7 and 7 -> 8
            conn.execute(sa.text(f"ALTER TABLE respondents DROP COLUMN {column}"))
        conn.execute(sa.text("UPDATE meta SET value = '4' WHERE key = 'schema_version'"))
    with open_store(db) as s:
        voices = online_voices(s, today=date(2026, 11, 27))
        assert voices["sex"].tolist() == ["female"] and len(_cue_rows(s)) == 1
