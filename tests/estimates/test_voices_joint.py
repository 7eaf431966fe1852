"""The blend groups' joint table, when the margins lack it, is estimated from the survey in
each pass of the estimates, so every bootstrap replicate re-estimates it."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opinion.estimates.methods import bootstrap_multipliers, point_estimates
from opinion.estimates.voices import survey_joint
from tests.cli.county import population
from weighting import Margins
from weighting.joint import joint_sources

BLEND = ("age_group", "urban")


@pytest.fixture(scope="module")
def voices() -> pd.DataFrame:
    pop = population(seed=2)
    rng = np.random.default_rng(4)
    survey = pop.sample(300, random_state=1).assign(source="survey", design_weight=1.0)
    young_urban = pop[(pop["urban"] == "urban") & pop["age_group"].isin(["18-29", "30-39", "40-49"])]
    online = pd.concat([young_urban.sample(140, random_state=2), pop.sample(20, random_state=3)])
    online = online.assign(source="online", design_weight=1.0)
    frame = pd.concat([online, survey], ignore_index=True)
    frame["cluster"] = [f"c{i // 5}" for i in range(len(frame))]
    # the concern rises with age and is commoner in villages
    old = frame["age_group"].isin(["60-69", "70+"]).to_numpy()
    p = 0.1 + 0.4 * old + 0.1 * (frame["urban"] == "rural").to_numpy()
    frame["y"] = (rng.random(len(frame)) < p).astype(float)
    return frame


def one_way() -> Margins:
    pop = population(seed=2)
    return Margins.from_shares({v: pop[v].value_counts(normalize=True).to_dict() for v in ("age_group", "sex", "urban")})


def blend(frame: pd.DataFrame, margins: Margins, m: pd.Series | None = None) -> float:
    point = point_estimates(frame, frame[["y"]], pd.Series(True, index=frame.index), margins, blend_vars=BLEND,
                            multipliers=m)
    return float(point.values.loc["blend", "y"])


def fixed(margins: Margins, frame: pd.DataFrame, m: pd.Series | None = None) -> Margins:
    """The one-way margins plus, as a given table, the joint estimated from the survey with
    the replicate multipliers ``m``."""
    joint = survey_joint(margins, frame, BLEND, m).shares("age_group*urban")
    shares = {v: margins.shares(v).to_dict() for v in ("age_group", "sex", "urban")}
    return Margins.from_shares({**shares, "age_group*urban": joint.to_dict()})


def test_one_way_margins_give_the_blend_with_the_survey_estimated_joint(voices: pd.DataFrame) -> None:
    margins = one_way()
    assert joint_sources(survey_joint(margins, voices, BLEND))[0].method == "survey"
    assert blend(voices, margins) == pytest.approx(blend(voices, fixed(margins, voices)), abs=1e-9)


def test_each_replicate_estimates_the_joint_again_from_its_own_weights(voices: pd.DataFrame) -> None:
    margins = one_way()
    m = bootstrap_multipliers(voices, np.random.default_rng(8))
    replicate = blend(voices, margins, m)
    assert replicate == pytest.approx(blend(voices, fixed(margins, voices, m), m), abs=1e-9)
    # not the full sample's joint held fixed
    assert abs(replicate - blend(voices, fixed(margins, voices), m)) > 1e-6


def test_a_joint_table_the_margins_give_is_used_as_it_is(voices: pd.DataFrame) -> None:
    margins = fixed(one_way(), voices)
    m = bootstrap_multipliers(voices, np.random.default_rng(8))
    assert joint_sources(survey_joint(margins, voices, BLEND, m))[0].method == "given"
    assert survey_joint(margins, voices, BLEND, m).shares("age_group*urban").equals(margins.shares("age_group*urban"))
