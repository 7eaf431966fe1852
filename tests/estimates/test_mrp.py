"""MRP on a simulated population with a known truth."""
from __future__ import annotations

from opinion.estimates.mrp import mrp_estimates
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
