"""MRP on a simulated population with a known truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opinion.attributes import UNKNOWN
from opinion.estimates.mrp import imputed_attributes, mrp_estimates
from tests.estimates.simulation import simulate


def test_mrp_recovers_what_raw_misses() -> None:
    voices, y, has_any, margins, truth = simulate(3)
    result = mrp_estimates(voices, y, has_any, margins, draws=1000, seed=2).set_index("column")
    raw = y[voices["source"] == "online"]["eldercare"].mean()
    row = result.loc["eldercare"]
    assert truth["eldercare"] - raw > 0.05
    assert row["ci_low"] <= truth["eldercare"] <= row["ci_high"]
    assert abs(row["estimate"] - truth["eldercare"]) < abs(raw - truth["eldercare"]) / 2
    assert row["n"] == int(has_any.sum())


def test_a_level_absent_from_the_data_still_gets_a_cell_estimate() -> None:
    voices, y, has_any, margins, _ = simulate(4)
    absent = voices["age_group"] == "18-29"
    result = mrp_estimates(voices[~absent], y[~absent], has_any[~absent], margins, draws=500)
    assert result["estimate"].notna().all()
    assert (result["ci_high"] - result["ci_low"] > 0).all()


def test_same_seed_same_result() -> None:
    voices, y, has_any, margins, _ = simulate(5)
    a = mrp_estimates(voices, y, has_any, margins, draws=300, seed=9)
    b = mrp_estimates(voices, y, has_any, margins, draws=300, seed=9)
    assert a.equals(b)


def test_voices_of_unknown_attributes_are_imputed_not_dropped() -> None:
    voices, y, has_any, margins, truth = simulate(6)
    rng = np.random.default_rng(0)
    online = (voices["source"] == "online").to_numpy()
    voices = voices.copy()
    voices.loc[online & (rng.random(len(voices)) < 0.4), "age_group"] = UNKNOWN
    voices.loc[online & (rng.random(len(voices)) < 0.3), "urban"] = UNKNOWN
    imputed = mrp_estimates(voices, y, has_any, margins, draws=500, seed=3).set_index("column")
    dropped = mrp_estimates(voices, y, has_any, margins, draws=500, seed=3, imputations=1).set_index("column")
    assert (imputed["n"] == int(has_any.sum())).all()
    assert (dropped["n"] < int(has_any.sum())).all()
    row = imputed.loc["eldercare"]
    assert row["ci_low"] <= truth["eldercare"] <= row["ci_high"]


def test_an_imputed_level_is_drawn_among_voices_of_the_same_source_sharing_the_known_attributes() -> None:
    # Online, every known woman is rural and every known man urban; in the survey the reverse.
    voices = pd.DataFrame({
        "source": ["online"] * 6 + ["survey"] * 4,
        "sex": ["female", "female", "male", "male", "female", "male", "female", "male", "female", "male"],
        "urban": ["rural", "rural", "urban", "urban", UNKNOWN, UNKNOWN, "urban", "rural", UNKNOWN, UNKNOWN],
    })
    copies = imputed_attributes(voices, ["sex", "urban"], np.random.default_rng(1), 8)
    assert len(copies) == 8
    for copy in copies:
        assert copy.loc[[4, 5, 8, 9], "urban"].tolist() == ["rural", "urban", "urban", "rural"]
        assert copy.loc[:3, "urban"].tolist() == voices.loc[:3, "urban"].tolist()
    assert (voices.loc[4, "urban"] == UNKNOWN)  # the input is left as it was


def test_a_coder_shift_moves_the_estimate_and_widens_the_interval() -> None:
    voices, y, has_any, margins, _ = simulate(7)
    plain = mrp_estimates(voices, y, has_any, margins, draws=2000, seed=4).set_index("column")
    shift = pd.DataFrame({"column": ["eldercare"], "shift": [0.05], "se": [0.03]})
    moved = mrp_estimates(voices, y, has_any, margins, draws=2000, seed=4, shift=shift).set_index("column")
    assert moved.at["eldercare", "estimate"] - plain.at["eldercare", "estimate"] == pytest.approx(0.05, abs=0.01)
    width = lambda t: t.at["eldercare", "ci_high"] - t.at["eldercare", "ci_low"]  # noqa: E731
    assert width(moved) > width(plain) + 0.02
    # topics without a shift are untouched
    assert moved.at["housing", "estimate"] == pytest.approx(plain.at["housing", "estimate"], abs=0.01)
