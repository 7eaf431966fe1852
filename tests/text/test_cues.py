from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from opinion.errors import InputError
from opinion.text import cues
from opinion.text.cues import chinese_number, evaluate_cues, extract_cues, find_cues, load_gazetteer
from tests.helpers import TEST_DATA

DATA = TEST_DATA
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


def test_occupation_cues() -> None:
    farmer = extract_cues("我在家务农，今年玉米价格太低了。", today=TODAY)
    assert (farmer["occupation"].value, farmer["occupation"].rule, farmer["urban"].value) == ("farmer", "farmer", "rural")
    assert extract_cues("俺一个老汉，种了一辈子地。", today=TODAY)["occupation"].value == "farmer"
    migrant = extract_cues("本人常年在外务工，家里的老人没人照顾。", today=TODAY)
    assert migrant["occupation"].value == "migrant_worker" and "urban" not in migrant
    retired = extract_cues("作为一名退休干部，我建议多建几个老年活动中心。", today=TODAY)
    assert retired["occupation"].value == "retired" and retired["age_group"].value == "60+"
    text = "我是一名农民工，工资被拖欠。"
    cues = extract_cues(text, today=TODAY)
    assert cues["occupation"].value == "migrant_worker" and "urban" not in cues
    span = cues["occupation"].span
    assert "农民工" in text[span[0]:span[1]]


@pytest.mark.parametrize("text", [
    "我爸在家种地，一年到头挣不了几个钱。", "我们村的年轻人都外出打工了。", "单位说我还差两年才能退休。",
    "我父亲是退休工人，住院押金太高了。", "我哥在外务工，嫂子一个人带孩子。",
])
def test_other_peoples_occupations_are_not_the_writers(text: str) -> None:
    assert "occupation" not in extract_cues(text, today=TODAY)


def _scores(attribute: str) -> tuple[float, float]:
    with (DATA / "cues_labelled.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 120
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
                         [("age_group", 0.95, 0.9), ("sex", 0.92, 0.85), ("urban", 0.95, 0.88),
                          ("occupation", 0.95, 0.85)])
def test_precision_recall_on_labelled_sample(attribute: str, min_precision: float, min_recall: float) -> None:
    precision, recall = _scores(attribute)
    assert precision >= min_precision, f"{attribute} precision {precision:.3f}"
    assert recall >= min_recall, f"{attribute} recall {recall:.3f}"


def test_needles_only_skip_rules_that_cannot_fire(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = []
    for name in ("cues_labelled.csv", "tone_labelled.csv"):
        with (DATA / name).open(encoding="utf-8") as fh:
            texts += [row["text"] for row in csv.DictReader(fh)]
    texts += ["我家承包了五十亩地。", "本人80后，宝妈。", "我今年七十多岁了"]
    fast = [find_cues(t, today=TODAY) for t in texts]
    monkeypatch.setattr(cues, "_NEEDLES", {})
    # the empty string occurs in every text: every age pattern runs
    monkeypatch.setattr(cues, "_AGE_RULES", tuple((rule, ("",), p) for rule, _, p in cues._AGE_RULES))
    monkeypatch.setattr(cues, "_GENERATION_NEEDLES", ("",))
    assert [find_cues(t, today=TODAY) for t in texts] == fast


def test_evaluate_cues_agrees_with_the_tests_own_count(tmp_path: Path) -> None:
    scores = evaluate_cues(DATA / "cues_labelled.csv", today=TODAY)
    for attribute in ("age_group", "sex", "urban", "occupation"):
        precision, recall = _scores(attribute)
        assert scores[attribute]["precision"] == round(precision, 3)
        assert scores[attribute]["recall"] == round(recall, 3)
    with pytest.raises(InputError, match="no column 'region'"):
        evaluate_cues(DATA / "cues_labelled.csv", ["region"], today=TODAY)
