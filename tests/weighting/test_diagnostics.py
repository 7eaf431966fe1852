from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from weighting import (
    Margins,
    WeightingError,
    blind_spots,
    effective_sample_size,
    kish_deff,
    margin_residuals,
    rake,
    standardised_differences,
    weight_summary,
)


def test_kish_deff_and_ess_by_hand():
    w = [1.0, 1.0, 2.0, 2.0]  # sum 6, sum of squares 10
    assert kish_deff(w) == pytest.approx(4 * 10 / 36)
    assert effective_sample_size(w) == pytest.approx(36 / 10)


def test_equal_weights_cost_nothing():
    w = np.full(50, 3.7)
    assert kish_deff(w) == pytest.approx(1.0)
    assert effective_sample_size(w) == pytest.approx(50)


def test_summary_by_hand():
    summary = weight_summary(pd.Series([1.0, 1.0, 2.0, 2.0]))
    assert summary["n"] == 4
    assert summary["min"] == 1.0 and summary["max"] == 2.0 and summary["ratio"] == 2.0
    assert summary["cv"] == pytest.approx(0.5 / 1.5)  # population sd 0.5, mean 1.5
    assert summary["deff"] == pytest.approx(1 + (1 / 3) ** 2)
    assert summary["ess"] == pytest.approx(3.6)


def test_bad_weights_are_refused():
    with pytest.raises(WeightingError, match="finite and 0 or more"):
        kish_deff([1.0, -1.0])
    with pytest.raises(WeightingError, match="every weight is 0"):
        effective_sample_size([0.0, 0.0])


def test_margin_residuals_by_hand():
    sample = pd.DataFrame({"sex": ["male", "male", "female", "other"]})
    margins = Margins.from_shares({"sex": {"male": 0.4, "female": 0.6}})
    table = margin_residuals(sample, np.array([1.0, 1.0, 1.0, 1.0]), margins)
    rows = {r.level: r for r in table.itertuples()}
    assert rows["male"].weighted_share == pytest.approx(0.5)
    assert rows["male"].residual == pytest.approx(0.1)
    assert rows["female"].residual == pytest.approx(0.25 - 0.6)
    assert rows["other"].target == 0.0 and rows["other"].residual == pytest.approx(0.25)
    assert list(table.columns) == ["variable", "level", "weighted_share", "target", "residual"]


def test_standardised_differences_by_hand():
    sample = pd.DataFrame({"sex": ["male", "male", "male", "female"]})
    margins = Margins.from_shares({"sex": {"male": 0.5, "female": 0.5}})
    weights = np.array([2 / 3, 2 / 3, 2 / 3, 2.0])  # male 2, female 2: on target
    table = standardised_differences(sample, weights, margins).set_index("level")
    spread = np.sqrt((0.25 + 0.75 * 0.25) / 2)  # target 0.5, before 0.75
    assert table.loc["male", "before"] == pytest.approx(0.75)
    assert table.loc["male", "smd_before"] == pytest.approx(0.25 / spread)
    assert table.loc["female", "smd_before"] == pytest.approx(-0.25 / spread)
    assert table.loc["male", "after"] == pytest.approx(0.5)
    assert table["smd_after"].abs().max() == pytest.approx(0.0, abs=1e-12)


def test_standardised_differences_against_a_weighted_reference_sample():
    sample = pd.DataFrame({"urban": ["urban"] * 3 + ["rural"], "w": [1.0, 1.0, 1.0, 1.0]})
    reference = pd.DataFrame({"urban": ["urban", "rural"], "dw": [1.0, 3.0]})  # urban 0.25
    table = standardised_differences(
        sample, np.ones(4), reference, variables=["urban"], base_weights="w",
        reference_weights="dw",
    ).set_index("level")
    spread = np.sqrt((0.25 * 0.75 + 0.75 * 0.25) / 2)
    assert table.loc["urban", "target"] == pytest.approx(0.25)
    assert table.loc["urban", "smd_before"] == pytest.approx(0.5 / spread)
    assert table.loc["urban", "smd_after"] == pytest.approx(0.5 / spread)  # equal weights: no move
    with pytest.raises(WeightingError, match="variables"):
        standardised_differences(sample, np.ones(4), reference)
    with pytest.raises(WeightingError, match="'age_group'"):
        standardised_differences(sample, np.ones(4), reference, variables=["age_group"])


