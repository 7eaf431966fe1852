"""Voices placed in the margins' own age bands: exact ages in their band, ranges only when
the whole range falls inside one; the default groups leave everything as it was."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from opinion.estimates.voices import all_voices, margins_bands, online_voices, place_ages
from opinion.store.db import open_store, upsert_document
from opinion.surveys.importer import import_survey
from weighting import Margins
from weighting.bands import Bands

TEN_YEARS = Bands.from_labels(["18-29", "30-39", "40-49", "50-59", "60-69", "70+"])


def doc(i: int, text: str, **attributes: object) -> dict[str, object]:
    return {"url": f"http://x/{i}", "source": "forum", "kind": "post", "content_hash": str(i), "author": f"v{i}",
            "text": text, "fetched_at": "2026-11-27T00:00:00",
            "attributes": {k: {"value": v, "provenance": "site"} for k, v in attributes.items()}}


TEXTS = {
    "v0": ("我今年72岁，看病难", {}),  # exact: 70+
    "v1": ("我是80后，房价太高", {}),  # born 1980-89: 36-46 in 2026, two bands
    "v2": ("我是90后，工资低", {}),  # 26-36: two bands
    "v3": ("我是一名退休工人，物价高", {}),  # 50 and over: many bands
    "v4": ("我是大学生，找工作难", {}),  # 18-29
    "v5": ("房价太高", {"age": 34}),  # profile age
    "v6": ("房价太高", {"age_group": "60+"}),  # profile group: 60 and over
    "v7": ("我七十多岁了，腿脚不好", {}),  # 70-79
}


def voices_of(store) -> pd.DataFrame:
    with store.engine.begin() as conn:
        for i, (text, attributes) in enumerate(TEXTS.values()):
            upsert_document(conn, doc(i, text, **attributes))
    return online_voices(store, today=date(2026, 11, 27)).set_index("voice")


def test_online_voices_keep_the_ages_their_evidence_allows(store) -> None:
    voices = voices_of(store)
    ranges = {v: (voices.loc[v, "age_lo"], voices.loc[v, "age_hi"]) for v in TEXTS}
    assert ranges["v0"] == (72, 72) and ranges["v5"] == (34, 34) and ranges["v7"] == (70, 79)
    assert ranges["v1"] == (36, 46) and ranges["v4"] == (18, 29)
    assert ranges["v3"][0] == 50 and pd.isna(ranges["v3"][1])
    assert ranges["v6"][0] == 60 and pd.isna(ranges["v6"][1])


def test_ten_year_bands_place_what_fits_and_leave_the_rest_unknown(store) -> None:
    placed = place_ages(voices_of(store).reset_index(), TEN_YEARS).set_index("voice")
    assert placed["age_group"].to_dict() == {
        "v0": "70+", "v1": "unknown", "v2": "unknown", "v3": "unknown", "v4": "18-29", "v5": "30-39",
        "v6": "unknown", "v7": "70+"}
    assert placed.loc["v1", "prov_age_group"] == "unknown" and placed.loc["v0", "prov_age_group"] == "text"


def test_the_default_groups_change_nothing(store) -> None:
    voices = voices_of(store).reset_index()
    default = Bands.from_labels(["18-29", "30-44", "45-59", "60+"])
    pd.testing.assert_frame_equal(place_ages(voices, default), voices)
    # as read: 80后 at its middle year (41), 退休 60+
    assert voices.set_index("voice").loc[["v1", "v3"], "age_group"].tolist() == ["30-44", "60+"]


def test_all_voices_place_survey_answers_in_the_margins_bands(tmp_path: Path) -> None:
    survey = tmp_path / "s.csv"
    survey.write_text("编号,性别,年龄,城乡,最关心的问题\nA1,男,33,城镇,房价\nA2,女,35~39岁,乡村,上学\n"
                      "A3,女,25~34岁,乡村,工作\nA4,男,60岁以上,乡村,养老\n", encoding="utf-8")
    margins = Margins.from_shares({"age_group": {b: 1 / 6 for b in TEN_YEARS.labels},
                                   "urban": {"urban": .5, "rural": .5}})
    assert margins_bands(margins) == TEN_YEARS
    with open_store(tmp_path / "s.db") as store:
        import_survey(store, survey, interview_year=2026)
        placed = all_voices(store, margins=margins)
        as_read = all_voices(store)
    assert placed["age_group"].tolist() == ["30-39", "30-39", "unknown", "unknown"]
    assert as_read["age_group"].tolist() == ["30-44", "30-44", "unknown", "60+"]


def test_margins_without_age_bands_leave_the_groups_as_read() -> None:
    assert margins_bands(Margins.from_shares({"sex": {"male": .5, "female": .5}})) is None
    assert margins_bands(Margins.from_shares({"age_group": {"young": .5, "old": .5}})) is None
