from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.helpers import REFERENCE
from weighting import Margins, WeightingError, estimate, poststratify, rake

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


def _raking_sample(n: int, seed: int, clusters: int | None = None) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(seed)
    data = pd.DataFrame({
        "sex": rng.choice(["male", "female"], size=n, p=[0.65, 0.35]),
        "age_group": rng.choice(["18-29", "30-44", "45-59", "60+"], size=n, p=[0.4, 0.3, 0.2, 0.1]),
        "topic": rng.choice(["housing", "jobs", "traffic"], size=n),
        "urban": rng.choice(["urban", "rural"], size=n),
        "w": rng.uniform(0.5, 2.0, size=n),
    })
    if clusters is not None:
        data["psu"] = rng.integers(0, clusters, size=n)
        data["stratum"] = data["psu"] % 3
    return data


RAKE_MARGINS = Margins.from_shares({
    "sex": {"male": 0.5, "female": 0.5},
    "age_group": {"18-29": 0.2, "30-44": 0.3, "45-59": 0.3, "60+": 0.2},
})


def test_cell_bootstrap_in_estimate_equals_raking_every_replicate_row_by_row():
    import numpy as np

    from weighting import RakeReweight
    from weighting.replicates import rao_wu_multipliers
    from weighting.variance import make_design

    data = _raking_sample(300, 5, clusters=30)
    table = estimate(data, "topic", weights="w", cluster="psu", strata="stratum", by="urban",
                     replicates="bootstrap", n_replicates=25, seed=11,
                     reweight=RakeReweight(RAKE_MARGINS))
    # The same Rao-Wu draws, each replicate raked row by row with the public rake().
    design = make_design(len(data), data["psu"].to_numpy(), data["stratum"].to_numpy())
    psu_stratum = np.empty(design.n_psu, dtype=np.int64)
    psu_stratum[design.psu] = design.stratum
    rng = np.random.default_rng(11)
    full = rake(data, RAKE_MARGINS, base_weights="w").weights.to_numpy()
    keys = [(g, lv) for g in ("rural", "urban") for lv in ("housing", "jobs", "traffic")]

    def shares(w):
        return np.array([w[(data["urban"] == g) & (data["topic"] == lv)].sum()
                         / w[data["urban"] == g].sum() for g, lv in keys])

    theta = shares(full)
    thetas = []
    for _ in range(25):
        base = data["w"].to_numpy() * rao_wu_multipliers(psu_stratum, rng)[design.psu]
        keep = base > 0
        w = np.zeros(len(data))
        w[keep] = rake(data[keep], RAKE_MARGINS, base_weights=pd.Series(base[keep], index=data.index[keep])).weights
        thetas.append(shares(w))
    se = np.sqrt(np.mean((np.array(thetas) - theta) ** 2, axis=0))
    assert list(zip(table["by"], table["level"], strict=True)) == keys
    assert table["estimate"].to_numpy() == pytest.approx(theta, rel=1e-9)
    assert table["se"].to_numpy() == pytest.approx(se, rel=1e-7)
    assert (table["se"] > 0).all()


def test_cell_bootstrap_of_a_numeric_mean_matches_rake_bootstrap():
    import numpy as np

    from weighting import RakeReweight, rake_bootstrap

    data = _raking_sample(400, 6)
    data["y"] = np.random.default_rng(1).normal(size=len(data)) + (data["sex"] == "male")
    row = estimate(data, "y", weights="w", replicates="bootstrap", n_replicates=30, seed=3,
                   reweight=RakeReweight(RAKE_MARGINS)).iloc[0]
    theta, se, _ = rake_bootstrap(data, RAKE_MARGINS, data["y"].to_numpy(), base_weights="w",
                                  n_replicates=30, seed=3)
    assert row["estimate"] == pytest.approx(theta[0], rel=1e-9)
    assert row["se"] == pytest.approx(se[0], rel=1e-9)


def test_cell_bootstrap_holds_one_replicate_at_a_time():
    from weighting import RakeReweight

    # 200 replicates x 260,000 rows is past what the row-by-row replicates may hold.
    data = _raking_sample(260_000, 7, clusters=400)
    kwargs = dict(weights="w", cluster="psu", strata="stratum", replicates="bootstrap",
                  n_replicates=200)

    def generic(sample, base):
        return rake(sample, RAKE_MARGINS, base_weights=base)

    with pytest.raises(WeightingError, match="too many to"):
        estimate(data, "topic", reweight=generic, **kwargs)
    table = estimate(data, "topic", reweight=RakeReweight(RAKE_MARGINS), **kwargs)
    assert len(table) == 3 and (table["se"] > 0).all()
