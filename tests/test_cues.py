from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from opinion.cues import chinese_number, extract_cues, find_cues, load_gazetteer
from opinion.errors import InputError

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 6, 1)


def test_self_stated_age_and_group() -> None:
    cues = extract_cues("我今年72岁，村里的路没法走", today=TODAY)
    assert cues["age"].value == 72
    assert cues["age"].rule == "self_age"
    assert cues["age_group"].value == "60+"
    assert cues["urban"].value == "rural"


def test_chinese_numerals_and_approximate_ages() -> None:
    assert chinese_number("七十二") == 72
    assert chinese_number("十五") == 15
    assert chinese_number("一百零二") == 102
    assert extract_cues("今年七十二岁，身体还行", today=TODAY)["age"].value == 72
    assert extract_cues("我今年七十多岁了", today=TODAY)["age"].value == 75


def test_generation_uses_today() -> None:
    assert extract_cues("我是80后", today=date(2026, 1, 1))["age"].value == 2026 - 1985
    assert extract_cues("我是80后", today=date(2030, 1, 1))["age"].value == 2030 - 1985


def test_other_peoples_ages_are_not_the_writers() -> None:
    assert extract_cues("孩子今年8岁，我爸退休了", today=TODAY) == {}


def test_conflicting_sex_is_left_out_and_recorded() -> None:
    result = find_cues("本人女，奶爸一枚", today=TODAY)
    assert "sex" not in result.cues
    assert sorted(c.value for c in result.conflicts["sex"]) == ["female", "male"]
    assert result.cues["age_group"].value == "30-44"


def test_gazetteer_place_then_town(tmp_path: Path) -> None:
    gaz = load_gazetteer(DATA / "gazetteer.csv")
    assert gaz.lookup("东关社区") == ("城关镇", "urban")
    assert gaz.lookup("不存在村") is None
    cues = extract_cues("我住在杨家湾村，路不好走", gaz, today=TODAY)
    assert (cues["region"].value, cues["place"].value, cues["urban"].value) == ("河西镇", "杨家湾村", "rural")
    town = extract_cues("青山镇的班车太少", gaz, today=TODAY)
    assert town["region"].value == "青山镇"
    assert "urban" not in town and "place" not in town


def test_gazetteer_urban_against_village_talk_conflicts() -> None:
    gaz = load_gazetteer(DATA / "gazetteer.csv")
    result = find_cues("我住东关社区，我们村以前的地都征了", gaz, today=TODAY)
    assert "urban" in result.conflicts


def test_bad_gazetteer(tmp_path: Path) -> None:
    bad = tmp_path / "gaz.csv"
    bad.write_text("region,place,urban\n城关镇,东关社区,海边\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"gaz.csv line 2: urban '海边'"):
        load_gazetteer(bad)
    missing = tmp_path / "cols.csv"
    missing.write_text("region,place\n城关镇,东关社区\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        load_gazetteer(missing)


def _scores(attribute: str) -> tuple[float, float]:
    with (DATA / "cues_labelled.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 60
    tp = fp = fn = 0
    for row in rows:
        cue = extract_cues(row["text"], today=TODAY).get(attribute)
        got, want = (cue.value if cue else None), (row[attribute] or None)
        if got is not None:
            tp += got == want
            fp += got != want
        if want is not None and got != want:
            fn += 1
    return tp / (tp + fp), tp / (tp + fn)


@pytest.mark.parametrize(("attribute", "min_precision", "min_recall"),
                         [("age_group", 0.9, 0.8), ("sex", 0.9, 0.8), ("urban", 0.9, 0.8)])
def test_precision_recall_on_labelled_sample(attribute: str, min_precision: float, min_recall: float) -> None:
    precision, recall = _scores(attribute)
    assert precision >= min_precision, f"{attribute} precision {precision:.3f}"
    assert recall >= min_recall, f"{attribute} recall {recall:.3f}"
