"""A method that cannot be weighted in many replicates gets no interval, and the reason."""
from __future__ import annotations

import numpy as np

from opinion.estimates.methods import MAX_FAILED_SHARE, estimate_with_intervals
from opinion.reports.build import convergence_note
from tests.estimates.test_count_rows import outcomes, voices_with_duplicates


def test_an_interval_resting_on_the_few_weightable_replicates_is_withheld() -> None:
    voices, margins = voices_with_duplicates(8)
    online = (voices["source"] == "online").to_numpy()
    # one online voice aged 60+: every replicate that misses it cannot rake the online voices
    old = np.flatnonzero(online & (voices["age_group"] == "60+").to_numpy())
    voices.loc[old[1:], "age_group"] = "18-29"
    y, has_any = outcomes(voices)
    result = estimate_with_intervals(voices, y, has_any, margins, replicates=40, seed=3, unknown="exclude")
    failed = result.failed_by_method.get("rake", 0)
    assert failed > MAX_FAILED_SHARE * 40  # about (1 - 1/n)^n of them miss the voice
    assert "rake" in result.withheld and "survey" not in result.withheld  # (pseudo needs the voice too)
    rake = result.table[result.table["method"] == "rake"]
    assert rake["estimate"].notna().all() and rake[["se", "ci_low", "ci_high"]].isna().all().all()
    survey = result.table[result.table["method"] == "survey"]
    assert survey[["ci_low", "ci_high"]].notna().all().all()
    note = convergence_note(result, "en")
    assert isinstance(note, dict) and f"{failed} of 40 replicates" in note["rake"] and "no interval" in note["rake"]
    assert "不显示区间" in convergence_note(result, "zh")["rake"]  # type: ignore[index]
