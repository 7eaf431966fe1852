"""The blend's assumption, tested where both sources are large."""
from __future__ import annotations

import numpy as np
import pandas as pd

from opinion.estimates.assumptions import source_agreement, summarise


def frame(online_rate: float, survey_rate: float, n: int = 200, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    voices = pd.DataFrame({
        "source": ["online"] * n + ["survey"] * n,
        "age_group": "60+", "urban": "rural",
    })
    y = pd.DataFrame({"eldercare": np.r_[rng.random(n) < online_rate, rng.random(n) < survey_rate]})
    return voices, y, pd.Series(True, index=voices.index)


def test_a_group_whose_online_voices_differ_is_flagged() -> None:
    check = source_agreement(*frame(0.2, 0.6))
    assert len(check) == 1 and check.loc[0, "p_value"] < 0.001
    assert summarise(check)["differ"] == 1


def test_agreeing_sources_are_not_flagged() -> None:
    check = source_agreement(*frame(0.4, 0.4, n=400, seed=3))
    assert check.loc[0, "p_value"] > 0.05


def test_small_groups_are_not_tested() -> None:
    check = source_agreement(*frame(0.2, 0.6, n=20))
    assert check.empty and summarise(check)["comparisons"] == 0
