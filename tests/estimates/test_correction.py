"""Estimates corrected for the coder's errors with voices coded by a person."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.simulate_coding import hand_coded, noisy_coder, study, summary
from opinion.errors import InputError
from opinion.estimates.correction import (
    HandSample,
    coder_accuracy,
    draw_coding_sample,
    hand_sample,
    pseudo_outcomes,
)
from opinion.estimates.methods import estimate_with_intervals, point_estimates
from opinion.store.db import Store, hand_codes, upsert_document
from tests.estimates.simulation import simulate


def everyone(y: pd.DataFrame) -> HandSample:
    """A person coded every voice (probability 1): the correction must give the truth."""
    n = len(y)
    return HandSample(rows=np.arange(n), codes=y.to_numpy(dtype=float), probability=np.ones(n),
                      stratum=np.full(n, "all"), topics=list(y.columns), sample="all")


def test_with_every_voice_coded_by_a_person_the_pseudo_outcomes_are_the_persons_codes() -> None:
    voices, y, _, _, _ = simulate(3)
    coded = noisy_coder(voices, y, np.random.default_rng(0))
    tilde, d = pseudo_outcomes(coded, coded.any(axis=1), everyone(y))
    assert np.array_equal(tilde.to_numpy(), y.to_numpy(dtype=float))
    assert np.array_equal(d.to_numpy(), y.any(axis=1).to_numpy(dtype=float))


def test_pseudo_outcome_is_the_coders_value_plus_the_weighted_error() -> None:
    y = pd.DataFrame({"a": [True, False, True], "b": [False, False, True]})
    hand = HandSample(rows=np.array([1]), codes=np.array([[1.0, 0.0]]), probability=np.array([0.25]),
                      stratum=np.array(["online"]), topics=["a", "b"], sample="s")
    tilde, d = pseudo_outcomes(y, y.any(axis=1), hand)
    # voice 1: coder said nothing, the person said "a": 0 + (1 - 0) / 0.25 = 4
    assert tilde.to_numpy().tolist() == [[1.0, 0.0], [4.0, 0.0], [1.0, 1.0]]
    assert d.tolist() == [1.0, 4.0, 1.0]
    doubled, _ = pseudo_outcomes(y, y.any(axis=1), hand, phase2=np.array([2.0]))
    assert doubled.iat[1, 0] == 8.0


def test_corrected_estimates_equal_those_from_the_persons_codes_when_everyone_is_coded() -> None:
    voices, y, _, margins, _ = simulate(4)
    coded = noisy_coder(voices, y, np.random.default_rng(1))
    corrected = estimate_with_intervals(voices, coded, coded.any(axis=1), margins, replicates=0, hand=everyone(y))
    # The blend mixes sources by effective sizes taken over the coder's "any concern" (counted).
    truth_coded = point_estimates(voices, y, y.any(axis=1), margins, pseudo_ratio=True, counted=coded.any(axis=1))
    got = corrected.table.set_index(["method", "column"])["estimate"]
    for method in ("raw", "rake", "survey", "blend", "pseudo"):
        for topic in y.columns:
            assert got[(method, topic)] == pytest.approx(truth_coded.values.at[method, topic], abs=1e-9)


@pytest.mark.slow
def test_over_repeated_draws_the_coder_alone_is_biased_and_the_corrected_estimate_is_not() -> None:
    # A small version of `python -m benchmarks.simulate_coding` (README gives the full study).
    # raw is left out: online voices alone are biased for the population whatever the coding.
    table = summary(study(draws=8, replicates=20, hand=300)).reset_index()

    def row(kind: str, method: str, topic: str) -> pd.Series:
        found = table[(table.estimate_kind == kind) & (table.method == method) & (table.topic == topic)]
        return found.iloc[0]

    for method in ("survey", "blend"):
        alone, corrected = row("coder alone", method, "housing"), row("corrected", method, "housing")
        assert alone["bias"] > 0.015  # the coder's false housing codes inflate the share
        assert abs(corrected["bias"]) < alone["bias"] / 2
        assert corrected["coverage"] >= 0.75 > alone["coverage"]
        assert corrected["width"] > alone["width"]  # the coder's error is in the interval


def test_coder_accuracy_on_the_hand_coded_voices() -> None:
    y = pd.DataFrame({"a": [True, True, False, False], "b": [False, True, False, True]})
    hand = HandSample(rows=np.arange(4), codes=np.array([[1, 0], [0, 1], [0, 0], [1, 1]], dtype=float),
                      probability=np.ones(4), stratum=np.full(4, "x"), topics=["a", "b"], sample="s")
    accuracy = coder_accuracy(y, hand).set_index("topic")
    assert accuracy.at["a", "precision"] == 0.5 and accuracy.at["a", "recall"] == 0.5
    assert accuracy.at["b", "precision"] == 1.0 and accuracy.at["b", "recall"] == 1.0
    assert accuracy.at["a", "coded_by_person"] == 2


def test_the_draw_is_stratified_by_source_recorded_and_not_repeated(store: Store) -> None:
    voices, y, _, _, _ = simulate(5)
    voices = voices.assign(voice=[f"v{i}" for i in range(len(voices))],
                           texts=[["看病难"] if i % 7 else [] for i in range(len(voices))])
    drawn = draw_coding_sample(store, voices, 100, seed=1)
    frame = voices[voices["texts"].map(bool)]
    assert len(drawn) == 100 and drawn["voice"].is_unique
    assert drawn["texts"].map(bool).all()  # voices with no text cannot be coded
    for source, group in drawn.groupby("source"):
        size = int((frame["source"] == source).sum())
        assert group["probability"].iloc[0] == pytest.approx(len(group) / size)
        assert len(group) == pytest.approx(100 * size / len(frame), abs=1)
    with pytest.raises(InputError, match="already drawn"):
        draw_coding_sample(store, voices, 10, seed=2)
    assert len(hand_coded(voices, y, 50, np.random.default_rng(0)).rows) == 50


def test_corrected_shares_and_their_intervals_stay_between_0_and_1() -> None:
    voices, y, has_any, margins, _ = simulate(6)
    speaking = np.flatnonzero(y["eldercare"].to_numpy())[:5]
    # A person who disagrees with every coded concern of five voices drawn with a tiny probability.
    hand = HandSample(rows=speaking, codes=np.zeros((5, 2)), probability=np.full(5, 0.01),
                      stratum=np.full(5, "all"), topics=list(y.columns), sample="s", concern=np.ones(5))
    table = estimate_with_intervals(voices, y, has_any, margins, replicates=10, hand=hand).table
    values = table[["estimate", "ci_low", "ci_high"]].to_numpy()
    assert np.nanmin(values) >= 0.0 and np.nanmax(values) <= 1.0
    assert (table["estimate"] == 0.0).any()  # the raw pseudo-outcome estimate fell below 0


def test_the_coder_shift_is_the_corrected_blend_minus_the_blend_over_the_coders_topics() -> None:
    voices, y, _, margins, _ = simulate(8)
    rng = np.random.default_rng(2)
    coded = noisy_coder(voices, y, rng)
    result = estimate_with_intervals(voices, coded, coded.any(axis=1), margins, replicates=20,
                                     hand=hand_coded(voices, y, 400, rng))
    shift = result.coder_shift.set_index("column")
    assert (shift["method"] == "blend").all()
    units = result.point.blend_units  # the blend's unit weights, per voice and topic
    assert units is not None

    def share(codes: pd.DataFrame) -> np.ndarray:
        return (units * codes.to_numpy(float)).sum(0) / (units * codes.any(axis=1).to_numpy(float)[:, None]).sum(0)

    coder_blend = share(coded)
    corrected = result.point.values.loc["blend"].to_numpy()
    assert np.allclose(shift["shift"].to_numpy(), corrected - coder_blend)
    # it estimates how far the coder's errors move the blend: the same weights over the true codes
    true_blend = share(y)
    error = pd.Series(true_blend - coder_blend, index=y.columns)
    assert abs(error["eldercare"]) > 0.01
    assert (shift["se"] > 0).all()
    assert ((shift["shift"] - error).abs() <= 3 * shift["se"]).all()
    assert estimate_with_intervals(voices, coded, coded.any(axis=1), margins, replicates=2).coder_shift is None


def test_a_hand_coded_voice_whose_documents_changed_after_the_draw_is_left_out_with_its_stratum_reweighted(
        store: Store) -> None:
    """The person coded the texts of the draw; a later post by that author is not what they read."""
    with store.engine.begin() as conn:
        for i in range(40):
            upsert_document(conn, {"url": f"http://x.cn/{i:02d}", "source": "论坛", "kind": "post",
                                   "content_hash": f"h{i}", "author": f"v_{i % 20:02d}", "text": "看病难，医保报销慢",
                                   "fetched_at": "2026-11-27T12:00:00"})
    voices = pd.DataFrame({"voice": [f"v_{i:02d}" for i in range(20)], "source": "online",
                           "texts": [["看病难，医保报销慢"]] * 20})
    drawn = draw_coding_sample(store, voices, 10, seed=3, name="s1")
    assert set(drawn["probability"]) == {0.5}
    with store.engine.begin() as conn:
        conn.execute(hand_codes.insert(), [
            {"sample": "s1", "source": "online", "voice": v, "topics": '["healthcare"]', "no_concern": False,
             "imported_at": "2026-11-28T09:00:00", "file": "coded.xlsx"} for v in drawn["voice"]])
    unchanged = hand_sample(store, voices, ["healthcare", "eldercare"])
    assert unchanged is not None and (unchanged.n, unchanged.changed) == (10, 0)
    assert unchanged.probability.tolist() == [0.5] * 10

    changed, edited = sorted(drawn["voice"])[:2]
    not_drawn = sorted(set(voices["voice"]) - set(drawn["voice"]))[0]
    with store.engine.begin() as conn:
        for url, author, text in ((f"http://x.cn/new-{changed}", changed, "村里的养老院太少"),
                                  (f"http://x.cn/new-{not_drawn}", not_drawn, "路灯坏了")):
            upsert_document(conn, {"url": url, "source": "论坛", "kind": "post", "content_hash": url,
                                   "author": author, "text": text, "fetched_at": "2026-12-01T08:00:00"})
        upsert_document(conn, {"url": f"http://x.cn/{int(edited[2:]):02d}", "source": "论坛", "kind": "post",
                               "content_hash": "edited", "author": edited, "text": "看病难，家里老人没人照顾",
                               "fetched_at": "2026-12-01T08:00:00"})
    hand = hand_sample(store, voices, ["healthcare", "eldercare"])
    assert hand is not None and (hand.n, hand.changed) == (8, 2)
    kept = {voices["voice"].iat[row] for row in hand.rows}
    assert kept == set(drawn["voice"]) - {changed, edited}
    # the stratum's 8 voices still coded stand for its 20: probability 0.5 * 8 / 10
    assert hand.probability.tolist() == pytest.approx([0.4] * 8)
