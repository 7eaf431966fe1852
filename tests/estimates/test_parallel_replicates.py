"""Replicates computed over worker processes give what one process gives, draw for draw."""
from __future__ import annotations

import pandas as pd

from opinion.estimates.methods import estimate_with_intervals
from tests.estimates.test_count_rows import (
    collapse_with_hand_coded,
    hand_sample,
    outcomes,
    voices_with_duplicates,
)


def test_two_workers_give_the_one_process_intervals_with_counts_by_group_and_hand_codes() -> None:
    voices, margins = voices_with_duplicates(7)
    coded, frame = collapse_with_hand_coded(voices, 40, 30, seed=4)
    y, has_any = outcomes(frame)
    hand = hand_sample(frame, coded, 5)
    results = [estimate_with_intervals(frame, y, has_any, margins, by="region", replicates=23, seed=9, hand=hand,
                                       workers=workers) for workers in (1, 2)]
    one, two = results
    assert one.replicates == two.replicates == 23 - one.failed_replicates
    pd.testing.assert_frame_equal(one.table, two.table)
    assert one.by_table is not None and two.by_table is not None
    pd.testing.assert_frame_equal(one.by_table, two.by_table)
    assert one.coder_shift is not None and two.coder_shift is not None
    pd.testing.assert_frame_equal(one.coder_shift, two.coder_shift)
    # the intervals are real: replicates moved the estimates
    assert (one.table["se"].dropna() > 0).mean() > 0.9
