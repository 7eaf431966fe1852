from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from weighting import estimate
from weighting import Margins, WeightingError, poststratify, rake

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
STYPE = pd.DataFrame({"variable": ["stype"] * 3, "level": ["E", "H", "M"], "target": [4421, 755, 1018]})


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    path = REFERENCE / "apiclus1.csv"
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (it lives in the shared folder)")
    return pd.read_csv(path)


def poststrat_stype(sample, base):
    return poststratify(sample, Margins.from_frame(STYPE), base_weights=base)


def test_apiclus1_linearised_poststratified(apiclus1):
    row = estimate(apiclus1, "api00", weights="pw", cluster="dnum", reweight=poststrat_stype).iloc[0]
    assert row["estimate"] == pytest.approx(642.310788211584, rel=1e-9)
    assert row["se"] == pytest.approx(24.1610605814973, rel=1e-9)


def test_apiclus1_jk1_without_adjustment(apiclus1):
    row = estimate(apiclus1, "api00", weights="pw", cluster="dnum", replicates="jk1").iloc[0]
    assert row["estimate"] == pytest.approx(644.169398907104, rel=1e-9)
    assert row["se"] == pytest.approx(26.5997137220988, rel=1e-9)


def test_apiclus1_jk1_redoes_the_poststratification(apiclus1):
    row = estimate(apiclus1, "api00", weights="pw", cluster="dnum", replicates="jk1",
                   reweight=poststrat_stype).iloc[0]
    assert row["estimate"] == pytest.approx(642.310788211584, rel=1e-9)
    assert row["se"] == pytest.approx(27.2066268255349, rel=1e-9)


def test_apiclus1_raking_one_margin_is_poststratification(apiclus1):
    def rake_stype(sample, base):
        return rake(sample, Margins.from_frame(STYPE), base_weights=base)

    row = estimate(apiclus1, "api00", weights="pw", cluster="dnum", reweight=rake_stype).iloc[0]
    assert row["estimate"] == pytest.approx(642.310788211584, rel=1e-9)
    assert row["se"] == pytest.approx(24.1610605814973, rel=1e-9)


def test_apiclus1_bootstrap_is_seeded_and_near_the_jackknife(apiclus1):
    kwargs = dict(weights="pw", cluster="dnum", replicates="bootstrap", reweight=poststrat_stype,
                  n_replicates=100)
    first = estimate(apiclus1, "api00", seed=5, **kwargs)
    again = estimate(apiclus1, "api00", seed=5, **kwargs)
    assert first.equals(again)
    assert 15 < first["se"].iloc[0] < 40  # same order as the JK1 reference 27.2


def test_unweighted_mean_and_se_by_hand():
    y = [2.0, 4.0, 9.0, 5.0]
    table = estimate(pd.DataFrame({"y": y}), "y")
    assert list(table.columns) == ["variable", "by", "level", "estimate", "se", "ci_low", "ci_high", "n", "ess"]
    row = table.iloc[0]
    mean = 5.0
    sd = math.sqrt(sum((v - mean) ** 2 for v in y) / 3)
    assert row["estimate"] == pytest.approx(mean)
    assert row["se"] == pytest.approx(sd / 2)
    assert row["ci_low"] == pytest.approx(mean - 1.959963984540054 * sd / 2)
    assert (row["variable"], row["by"], row["level"], row["n"]) == ("y", "", "", 4)


def test_shares_per_level_and_by_group():
    data = pd.DataFrame({
        "topic": ["jobs", "jobs", "housing", "jobs", "housing", None],
        "urban": ["urban", "urban", "urban", "rural", "rural", "rural"],
        "w": [1.0, 1.0, 2.0, 1.0, 3.0, 5.0],
    })
    table = estimate(data, "topic", weights="w", by="urban")
    rows = {(r.by, r.level): r for r in table.itertuples()}
    assert set(rows) == {("rural", "housing"), ("rural", "jobs"), ("urban", "housing"), ("urban", "jobs")}
    assert rows[("urban", "jobs")].estimate == pytest.approx(2 / 4)
    assert rows[("rural", "housing")].estimate == pytest.approx(3 / 4)
    assert rows[("rural", "jobs")].n == 2  # the missing topic counts in no estimate
    assert rows[("rural", "jobs")].ess == pytest.approx(16 / 10)
    assert (table["ci_low"] >= 0).all() and (table["ci_high"] <= 1).all()


def test_missing_column_is_named():
    with pytest.raises(WeightingError, match=r"cluster column 'psu' not found \(columns are: y\)"):
        estimate(pd.DataFrame({"y": [1.0, 2.0]}), "y", cluster="psu")
    with pytest.raises(WeightingError, match=r"replicates='jack'; expected one of none, jk1, bootstrap"):
        estimate(pd.DataFrame({"y": [1.0, 2.0]}), "y", replicates="jack")


def test_series_weights_align_on_the_callers_index():
    data = pd.DataFrame({"y": [1.0, 5.0]}, index=[10, 20])
    weights = pd.Series([3.0, 1.0], index=[20, 10])  # y=5 weighs 3, y=1 weighs 1
    assert estimate(data, "y", weights=weights)["estimate"].iloc[0] == pytest.approx(16 / 4)