def test_raking_removes_the_standardised_differences():
    rng = np.random.default_rng(3)
    sample = pd.DataFrame({
        "sex": rng.choice(["male", "female"], size=400, p=[0.7, 0.3]),
        "age_group": rng.choice(["18-29", "30-44", "45-59", "60+"], size=400, p=[0.5, 0.3, 0.15, 0.05]),
    })
    margins = Margins.from_shares({"sex": {"male": 0.5, "female": 0.5},
                                   "age_group": {"18-29": 0.2, "30-44": 0.3, "45-59": 0.3, "60+": 0.2}})
    table = standardised_differences(sample, rake(sample, margins).weights, margins)
    assert len(table) == 6
    assert table["smd_before"].abs().max() > 0.3
    assert table["smd_after"].abs().max() < 1e-8


def test_blind_spots_flag_small_effective_samples_with_a_real_share():
    # 60+ : 3 voices for 20% of the population; 45-59: none; 'tiny' under min_share.
    sample = pd.DataFrame({"age_group": ["18-29"] * 40 + ["30-44"] * 37 + ["60+"] * 3,
                           "sex": (["male", "female"] * 40)})
    margins = Margins.from_shares({"age_group": {"18-29": 0.3, "30-44": 0.3, "45-59": 0.198,
                                                 "60+": 0.2, "tiny": 0.002}})
    weights = np.ones(80)
    weights[-3:] = [4.0, 4.0, 8.0]  # ESS within 60+ = 16^2 / 96
    spots = blind_spots(sample, weights, margins, min_ess=5)
    assert spots["level"].tolist() == ["45-59", "60+"]
    assert spots["ess"].tolist() == pytest.approx([0.0, 256 / 96])
    assert spots["n"].tolist() == [0, 3]
    assert spots.loc[1, "weighted_share"] == pytest.approx(16 / 93)
    assert blind_spots(sample, weights, margins, min_ess=2).empty is False
    assert blind_spots(sample, weights, margins, min_ess=2)["level"].tolist() == ["45-59"]
    everything = blind_spots(sample, weights, margins, min_ess=5, min_share=0.0)
    assert "tiny" in everything["level"].tolist()


def test_blind_spots_on_joint_groups_the_margins_can_give():
    sample = pd.DataFrame({"age_group": ["18-29"] * 30 + ["60+"] * 30,
                           "sex": ["male"] * 30 + ["male"] * 28 + ["female"] * 2})
    margins = Margins.from_frame(pd.DataFrame({
        "variable": "age_group*sex",
        "level": ["18-29*male", "18-29*female", "60+*male", "60+*female"],
        "target": [0.25, 0.25, 0.25, 0.25],
    }))
    spots = blind_spots(sample, np.ones(60), margins, ["age_group*sex", "sex"], min_ess=10)
    # female overall is a blind spot too (2 voices for half the population); male is not.
    assert spots["level"].tolist() == ["18-29*female", "60+*female", "female"]
    assert spots["variable"].tolist() == ["age_group*sex", "age_group*sex", "sex"]
    assert spots["ess"].tolist() == pytest.approx([0.0, 2.0, 2.0])
    with pytest.raises(WeightingError, match="min_ess"):
        blind_spots(sample, np.ones(60), margins, min_ess=0)
    with pytest.raises(WeightingError, match="one weight per row"):
        blind_spots(sample, np.ones(5), margins)


def test_summary_from_cells_equals_the_row_summary() -> None:
    from weighting.diagnostics import weight_summary, weight_summary_from_cells

    values = np.array([0.5, 2.0, 1.25, 3.0])
    counts = np.array([3, 0, 5, 2])
    rows = np.repeat(values, counts)
    by_row, by_cell = weight_summary(rows), weight_summary_from_cells(values, counts)
    assert by_row.keys() == by_cell.keys()
    for key in by_row:
        assert by_cell[key] == pytest.approx(by_row[key], rel=1e-12), key
