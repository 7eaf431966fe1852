"""The design behind the intervals: stratified Rao-Wu replicates, effective degrees of freedom, t intervals."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from opinion.estimates.design import (
    COLLAPSED,
    ONLINE,
    bootstrap_multipliers,
    effective_df,
    strata_and_units,
    t_interval,
)


def _survey(sizes: dict[str, int], per_cluster: int = 3) -> pd.DataFrame:
    rows = [{"source": "survey", "stratum": h, "cluster": f"{h}-{c}"}
            for h, clusters in sizes.items() for c in range(clusters) for _ in range(per_cluster)]
    return pd.DataFrame(rows)


def test_replicates_resample_clusters_within_their_strata() -> None:
    online = pd.DataFrame({"source": ["online"] * 50, "stratum": None, "cluster": None})
    voices = pd.concat([online, _survey({"A": 2, "B": 3, "C": 5})], ignore_index=True)
    design = strata_and_units(voices)
    rng = np.random.default_rng(1)
    for _ in range(200):
        m = bootstrap_multipliers(voices, rng, design)
        assert m[:50].sum() == 50  # online voices: 50 draws of single voices
        survey = voices.iloc[50:].assign(m=m[50:].to_numpy())
        per_cluster = survey.groupby(["stratum", "cluster"])["m"].first()
        # n_h - 1 draws in each stratum, rescaled by n_h / (n_h - 1): the multipliers sum to n_h
        assert per_cluster.groupby(level=0).sum().to_dict() == pytest.approx({"A": 2, "B": 3, "C": 5})
        # within a cluster everyone shares the multiplier
        assert (survey.groupby("cluster")["m"].nunique() == 1).all()


def test_a_survey_without_strata_is_one_stratum() -> None:
    voices = _survey({"x": 6}).drop(columns="stratum")
    strata, units = strata_and_units(voices)
    assert set(strata) == {"survey"} and len(set(units)) == 6


def test_singleton_strata_are_collapsed() -> None:
    strata, _ = strata_and_units(_survey({"A": 1, "B": 1, "C": 4}))
    assert set(strata) == {COLLAPSED, "stratum C"}
    # a lone singleton joins the stratum with the fewest clusters
    strata, _ = strata_and_units(_survey({"A": 1, "B": 2, "C": 4}))
    assert set(strata) == {"stratum B", "stratum C"}


def test_effective_df_of_simple_designs() -> None:
    voices = _survey({"A": 6})
    strata, units = strata_and_units(voices)
    assert effective_df(np.ones(len(voices)), strata, units) == pytest.approx(5)
    voices = _survey({"A": 2, "B": 2})
    strata, units = strata_and_units(voices)
    assert effective_df(np.ones(len(voices)), strata, units) == pytest.approx(2)
    # one stratum carrying (nearly) all the weight: its one degree of freedom is all there is
    w = np.where(voices["stratum"] == "A", 100.0, 1.0)
    assert effective_df(w, strata, units) == pytest.approx(1, abs=0.01)
    online = pd.DataFrame({"source": ["online"] * 300})
    strata, units = strata_and_units(online)
    assert set(strata) == {ONLINE}
    assert effective_df(np.ones(300), strata, units) == pytest.approx(299)


def test_t_interval_widens_with_fewer_degrees_of_freedom_and_stays_in_bounds() -> None:
    normal = t_interval(0.3, 0.05, float("inf"))
    centre = np.log(0.3 / 0.7)
    half = stats.norm.ppf(0.975) * 0.05 / 0.21
    assert normal == pytest.approx((1 / (1 + np.exp(-(centre - half))), 1 / (1 + np.exp(-(centre + half)))))
    wide = t_interval(0.3, 0.05, 2.0)
    assert wide[0] < normal[0] and wide[1] > normal[1]
    low, high = t_interval(0.02, 0.03, 3.0)
    assert 0 < low < 0.02 < high < 1
    assert t_interval(0.0, 0.01, 10.0) == pytest.approx((-stats.t.ppf(0.975, 10) * 0.01, stats.t.ppf(0.975, 10) * 0.01))
    assert all(np.isnan(t_interval(float("nan"), 0.1, 5.0)))


def test_intervals_cover_when_a_few_strata_carry_the_weight() -> None:
    """A county survey as field teams draw them: two villages in each of ten townships, the
    two urban townships carrying most of the population. Replicate standard errors with the
    normal quantile cover well under 95%; with t at the effective degrees of freedom they
    reach it. The ratio (a share among those who answer) is recomputed in each replicate."""
    rng = np.random.default_rng(7)
    size = np.array([20000.0, 20000.0] + [2500.0] * 8)  # adults per township: two urban 街道, eight towns
    strata = np.repeat(np.arange(10), 2 * 15)
    clusters = np.repeat(np.arange(20), 15)
    weight = size[strata] / 30  # two villages of ten, fifteen adults each
    frame = pd.DataFrame({"source": "survey", "stratum": strata.astype(str), "cluster": clusters.astype(str)})
    design = strata_and_units(frame)
    df = effective_df(weight, *design)
    assert 1.5 < df < 4
    logit = np.log(0.3 / 0.7)
    covered_t, covered_z, draws = 0, 0, 200
    for _ in range(draws):
        chance = 1 / (1 + np.exp(-(logit + rng.normal(0, 0.6, (10, 10)))))  # ten villages per township
        truth = float(np.sum(size * chance.mean(axis=1)) / size.sum())
        drawn = np.array([rng.choice(10, 2, replace=False) for _ in range(10)])
        y = (rng.random(len(frame)) < chance[strata, drawn.ravel()[clusters]]).astype(float)
        estimate = np.sum(weight * y) / np.sum(weight)
        replicates = []
        for _ in range(60):
            m = bootstrap_multipliers(frame, rng, design).to_numpy()
            replicates.append(np.sum(m * weight * y) / np.sum(m * weight))
        se = float(np.std(replicates, ddof=1))
        low, high = t_interval(estimate, se, df)
        covered_t += low <= truth <= high
        low, high = t_interval(estimate, se, float("inf"))
        covered_z += low <= truth <= high
    assert covered_z / draws < 0.92
    assert 0.92 <= covered_t / draws <= 0.995


def test_a_blend_takes_the_degrees_of_freedom_of_the_source_its_variance_comes_from() -> None:
    online = pd.DataFrame({"source": ["online"] * 300, "stratum": None, "cluster": None})
    voices = pd.concat([online, _survey({"A": 2, "B": 2}, per_cluster=10)], ignore_index=True)
    strata, units = strata_and_units(voices)
    y = (np.random.default_rng(3).random(len(voices)) < 0.4).astype(float)
    is_online = np.arange(len(voices)) < 300
    survey_only = effective_df(np.where(is_online, 0.0, 1.0), strata, units, y)
    online_only = effective_df(np.where(is_online, 1.0, 0.0), strata, units, y)
    assert survey_only == pytest.approx(2) and online_only == pytest.approx(299)
    leaning_on_survey = effective_df(np.where(is_online, 0.01, 1.0), strata, units, y)
    leaning_on_web = effective_df(np.where(is_online, 1.0, 0.01), strata, units, y)
    assert 2 <= leaning_on_survey < 3 and 100 < leaning_on_web < 300
