"""The visit planner: widest intervals first, budget and costs respected, optimal greedy steps."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opinion.errors import InputError
from opinion.estimates.plan import Z95, cell_shares, current_cells, load_costs, plan_interviews
from weighting import Margins

BY = ("age_group", "urban")


def cells(ess: list[float], shares: list[float] | None = None) -> pd.DataFrame:
    levels = [("18-29", "urban"), ("18-29", "rural"), ("60+", "urban"), ("60+", "rural")]
    return pd.DataFrame({
        "age_group": [a for a, _ in levels], "urban": [u for _, u in levels],
        "population_share": shares or [0.25] * 4, "online_ess": ess, "survey_ess": [0.0] * 4,
    })


def test_interviews_go_to_the_group_with_the_widest_interval() -> None:
    plan = plan_interviews(cells([400, 400, 400, 10]), 50, by=BY)
    assert plan.cells["interviews"].tolist() == [0, 0, 0, 50]
    rural_old = plan.groups[(plan.groups["group"] == "age_group*urban") & (plan.groups["level"] == "60+*rural")].iloc[0]
    assert rural_old["half_width_before"] == pytest.approx(Z95 * 0.5 / np.sqrt(10))
    assert rural_old["half_width_after"] == pytest.approx(Z95 * 0.5 / np.sqrt(60))
    assert not rural_old["meets_target"]  # 60 voices give ±12.7 points, not ±8
    assert plan.unmet == ["age_group*urban=60+*rural"]


def test_precision_target_reached_then_rest_spent_on_overall_variance() -> None:
    # ±8 points needs (1.96 * 0.5 / 0.08)^2 = 150.06 effective voices per single-cell group
    plan = plan_interviews(cells([400, 400, 400, 100]), 200, by=BY)
    after = plan.cells["ess_after"].tolist()
    assert after[3] >= 150.06 and plan.groups["meets_target"].all()
    assert plan.interviews == 200 and plan.spent == 200
    assert plan.overall_after < plan.overall_before


def test_empty_cells_are_filled_first_even_on_a_small_budget() -> None:
    plan = plan_interviews(cells([0, 300, 0, 300], shares=[0.1, 0.4, 0.3, 0.2]), 2, by=BY)
    assert plan.cells["interviews"].tolist() == [1, 0, 1, 0]
    assert np.isinf(plan.overall_before) and np.isfinite(plan.overall_after)


def test_budget_and_costs_are_respected() -> None:
    costs = [1.0, 4.0, 2.5, 7.0]
    plan = plan_interviews(cells([200, 200, 200, 200]), 333, by=BY, costs=costs)
    assert plan.spent <= 333
    assert plan.spent == pytest.approx(float((plan.cells["interviews"] * np.array(costs)).sum()))
    assert 333 - plan.spent < min(costs)  # nothing affordable was left unspent
    # every group meets the target already; the same need at a higher price buys fewer interviews
    n = plan.cells["interviews"].tolist()
    assert n[0] > n[2] > n[1] >= n[3]


def test_greedy_matches_brute_force_optimum_for_the_overall_variance() -> None:
    # all groups already meet the target, so the whole budget is phase 2
    shares = [0.4, 0.3, 0.2, 0.1]
    ess = [200.0, 160.0, 170.0, 155.0]
    costs = [2.0, 1.0, 1.5, 1.0]
    budget = 12
    plan = plan_interviews(cells(ess, shares), budget, by=BY, costs=costs, groups=["age_group*urban"])

    def variance(extra: tuple[int, ...]) -> float:
        return sum(s * s * 0.25 / (e + x) for s, e, x in zip(shares, ess, extra, strict=True))

    feasible = [x for x in itertools.product(*(range(int(budget // c) + 1) for c in costs))
                if sum(n * c for n, c in zip(x, costs, strict=True)) <= budget]
    best = min(variance(x) for x in feasible)
    got = variance(tuple(plan.cells["interviews"]))
    assert got == pytest.approx(best, rel=1e-3)


def test_design_effect_discounts_new_interviews() -> None:
    plan = plan_interviews(cells([400, 400, 400, 10]), 30, by=BY, deff=2.0)
    assert plan.cells["ess_after"].iloc[3] == pytest.approx(25.0)


def test_bad_budget_or_target_is_an_input_error() -> None:
    with pytest.raises(InputError, match="budget -1"):
        plan_interviews(cells([1, 1, 1, 1]), -1, by=BY)
    with pytest.raises(InputError, match="half-width 0.6"):
        plan_interviews(cells([1, 1, 1, 1]), 1, by=BY, half_width_target=0.6)


def margins() -> Margins:
    return Margins.from_shares({
        "age_group*urban": {"18-29*urban": 0.2, "18-29*rural": 0.2, "60+*urban": 0.3, "60+*rural": 0.3},
        "region": {"东镇": 0.75, "西乡": 0.25},
    })


def test_cell_shares_without_a_joint_table_assume_independence_and_say_so() -> None:
    frame, notes = cell_shares(margins(), ("region", "age_group", "urban"))
    assert len(frame) == 8 and frame["share"].sum() == pytest.approx(1.0)
    row = frame[(frame["region"] == "西乡") & (frame["age_group"] == "60+") & (frame["urban"] == "rural")]
    assert row["share"].iloc[0] == pytest.approx(0.25 * 0.3)
    assert "independent" in notes[0]


def test_current_cells_count_online_voices_and_survey_kish_ess() -> None:
    voices = pd.DataFrame({
        "source": ["online", "online", "online", "survey", "survey", "survey"],
        "region": ["东镇", "东镇", "unknown", "西乡", "西乡", "西乡"],
        "age_group": ["18-29", "18-29", "18-29", "60+", "60+", "60+"],
        "urban": ["urban", "urban", "urban", "rural", "rural", "rural"],
        "sex": ["male", "female", "male", "female", "male", "female"],
        "design_weight": [1.0, 1.0, 1.0, 1.0, 1.0, 4.0],
    })
    # survey only in one cell: calibration to the margins fails, so design weights are used
    table, deff, notes = current_cells(voices, margins(), ("region", "age_group", "urban"))
    east = table[(table["region"] == "东镇") & (table["age_group"] == "18-29") & (table["urban"] == "urban")]
    west = table[(table["region"] == "西乡") & (table["age_group"] == "60+") & (table["urban"] == "rural")]
    assert east["online_ess"].iloc[0] == 2  # the voice of unknown region is in no cell
    assert west["survey_ess"].iloc[0] == pytest.approx(36 / 18)  # Kish: (1+1+4)^2 / (1+1+16)
    assert deff == pytest.approx(3 / 2)
    assert any("unknown" in n for n in notes)


def test_costs_csv_wildcards_specific_rows_and_missing_cells(tmp_path: Path) -> None:
    table, _ = cell_shares(margins(), ("region", "age_group", "urban"))
    path = tmp_path / "costs.csv"
    path.write_text("region,urban,cost\n东镇,*,100\n西乡,*,250\n西乡,乡村,400\n", encoding="utf-8")
    costs = load_costs(path, table, ("region", "age_group", "urban"))
    by_cell = dict(zip(table["region"] + table["urban"], costs, strict=True))
    assert by_cell == {"东镇urban": 100, "东镇rural": 100, "西乡urban": 250, "西乡rural": 400}
    path.write_text("region,cost\n东镇,100\n", encoding="utf-8")
    with pytest.raises(InputError, match="costs.csv: no cost for the cell 西乡"):
        load_costs(path, table, ("region", "age_group", "urban"))
    path.write_text("region,cost\n东镇,free\n", encoding="utf-8")
    with pytest.raises(InputError, match="costs.csv line 2: cost 'free' must be a positive number"):
        load_costs(path, table, ("region", "age_group", "urban"))


def test_without_spending_the_rest_the_plan_stops_when_every_group_meets_the_target() -> None:
    plan = plan_interviews(cells([400, 400, 400, 10]), 10_000, by=BY, spend_rest=False)
    # the rural old need 150.06 - 10 effective voices; nothing else is short
    assert plan.cells["interviews"].tolist() == [0, 0, 0, 141]
    assert plan.groups["meets_target"].all()
    spent = plan_interviews(cells([400, 400, 400, 10]), 10_000, by=BY)
    assert spent.interviews == 10_000


def test_one_way_margins_get_their_cells_from_the_survey_and_say_so() -> None:
    one_way = Margins.from_shares({"age_group": {"18-29": 0.4, "60+": 0.6}, "urban": {"urban": 0.5, "rural": 0.5},
                                   "sex": {"male": 0.5, "female": 0.5}})
    # every respondent of 60+ lives in a village: the cells follow the survey, not independence
    voices = pd.DataFrame({
        "source": ["survey"] * 40,
        "age_group": ["18-29"] * 20 + ["60+"] * 20,
        "urban": ["urban"] * 20 + ["rural"] * 20,
        "sex": ["male", "female"] * 20,
        "design_weight": [1.0] * 40,
    })
    table, _, notes = current_cells(voices, one_way, BY)
    share = table.set_index(["age_group", "urban"])["population_share"]
    # the survey puts nobody of 18-29 in a village, so the margins leave 60+ x rural at 0.5 (independence: 0.3)
    assert share[("60+", "rural")] == pytest.approx(0.5, abs=0.01)
    assert share[("18-29", "rural")] < 0.01
    assert notes[0] == ("age_group x urban: not in the margins; estimated by raking 40 survey respondents "
                        "(design weights) to the margins' tables age_group, urban")
    alone, _, notes = current_cells(voices.iloc[:0], one_way, BY)
    assert alone.set_index(["age_group", "urban"])["population_share"][("60+", "rural")] == pytest.approx(0.3)
    assert "assumed independent" in notes[0]


def test_suppress_small_hides_cells_and_sources_under_min_cell_but_not_five_of_nearly_equal_weights() -> None:
    from opinion.estimates.plan import suppress_small

    table = pd.DataFrame({"online_ess": [1.0, 0.0, 3.0, 0.0], "survey_ess": [3.0, 4.99995, 6.0, 0.0],
                          "ess_before": [4.0, 4.99995, 9.0, 0.0], "ess_after": [6.0, 7.0, 9.0, 0.988],
                          "half_width_before": [0.49, 0.4383, 0.3267, float("inf")],
                          "half_width_after": [0.4, 0.37, 0.3267, 0.986]})
    out = suppress_small(table, 5)
    assert out["suppressed"].tolist() == [True, False, False, False]
    assert out.loc[0, ["online_ess", "survey_ess", "ess_before", "ess_after", "half_width_before",
                       "half_width_after"]].isna().all()
    assert out.loc[1, "ess_before"] == 4.99995 and out.loc[1, "survey_ess"] == 4.99995  # five respondents
    assert pd.isna(out.loc[2, "online_ess"]) and out.loc[2, "survey_ess"] == 6.0  # 3 online voices in a cell of 9
    assert out.loc[3].drop("suppressed").tolist()[:3] == [0.0, 0.0, 0.0]  # an empty cell names nobody
    assert not suppress_small(table, 0)["suppressed"].any()
