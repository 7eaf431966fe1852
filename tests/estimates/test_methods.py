"""Estimators on a simulated population with a known truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opinion.attributes import UNKNOWN
from opinion.estimates.methods import bootstrap_multipliers, estimate_with_intervals, point_estimates
from tests.estimates.simulation import simulate
from weighting.errors import WeightingError


def test_blend_corrects_what_raw_misses_and_its_interval_covers_the_truth() -> None:
    # Coverage is a property of many samples, so check it over several simulated surveys.
    covered, raw_error, blend_error, widths = 0, 0.0, 0.0, []
    seeds = range(8)
    for seed in seeds:
        voices, y, has_any, margins, truth = simulate(seed)
        result = estimate_with_intervals(voices, y, has_any, margins, replicates=40, seed=1)
        table = result.table.set_index(["column", "method"])
        raw, blend, survey = (table.loc[("eldercare", m)] for m in ("raw", "blend", "survey"))
        assert truth["eldercare"] - raw["estimate"] > 0.05  # the web alone misses the elderly
        covered += blend["ci_low"] <= truth["eldercare"] <= blend["ci_high"]
        raw_error += abs(raw["estimate"] - truth["eldercare"])
        blend_error += abs(blend["estimate"] - truth["eldercare"])
        # the blend rests on both sources, so it is more precise than the survey alone
        widths.append((blend["ci_high"] - blend["ci_low"]) < (survey["ci_high"] - survey["ci_low"]))
        assert result.failed_replicates == 0
    assert covered >= 6
    assert blend_error < raw_error / 3
    assert sum(widths) >= 6


def test_group_without_online_voices_is_carried_by_the_survey() -> None:
    voices, y, has_any, margins, _ = simulate()
    silent = (voices["source"] == "online") & (voices["age_group"] == "60+") & (voices["urban"] == "rural")
    voices, y, has_any = voices[~silent], y[~silent], has_any[~silent]
    # raking needs every level present online: keep 60+ via the urban elderly
    point = point_estimates(voices, y, has_any, margins)
    carry = point.carry.set_index("group")
    assert carry.loc["60+*rural", "online_ess"] == 0
    assert carry.loc["60+*rural", "survey_fraction"] == 1.0
    assert 0 < carry.loc["18-29*urban", "survey_fraction"] < 0.5


def test_an_author_with_many_posts_is_one_voice_so_estimates_ignore_post_counts() -> None:
    voices, y, has_any, margins, _ = simulate()
    point = point_estimates(voices, y, has_any, margins)
    assert point.n["raw"] == int((voices["source"] == "online").sum())


def test_bootstrap_multipliers_resample_units_and_clusters() -> None:
    voices, *_ = simulate()
    m = bootstrap_multipliers(voices, np.random.default_rng(3))
    online = voices["source"] == "online"
    assert m[online].sum() == online.sum()
    survey_m = m[~online]
    per_cluster = survey_m.groupby(voices.loc[~online, "cluster"]).nunique()
    assert (per_cluster == 1).all()  # a cluster is drawn whole
    clusters = voices.loc[~online, "cluster"].nunique()
    assert survey_m.groupby(voices.loc[~online, "cluster"]).first().sum() == pytest.approx(clusters)


def test_same_seed_same_estimates() -> None:
    voices, y, has_any, margins, _ = simulate()
    a = estimate_with_intervals(voices, y, has_any, margins, replicates=20, seed=5).table
    b = estimate_with_intervals(voices, y, has_any, margins, replicates=20, seed=5).table
    pd.testing.assert_frame_equal(a, b)


def test_pseudo_weights_correct_the_online_voices_against_the_survey() -> None:
    from opinion.estimates.methods import pseudo_estimates

    voices, y, has_any, margins, truth = simulate(2)
    point = point_estimates(voices, y, has_any, margins)
    raw = point.values.loc["raw", "eldercare"]
    # the simulated propensity has an age x urban interaction: model it, as a user would
    voices = voices.assign(cell=voices["age_group"] + voices["urban"])
    for estimator in ("ipw", "dr"):
        result = pseudo_estimates(voices, y, has_any, point.weights["survey"], covariates=("cell", "sex"),
                                  estimator=estimator)
        row = result.set_index("column").loc["eldercare"]
        # closer than raw, though a cell with two online voices cannot carry much
        assert abs(row["estimate"] - truth["eldercare"]) < abs(raw - truth["eldercare"]), estimator
        assert row["ci_low"] <= truth["eldercare"] <= row["ci_high"], estimator
        assert row["n"] == int((voices["source"] == "online").sum())


def test_blend_and_pseudo_beat_rake_when_going_online_depends_on_what_the_margins_lack() -> None:
    # Mountain villagers are rarely online and worry about roads; the census margins know
    # nothing of terrain, the survey asks. Raking cannot see it; pseudo (with terrain as a
    # covariate) and blend (through the survey) can.
    errors: dict[str, list[float]] = {"rake": [], "pseudo": [], "blend": []}
    for seed in range(6):
        rng = np.random.default_rng(100 + seed)
        voices, y, has_any, margins, _ = simulate(seed)
        mountain = rng.random(len(voices)) < 0.3
        roads = rng.random(len(voices)) < np.where(mountain, 0.6, 0.1)
        voices = voices.assign(terrain=np.where(mountain, "mountain", "plain"))
        online = (voices["source"] == "online").to_numpy()
        keep = ~(online & mountain & (rng.random(len(voices)) < 0.85))  # mountain voices rarely online
        voices, roads = voices[keep], roads[keep]
        y = pd.DataFrame({"roads": roads}, index=voices.index)
        has_any = pd.Series(True, index=voices.index)
        truth = 0.3 * 0.6 + 0.7 * 0.1
        point = point_estimates(voices, y, has_any, margins, pseudo_vars=("age_group", "sex", "urban", "terrain"))
        for method in errors:
            errors[method].append(abs(point.values.loc[method, "roads"] - truth))
    assert np.mean(errors["pseudo"]) < np.mean(errors["rake"]) / 2
    assert np.mean(errors["blend"]) < np.mean(errors["rake"])


def test_online_voices_of_unknown_attributes_are_allocated_not_dropped() -> None:
    voices, y, has_any, margins, truth = simulate(11)
    rng = np.random.default_rng(0)
    online = (voices["source"] == "online").to_numpy()
    hidden = online & (rng.random(len(voices)) < 0.4)
    voices = voices.copy()
    voices.loc[hidden, "age_group"] = UNKNOWN
    voices.loc[online & (rng.random(len(voices)) < 0.2), "urban"] = UNKNOWN
    fractional = point_estimates(voices, y, has_any, margins)
    excluded = point_estimates(voices, y, has_any, margins, unknown="exclude")
    speaking_online = int((online & has_any.to_numpy()).sum())
    assert fractional.n["rake"] == speaking_online > excluded.n["rake"]
    assert fractional.ess["rake"] > excluded.ess["rake"]
    # Hidden at random: both stay near what the known voices say; the blend uses every voice.
    for topic in ("eldercare", "housing"):
        assert abs(fractional.values.at["rake", topic] - excluded.values.at["rake", topic]) < 0.05
    assert fractional.weights["blend"][hidden].gt(0).any()
    assert not excluded.weights["blend"][hidden].gt(0).any()
    # pseudo too: the voices of unknown attributes take part in the participation model
    assert fractional.n["pseudo"] == speaking_online > excluded.n["pseudo"]
    assert fractional.weights["pseudo"][hidden].gt(0).all()
    assert not excluded.weights["pseudo"][hidden].gt(0).any()
    assert abs(fractional.values.at["pseudo", "eldercare"] - excluded.values.at["pseudo", "eldercare"]) < 0.05
    with pytest.raises(WeightingError, match="unknown='nope'"):
        point_estimates(voices, y, has_any, margins, unknown="nope")
