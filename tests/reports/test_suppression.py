from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from opinion.errors import InputError
from opinion.reports.data import ReportData
from opinion.reports.datapackage import report_json, write_tables
from opinion.reports.render import render_html, render_markdown
from opinion.reports.suppression import ensure_suppressed, suppress_small_cells, suppressed_cells

# Online counts per level. 60+ has 3 online voices (primary); in the joint table 60+*rural
# has 1 and 60+*urban 2. Everything else is large.
AGE = {"18-29": 120, "30-44": 80, "45-59": 40, "60+": 3, "unknown": 7}
URBAN = {"urban": 180, "rural": 63, "unknown": 7}
JOINT = {"18-29*urban": 100, "18-29*rural": 20, "30-44*urban": 60, "30-44*rural": 20,
         "45-59*urban": 18, "45-59*rural": 22, "60+*urban": 2, "60+*rural": 1, "unknown": 7}


def coverage() -> pd.DataFrame:
    rows = []
    for variable, counts in (("age_group", AGE), ("urban", URBAN), ("age_group*urban", JOINT)):
        known = sum(n for lv, n in counts.items() if lv != "unknown")
        for level, n in counts.items():
            rows.append({"variable": variable, "level": level, "level_label": level, "population_share": 0.1,
                         "online_share": n / known if level != "unknown" else math.nan,
                         "survey_share": 0.1, "online_n": n, "survey_n": 30, "blind_spot": False})
    return pd.DataFrame(rows)


def make_data(**changes: object) -> ReportData:
    estimates = pd.DataFrame([{"topic": "healthcare", "topic_label": "医疗", "method": m, "estimand": "agenda_share",
                               "estimate": 0.3, "se": 0.02, "ci_low": 0.26, "ci_high": 0.34, "n": 250, "ess": 200.0}
                              for m in ("raw", "blend")])
    words = pd.DataFrame([{"word": "医院", "raw_share": 0.1, "raw_rank": 1, "weighted_share": 0.1,
                           "weighted_rank": 1, "rank_shift": 0}])
    carry = pd.DataFrame([{"group": g, "group_label": g, "population_share": 0.1, "online_ess": 10.0,
                           "survey_ess": 30.0, "survey_fraction": 0.75} for g in ("60+*rural", "18-29*urban")])
    keywords = pd.DataFrame([
        {"variable": "age_group", "level": "18-29", "level_label": "18-29岁", "word": "房价", "score": 0.4, "voices": 12},
        {"variable": "age_group", "level": "18-29", "level_label": "18-29岁", "word": "罕见词", "score": 0.9, "voices": 2},
    ])
    data = ReportData(title="t", estimates=estimates, coverage=coverage(), words=words, carry=carry,
                      keywords=keywords, notes={"unknown": {"age_group": 7, "sex": 2}, "voices_online": 250,
                                                "blend_groups": ["age_group", "urban"]})
    return dataclasses.replace(data, **changes)  # type: ignore[arg-type]


def hidden(frame: pd.DataFrame, source: str = "online") -> set[tuple[str, str]]:
    rows = frame[frame[f"{source}_suppressed"]]
    return set(zip(rows["variable"], rows["level"], strict=True))


def test_a_lone_small_cell_takes_the_smallest_other_cell_with_it() -> None:
    counts = pd.Series({0: 3, 1: 40, 2: 12, 3: 0})
    primary, complementary = suppressed_cells(counts, [[0, 1, 2, 3]], min_cell=5)
    assert primary == {0}
    assert complementary == {2}  # 12 is the smallest non-zero other cell; the zero stays visible


def test_zero_cells_are_not_small_cells_but_serve_as_a_last_complement() -> None:
    assert suppressed_cells(pd.Series({0: 0, 1: 9}), [[0, 1]], 5) == (set(), set())
    assert suppressed_cells(pd.Series({0: 4, 1: 0}), [[0, 1]], 5) == ({0}, {1})


def test_two_small_cells_protect_each_other() -> None:
    assert suppressed_cells(pd.Series({0: 2, 1: 3, 2: 50}), [[0, 1, 2]], 5) == ({0, 1}, set())


