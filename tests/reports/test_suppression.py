from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from opinion.errors import InputError
from opinion.estimates.plan import Z95, plan_interviews
from opinion.reports.data import ReportData
from opinion.reports.datapackage import report_json, write_tables
from opinion.reports.render import render_html, render_markdown, summary_table
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


# Online voices per cell of a visit plan; no survey. The half-width "now" of a 50% share is
# 1.96 * 0.5 / sqrt(n): for n = 1..4 it gives the count back, so it must not be shown.
PLAN_VOICES = {"甲村": 1, "乙村": 2, "丙村": 3, "丁村": 4, "戊村": 5, "己村": 0, "庚村": 9}


def visit_plan() -> pd.DataFrame:
    """The plan table a report holds, planned by the real planner over ``PLAN_VOICES``."""
    cells = pd.DataFrame({"region": list(PLAN_VOICES), "population_share": [1 / len(PLAN_VOICES)] * len(PLAN_VOICES),
                          "online_ess": [float(n) for n in PLAN_VOICES.values()], "survey_ess": 0.0})
    plan = plan_interviews(cells, 20, by=("region",))
    planned = plan.cells[plan.cells["interviews"] > 0]
    return pd.DataFrame({"cell": planned["region"].to_numpy(), "interviews": planned["interviews"].to_numpy(),
                         "half_width_before": planned["half_width_before"].to_numpy(),
                         "half_width_after": planned["half_width_after"].to_numpy()})


def _points(value: float) -> str:
    return "—" if math.isinf(value) else f"±{100 * value:.1f}"


def test_visit_plan_hides_the_half_widths_that_give_a_small_count_back(tmp_path: Path) -> None:
    plan = visit_plan()
    data = make_data(plan=plan)
    small = {c for c, n in PLAN_VOICES.items() if 0 < n < data.min_cell}
    assert small & set(plan["cell"]) and set(plan["cell"]) - small  # both kinds are in the plan
    md = render_markdown(data)
    html = render_html(data)
    terminal = summary_table(data)
    tables = json.loads(report_json(data))["plan"]
    write_tables(data, tmp_path)
    csv = pd.read_csv(tmp_path / "plan.csv", keep_default_na=False, dtype=str).set_index("cell")
    for row in plan.itertuples():
        interviews = int(row.interviews)
        md_row = next(line for line in md.splitlines() if line.startswith(f"| {row.cell} |"))
        html_row = next(line for line in html.splitlines() if f'<td class="text">{row.cell}</td>' in line)
        term_row = next(line for line in terminal.splitlines() if line.split()[:1] == [row.cell]).split()
        json_row = next(r for r in tables if r["cell"] == row.cell)
        if row.cell in small:  # neither "now" nor "after" (which, beside the interviews, gives it back)
            assert md_row == f"| {row.cell} | {interviews} | 隐去 | 隐去 |"
            assert html_row.endswith(f"<td>{interviews}</td><td>隐去</td><td>隐去</td></tr>")
            assert term_row == [row.cell, str(interviews), "隐去", "隐去"]
            assert csv.loc[row.cell, "half_width_before"] == csv.loc[row.cell, "half_width_after"] == ""
            assert csv.loc[row.cell, "half_width_suppressed"] == "True"
            assert json_row["half_width_before"] is None and json_row["half_width_after"] is None
        else:
            before, after = _points(row.half_width_before), _points(row.half_width_after)
            assert md_row == f"| {row.cell} | {interviews} | {before} | {after} |"
            assert term_row == [row.cell, str(interviews), before, after]
            assert csv.loc[row.cell, "half_width_suppressed"] == "False"
    assert data.min_cell == 5 and "±98.0" not in md + html + terminal  # the one-voice cell, once given away
    assert ensure_suppressed(data).notes["suppression"]["plan_cells"] == len(small & set(plan["cell"]))


def test_a_visit_plan_cell_of_exactly_min_cell_voices_is_shown() -> None:
    # five respondents of nearly equal weights have an effective size of 4.9999: not a small cell
    plan = pd.DataFrame({"cell": ["戊村", "乙村", "甲村"], "interviews": [3, 3, 3],
                         "half_width_before": [Z95 * 0.5 / math.sqrt(n) for n in (5, 4.9999, 4.9)],
                         "half_width_after": [Z95 * 0.5 / math.sqrt(n) for n in (8, 7.9999, 7.9)]})
    shown = suppress_small_cells(make_data(plan=plan), 5).plan
    assert shown["half_width_suppressed"].tolist() == [False, False, True]  # type: ignore[index]
    assert not suppress_small_cells(make_data(plan=plan), 0).plan["half_width_before"].isna().any()  # type: ignore[index]


def test_by_group_tables_hide_small_cells_in_the_data_files_too(tmp_path: Path) -> None:
    rows = [{"variable": "urban", "level": level, "level_label": level, "topic": "healthcare", "topic_label": "医疗",
             "method": "raw", "estimate": 0.5, "se": 0.1, "ci_low": 0.3, "ci_high": 0.7, "n": n}
            for level, n in (("rural", 3), ("urban", 40))]
    data = make_data(by_group=pd.DataFrame(rows))
    write_tables(data, tmp_path)
    csv = pd.read_csv(tmp_path / "by_group.csv", keep_default_na=False, dtype=str).set_index("level")
    assert csv.loc["rural", ["estimate", "ci_low", "ci_high", "n"]].tolist() == ["", "", "", ""]
    assert csv.loc["urban", "n"] == "40" and csv.loc["urban", "estimate"] == "0.5"
