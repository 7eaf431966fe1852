from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from weighting import (
    WeightingError,
    calibration_residuals,
    linearized_variance,
    make_design,
    ratio_influence,
    replicate_multipliers,
    replicate_variance,
    replicate_weights,
)


def test_cluster_totals_vary_with_replacement():
    z = np.array([1.0, 2, 3, 4, 5, 6])
    design = make_design(6, ["a", "a", "b", "b", "c", "c"], None)
    # PSU totals 3, 7, 11: deviations from 7 squared sum to 32, times 3/2
    assert linearized_variance(z, design) == pytest.approx([48.0])


def test_strata_add_up_and_nest_clusters():
    z = np.array([1.0, 2, 3, 4, 5, 6])
    design = make_design(6, ["a", "a", "b", "b", "a", "b"], ["s", "s", "s", "s", "t", "t"])
    assert design.n_psu == 4  # cluster 'a' of stratum t is another PSU than 'a' of s
    # stratum s: totals 3, 7 -> 8 * 2 = 16; stratum t: totals 5, 6 -> 0.5 * 2 = 1
    assert linearized_variance(z, design) == pytest.approx([17.0])


def test_single_psu_stratum_is_an_error():
    design = make_design(3, ["a", "b", "c"], ["s", "s", "t"])
    with pytest.raises(WeightingError, match=r"'t' have a single PSU.*merge"):
        linearized_variance(np.ones(3), design)


def test_ratio_influence_by_hand():
    y = np.array([[1.0], [3.0], [5.0]])
    w = np.array([1.0, 1.0, 2.0])
    theta, z = ratio_influence(y, np.ones((3, 1)), w)
    assert theta == pytest.approx([14 / 4])
    assert z[:, 0] == pytest.approx([(1 - 3.5) / 4, (3 - 3.5) / 4, 2 * (5 - 3.5) / 4])


def test_poststrat_residuals_by_hand():
    z = np.array([[1.0], [2.0], [3.0], [4.0]])
    w = np.array([1.0, 1.0, 2.0, 2.0])
    out = calibration_residuals(z, w, [np.array([0, 0, 1, 1])], "poststrat")
    # z / w = 1, 2, 1.5, 2; cell means 1.5 and 1.75; times w again
    assert out[:, 0] == pytest.approx([-0.5, 0.5, -0.5, 0.5])


def test_rake_residuals_are_orthogonal_to_every_margin():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(40, 2))
    w = rng.uniform(0.5, 2, size=40)
    a, b = rng.integers(0, 3, size=40), rng.integers(0, 2, size=40)
    out = calibration_residuals(z, w, [a, b], "rake")
    e = out / w[:, None]
    for codes in (a, b):
        for level in np.unique(codes):
            assert e[codes == level].sum(axis=0) == pytest.approx([0, 0], abs=1e-9)


def test_jk1_drops_one_cluster_and_scales_the_rest():
    design = make_design(5, [1, 1, 2, 3, 3], None)
    multipliers, factors = replicate_multipliers(design, "jk1")
    assert multipliers.tolist() == [[0, 0, 1.5, 1.5, 1.5], [1.5, 1.5, 0, 1.5, 1.5], [1.5, 1.5, 1.5, 0, 0]]
    assert factors == pytest.approx([2 / 3] * 3)


def test_rao_wu_bootstrap_draws_n_minus_one_psus_per_stratum():
    design = make_design(7, [1, 2, 3, 4, 5, 6, 7], ["s"] * 4 + ["t"] * 3)
    first, factors = replicate_multipliers(design, "bootstrap", 50, seed=11)
    again, _ = replicate_multipliers(design, "bootstrap", 50, seed=11)
    other, _ = replicate_multipliers(design, "bootstrap", 50, seed=12)
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert factors == pytest.approx([1 / 50] * 50)
    # counts of n_h - 1 draws rescaled by n_h / (n_h - 1): they sum to n_h per stratum
    assert first[:, :4].sum(axis=1) == pytest.approx([4.0] * 50)
    assert first[:, 4:].sum(axis=1) == pytest.approx([3.0] * 50)


def test_replicate_weights_redo_the_weighting_without_dropped_units():
    data = pd.DataFrame({"g": ["x", "x", "y"]})
    seen = []

    def reweight(sample, base):
        seen.append(list(sample.index))
        return base * 10

    weights = replicate_weights(data, np.ones(3), np.array([[0.0, 2.0, 1.0]]), reweight)
    assert seen == [[1, 2]]
    assert weights.tolist() == [[0.0, 20.0, 10.0]]


def test_replicate_variance_is_centred_on_the_full_estimate():
    thetas = np.array([[1.0], [3.0]])
    assert replicate_variance(thetas, np.array([1.0]), np.array([0.5, 0.5])) == pytest.approx([2.0])
    with pytest.raises(WeightingError, match="undefined in some replicate"):
        replicate_variance(np.array([[np.nan]]), np.array([1.0]), np.array([1.0]))


def _clustered_sample(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 300
    return pd.DataFrame({
        "sex": rng.choice(["male", "female"], n),
        "age": rng.choice(["young", "mid", "old"], n, p=[0.5, 0.3, 0.2]),
        "psu": rng.integers(0, 30, n),
        "stratum": rng.choice(["s", "t"], n),
        "w": rng.uniform(1, 4, n),
        "y": rng.normal(size=n),
    })


def test_cell_bootstrap_equals_raking_each_replicate_row_by_row():
    from weighting import Margins, rake
    from weighting.replicates import rake_bootstrap, rao_wu_multipliers

    data = _clustered_sample()
    margins = Margins.from_shares({"sex": {"male": 0.5, "female": 0.5},
                                   "age": {"young": 0.3, "mid": 0.3, "old": 0.4}})
    theta, se, thetas = rake_bootstrap(data, margins, data["y"].to_numpy(), base_weights="w",
                                       cluster="psu", strata="stratum", n_replicates=8,
                                       seed=np.random.default_rng(7))
    design = make_design(len(data), data["psu"].to_numpy(), data["stratum"].to_numpy())
    psu_stratum = np.empty(design.n_psu, dtype=np.int64)
    psu_stratum[design.psu] = design.stratum
    rng = np.random.default_rng(7)
    for r in range(8):
        mult = rao_wu_multipliers(psu_stratum, rng)
        for h in np.unique(psu_stratum):  # n_h - 1 draws rescaled: multipliers sum to n_h
            n_h = int((psu_stratum == h).sum())
            assert mult[psu_stratum == h].sum() == pytest.approx(n_h)
        base = data["w"].to_numpy() * mult[design.psu]
        keep = base > 0
        w = rake(data.loc[keep], margins, base_weights=pd.Series(base[keep], index=data.index[keep])).weights
        assert thetas[r, 0] == pytest.approx(float((w * data.loc[keep, "y"]).sum() / w.sum()), rel=1e-9)
    full = rake(data, margins, base_weights="w").weights
    assert theta[0] == pytest.approx(float((full * data["y"]).sum() / full.sum()), rel=1e-9)
    assert se[0] == pytest.approx(np.sqrt(np.mean((thetas[:, 0] - theta[0]) ** 2)))
