"""Joint shares estimated from one-way margins: checked on a generated population with a known joint."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from weighting.errors import WeightingError
from weighting.joint import GIVEN, INDEPENDENCE, SURVEY, JointMargins, JointSource, complete_joint, estimate_joint, joint_sources
from weighting.margins import Margins

AGES = ["18-29", "30-39", "40-49", "50-59", "60-69", "70+"]
# A county whose rural side is older than its urban side: far from independent.
JOINT = np.array([[.10, .04], [.10, .05], [.09, .06], [.07, .08], [.05, .10], [.03, .13]])


def population(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = JOINT / JOINT.sum()
    cells = rng.choice(p.size, size=n, p=p.ravel())
    return pd.DataFrame({
        "age_group": np.array(AGES)[cells // 2],
        "urban": np.array(["urban", "rural"])[cells % 2],
        "sex": rng.choice(["male", "female"], size=n),
    })


def one_way(pop: pd.DataFrame) -> Margins:
    return Margins.from_shares({v: pop[v].value_counts(normalize=True).to_dict() for v in ("age_group", "sex", "urban")})


def known_joint(pop: pd.DataFrame) -> pd.Series:
    shares = pop.groupby(["age_group", "urban"]).size() / len(pop)
    shares.index = ["*".join(k) for k in shares.index]
    return shares


def test_a_representative_survey_reproduces_the_known_joint() -> None:
    pop = population(400_000)
    margins = one_way(pop)
    survey = pop.sample(3000, random_state=11)
    completed = complete_joint(margins, ["age_group", "urban"], survey)
    estimated = completed.shares("age_group*urban")
    truth = known_joint(pop).reindex(estimated.index)
    # standard error of a share near 0.1 with 3000 respondents is about 0.0055
    assert (estimated - truth).abs().max() < 0.02
    # independence would be far off: this county's rural side is older
    independent = complete_joint(margins, ["age_group", "urban"]).shares("age_group*urban").reindex(truth.index)
    assert (independent - truth).abs().max() > 0.03
    assert joint_sources(completed)[0].method == SURVEY
    assert joint_sources(completed)[0].respondents == 3000


def test_design_weights_undo_an_unequal_selection() -> None:
    pop = population(400_000, seed=3)
    margins = one_way(pop)
    rng = np.random.default_rng(5)
    # rural 70+ drawn at four times the rate of everyone else, their design weight a quarter
    rate = np.where((pop["age_group"] == "70+") & (pop["urban"] == "rural"), 0.04, 0.01)
    survey = pop[rng.random(len(pop)) < rate]
    weights = 1 / rate[survey.index]
    weighted = complete_joint(margins, ["age_group", "urban"], survey, weights).shares("age_group*urban")
    unweighted = complete_joint(margins, ["age_group", "urban"], survey).shares("age_group*urban")
    truth = known_joint(pop)
    assert abs(weighted["70+*rural"] - truth["70+*rural"]) < 0.015
    assert unweighted["70+*rural"] - truth["70+*rural"] > 0.02


def test_the_estimate_keeps_the_one_way_margins_exactly() -> None:
    pop = population(50_000)
    margins = one_way(pop)
    survey = pop.sample(500, random_state=1)
    completed = complete_joint(margins, ["age_group", "urban"], survey)
    joint = completed.joint(["age_group", "urban"])
    for variable in ("age_group", "urban"):
        summed = joint.groupby(level=variable).sum()
        assert np.allclose(summed.reindex(margins.shares(variable).index), margins.shares(variable), atol=1e-9)


def test_a_cell_no_respondent_falls_in_keeps_a_small_share() -> None:
    pop = population(50_000)
    survey = pop[~((pop["age_group"] == "18-29") & (pop["urban"] == "rural"))].sample(400, random_state=2)
    shares, source = estimate_joint(one_way(pop), ["age_group", "urban"], survey)
    assert 0 < shares["18-29*rural"] < 0.01
    assert source.respondents == 400


def test_without_respondents_the_variables_are_taken_as_independent() -> None:
    margins = Margins.from_shares({"age_group": {"18-29": .3, "30-59": .5, "60+": .2},
                                   "urban": {"urban": .6, "rural": .4}})
    completed = complete_joint(margins, ["age_group", "urban"])
    assert completed.shares("age_group*urban")["60+*rural"] == pytest.approx(.2 * .4)
    assert joint_sources(completed) == (
        JointSource("age_group*urban", INDEPENDENCE, ("age_group", "urban"), 0),)


def test_a_joint_table_the_margins_give_is_used_as_given() -> None:
    margins = Margins.from_shares({"age_group*urban": {"18-29*urban": .2, "18-29*rural": .1, "60+*urban": .3,
                                                       "60+*rural": .4}, "sex": {"male": .5, "female": .5}})
    survey = pd.DataFrame({"age_group": ["18-29"] * 10, "urban": ["urban"] * 10})
    completed = complete_joint(margins, ["age_group", "urban"], survey)
    assert completed.shares("age_group*urban")["60+*rural"] == pytest.approx(.4)
    assert [(j.method, j.basis) for j in joint_sources(completed)] == [(GIVEN, ("age_group*urban",))]


def test_a_given_wider_table_is_kept_in_a_three_way_estimate() -> None:
    margins = Margins.from_shares({
        "age_group*sex": {"18-29*male": .2, "18-29*female": .1, "60+*male": .3, "60+*female": .4},
        "urban": {"urban": .6, "rural": .4},
    })
    survey = pd.DataFrame({"age_group": ["18-29", "60+", "60+", "18-29"], "sex": ["male", "female", "male", "female"],
                           "urban": ["urban", "rural", "rural", "urban"]})
    completed = complete_joint(margins, ["age_group", "sex", "urban"], survey)
    joint = completed.joint(["age_group", "sex", "urban"])
    assert joint.groupby(level=["age_group", "sex"]).sum()[("60+", "female")] == pytest.approx(.4)
    assert joint_sources(completed)[0].basis == ("age_group*sex", "urban")


def test_an_estimated_table_is_estimated_again_from_a_new_sample() -> None:
    pop = population(20_000)
    margins = one_way(pop)
    first = complete_joint(margins, ["age_group", "urban"], pop.sample(300, random_state=1))
    rural_old = pop[(pop["age_group"] == "70+") & (pop["urban"] == "rural")]
    second = complete_joint(first, ["age_group", "urban"], pd.concat([pop.sample(100, random_state=2), rural_old.head(200)]))
    assert isinstance(second, JointMargins)
    assert second.shares("age_group*urban")["70+*rural"] > first.shares("age_group*urban")["70+*rural"] + 0.02
    assert joint_sources(second)[0].respondents == 300


def test_a_variable_the_margins_lack_is_an_error_naming_it() -> None:
    margins = Margins.from_shares({"sex": {"male": .5, "female": .5}})
    with pytest.raises(WeightingError, match="age_group"):
        complete_joint(margins, ["age_group", "sex"])
