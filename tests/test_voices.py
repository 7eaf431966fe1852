"""Documents roll up to voices; attributes keep their provenance; site outranks text."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from opinion.cues import load_gazetteer
from opinion.store import open_store, upsert_document
from opinion.voices import online_voices

GAZETTEER = Path(__file__).parent / "data" / "gazetteer.csv"


def doc(url: str, author: str, text: str, **attributes: object) -> dict[str, object]:
    return {
        "url": url, "source": "forum", "kind": "post", "content_hash": url, "author": author,
        "text": text, "fetched_at": "2026-11-27T00:00:00",
        "attributes": {k: {"value": v, "provenance": "site"} for k, v in attributes.items()},
    }


@pytest.fixture()
def store(tmp_path: Path):
    with open_store(tmp_path / "v.db") as s:
        yield s


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
