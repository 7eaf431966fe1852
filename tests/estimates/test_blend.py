"""The blend's mixes: the composite (Elliott & Haviland 2007) against the effective-size mix."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opinion.estimates.blend import blend, ratio, ratio_variance
from opinion.estimates.methods import estimate_with_intervals, point_estimates
from tests.estimates.simulation import simulate
from weighting.errors import WeightingError


def test_ratio_variance_of_a_simple_random_sample_is_p_q_over_n() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    y = (rng.random(n) < 0.3).astype(float)[:, None]
    w, d = np.ones(n), np.ones(n)
    p = ratio(w, y, d)[0]
    v = ratio_variance(w, y, d, np.arange(n).astype(str))[0]
    assert v == pytest.approx(p * (1 - p) / (n - 1), rel=1e-9)
    # rows of one unit count once: duplicating every row into two parts of the same unit
    # (weights halved) changes nothing
    twice = ratio_variance(np.full(2 * n, 0.5), np.vstack([y, y]), np.ones(2 * n),
                           np.tile(np.arange(n).astype(str), 2))[0]
    assert twice == pytest.approx(v, rel=1e-9)
    assert np.isnan(ratio_variance(w[:1], y[:1], d[:1], np.array(["a"]))[0])


def _one_group(p_online: float, p_survey: float, n_online: int, n_survey: int, seed: int = 1) -> tuple[float, float]:
    """The survey's share of the mix in one group, and the blended estimate."""
    rng = np.random.default_rng(seed)
    y = np.concatenate([rng.random(n_online) < p_online, rng.random(n_survey) < p_survey]).astype(float)[:, None]
    n = n_online + n_survey
    d = np.ones(n)
    group = np.full(n, "g", dtype=object)
    online = np.arange(n_online)
    survey_w = np.concatenate([np.zeros(n_online), np.ones(n_survey)])
    clusters = np.arange(n).astype(str)
    result = blend(y, d, d, pd.Series({"g": 1.0}), group, (online, group[online], np.ones(n_online)), survey_w,
                   clusters)
    return float(result.carry["survey_fraction"].iloc[0]), float(result.estimate[0])


def test_where_the_web_agrees_the_composite_leans_on_it_where_it_disagrees_on_the_survey() -> None:
    agree = [_one_group(0.30, 0.30, 2000, 200, seed) for seed in range(30)]
    differ = [_one_group(0.60, 0.30, 2000, 200, seed) for seed in range(30)]
    # Agreeing, the web carries a good part of the mix; the plug-in squared discrepancy is
    # as large as the noise on average, so the survey keeps about half (not the 9% a known
    # zero bias would give): the estimator's safe side.
    assert np.mean([share for share, _ in agree]) < 0.7
    # the composite's spread over samples is below the survey's own (p q / n = 0.00105)
    assert np.var([estimate for _, estimate in agree]) < 0.7 * 0.3 * 0.7 / 200
    # a discrepancy far beyond the variances: the survey carries the mix
    assert min(share for share, _ in differ) > 0.95
    assert np.mean([estimate for _, estimate in differ]) == pytest.approx(0.30, abs=0.01)


def test_the_composite_follows_the_survey_when_the_web_is_biased_within_groups() -> None:
    biased, ess_errors, composite_errors = 0, [], []
    for seed in range(4):
        voices, y, has_any, margins, truth = simulate(seed)
        online = (voices["source"] == "online").to_numpy()
        # online voices raise elder care far more than their neighbours of the same age and place
        rng = np.random.default_rng(seed)
        y = y.copy()
        y.loc[online & (rng.random(len(y)) < 0.3), "eldercare"] = True
        has_any = y.any(axis=1)
        composite = point_estimates(voices, y, has_any, margins)
        by_size = point_estimates(voices, y, has_any, margins, blend_mix="ess")
        ess_errors.append(abs(by_size.values.at["blend", "eldercare"] - truth["eldercare"]))
        composite_errors.append(abs(composite.values.at["blend", "eldercare"] - truth["eldercare"]))
        biased += by_size.values.at["blend", "eldercare"] - truth["eldercare"] > 0.03
    assert biased >= 3  # the effective-size mix carries the web's discrepancy into the estimate
    assert np.mean(composite_errors) < np.mean(ess_errors) / 2


def test_the_composite_is_redone_in_every_replicate_and_the_by_groups_use_it() -> None:
    voices, y, has_any, margins, truth = simulate(5)
    result = estimate_with_intervals(voices, y, has_any, margins, replicates=30, by="urban")
    table = result.table.set_index(["column", "method"])
    blend_row = table.loc[("eldercare", "blend")]
    assert blend_row["ci_low"] < blend_row["estimate"] < blend_row["ci_high"]
    units = result.point.blend_units
    assert units is not None and units.shape == (len(voices), 2)
    by = result.by_table.set_index(["level", "column", "method"])
    assert np.isfinite(by.loc[("rural", "eldercare", "blend"), "estimate"])
    with pytest.raises(WeightingError, match="blend_mix='nope'"):
        point_estimates(voices, y, has_any, margins, blend_mix="nope")


def test_a_voice_split_over_two_groups_counts_as_its_part_of_a_voice_in_each_group_effective_size() -> None:
    """10 online voices known to be in group a, 10 of unknown group allocated half to a and half to b:
    group a holds 15 voices' worth, and its effective size is 15, not Kish over 20 pieces (18)."""
    rng = np.random.default_rng(3)
    n_survey = 40
    n = 20 + n_survey
    y = (rng.random(n) < 0.4).astype(float)[:, None]
    d = np.ones(n)
    group = np.array(["a"] * 10 + ["?"] * 10 + ["a", "b"] * (n_survey // 2), dtype=object)
    positions = np.concatenate([np.arange(10), np.arange(10, 20), np.arange(10, 20)])
    labels = np.array(["a"] * 10 + ["a"] * 10 + ["b"] * 10, dtype=object)
    row_weights = np.concatenate([np.ones(10), np.full(20, 0.5)])
    survey_w = np.concatenate([np.zeros(20), np.ones(n_survey)])
    args = (y, d, d, pd.Series({"a": 0.5, "b": 0.5}), group, (positions, labels, row_weights), survey_w,
            np.arange(n).astype(str))
    carry = blend(*args, parts=np.concatenate([np.ones(10), np.full(20, 0.5)])).carry.set_index("group")
    assert carry.at["a", "online_ess"] == pytest.approx(15.0)
    assert carry.at["b", "online_ess"] == pytest.approx(5.0)
    as_pieces = blend(*args).carry.set_index("group")
    assert as_pieces.at["a", "online_ess"] == pytest.approx(18.0)  # what counting pieces as voices gave