def test_no_published_total_gives_a_hidden_count_back() -> None:
    result = suppress_small_cells(make_data(), 5)
    cov = result.coverage
    gone = hidden(cov)
    assert {("age_group", "60+"), ("age_group*urban", "60+*urban"), ("age_group*urban", "60+*rural")} <= gone
    # Every set of cells adding up to a published total hides zero or at least two cells.
    sets = [[("age_group", lv) for lv in AGE], [("urban", lv) for lv in URBAN],
            [("age_group*urban", lv) for lv in JOINT]]
    sets += [[("age_group", a)] + [("age_group*urban", f"{a}*{u}") for u in ("urban", "rural")] for a in AGE
             if a != "unknown"]
    sets += [[("urban", u)] + [("age_group*urban", f"{a}*{u}") for a in AGE if a != "unknown"]
             for u in ("urban", "rural")]
    for cells in sets:
        assert sum(c in gone for c in cells) != 1, cells
    assert cov.loc[cov["online_suppressed"], ["online_n", "online_share"]].isna().all().all()
    assert cov.loc[~cov["online_suppressed"], "online_n"].notna().all()
    assert not cov["survey_suppressed"].any()  # 30 respondents everywhere: nothing small
    assert result.notes["suppression"]["primary"] == 3
    assert result.notes["suppression"]["complementary"] == len(gone) - 3


def test_carry_keywords_and_unknown_counts_follow_the_hidden_cells() -> None:
    result = suppress_small_cells(make_data(), 5)
    carry = result.carry.set_index("group")  # type: ignore[union-attr]
    assert math.isnan(carry.at["60+*rural", "online_ess"]) and math.isnan(carry.at["60+*rural", "survey_fraction"])
    assert carry.at["60+*rural", "survey_ess"] == 30.0
    joint_hidden = ("age_group*urban", "18-29*urban") in hidden(result.coverage)
    assert math.isnan(carry.at["18-29*urban", "online_ess"]) == joint_hidden
    assert not math.isnan(suppress_small_cells(make_data(), 0).carry.set_index("group").at[  # type: ignore[union-attr]
        "18-29*urban", "online_ess"])
    assert result.keywords["word"].tolist() == ["房价"]  # type: ignore[index]
    unknown_hidden = ("age_group", "unknown") in hidden(result.coverage)
    assert result.notes["unknown"]["age_group"] == ("隐去" if unknown_hidden else 7)


def test_min_cell_zero_hides_nothing_and_bad_values_are_refused() -> None:
    result = suppress_small_cells(make_data(), 0)
    assert not result.coverage["online_suppressed"].any()
    assert result.coverage["online_n"].tolist() == coverage()["online_n"].tolist()
    with pytest.raises(InputError, match=r"min_cell must be a whole number of voices >= 0, got -1"):
        suppress_small_cells(make_data(), -1)


def test_ensure_suppressed_applies_once_with_the_data_own_threshold() -> None:
    once = ensure_suppressed(make_data(min_cell=50))
    assert ("age_group", "45-59") in hidden(once.coverage)  # 40 < 50
    assert ensure_suppressed(once) is once


def test_every_format_hides_the_same_cells(tmp_path: Path) -> None:
    data = make_data()
    html, md = render_html(data), render_markdown(data)
    assert "<td class=\"text\">60+</td><td>10.0%</td><td>隐去</td>" in html
    assert "| 60+ | 10.0% | 隐去 | 10.0% | 隐去 | 30 |" in md
    assert "罕见词" not in html and "罕见词" not in md and "房价" in html
    tables = json.loads(report_json(data))
    row = next(r for r in tables["coverage"] if r["level"] == "60+" and r["variable"] == "age_group")
    assert row["online_n"] is None and row["online_suppressed"] is True
    write_tables(data, tmp_path)
    csv = pd.read_csv(tmp_path / "coverage.csv", keep_default_na=False, dtype=str)
    assert csv.loc[(csv["variable"] == "age_group") & (csv["level"] == "60+"), "online_n"].tolist() == [""]
    assert "罕见词" not in (tmp_path / "keywords.csv").read_text(encoding="utf-8")
