"""Rows that stand for several identical online voices (a ``count`` column) give exactly
the estimates of the frame with a row per voice."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opinion.attributes import UNKNOWN
from opinion.errors import InputError
from opinion.estimates.correction import HandSample, pseudo_outcomes
from opinion.estimates.design import bootstrap_multipliers, strata_and_units, voice_counts
from opinion.estimates.methods import (
    Estimates,
    PointEstimates,
    estimate_with_intervals,
    point_estimates,
    pseudo_estimates,
)
from opinion.estimates.plan import current_cells
from tests.estimates.simulation import simulate
from weighting import Margins

TOPICS = ["eldercare", "housing"]
# every column a method reads: collapsing on them keeps voices exchangeable
ATTRIBUTES = ["source", "region", "urban", "age_group", "sex"]
Frames = tuple[pd.DataFrame, pd.DataFrame, Margins]  # count rows, a row per voice, the margins


def voices_with_duplicates(seed: int = 5) -> tuple[pd.DataFrame, Margins]:
    """The simulated voices (few distinct online voices, so many duplicates) with a region,
    some unknown attributes, online voices without a concern, and a survey with strata,
    clusters and unequal design weights; the topics as columns."""
    voices, y, _, margins, _ = simulate(seed)
    rng = np.random.default_rng(seed)
    online = (voices["source"] == "online").to_numpy()
    voices = voices.assign(region=rng.choice(["东镇", "西乡"], len(voices), p=[0.6, 0.4]))
    voices.loc[online & (rng.random(len(voices)) < 0.15), "age_group"] = UNKNOWN
    voices.loc[online & (rng.random(len(voices)) < 0.1), "urban"] = UNKNOWN
    voices.loc[online & (rng.random(len(voices)) < 0.2), "sex"] = UNKNOWN
    silent = online & (rng.random(len(voices)) < 0.1)
    for topic in TOPICS:
        voices[topic] = voices[topic].to_numpy(dtype=bool) & ~silent
    cluster = pd.to_numeric(voices["cluster"], errors="coerce")
    voices["stratum"] = np.where(online, None, (cluster % 4).astype("Int64").astype(str))
    voices["design_weight"] = np.where(online, 1.0, 1.0 + (cluster % 3).fillna(0).to_numpy())
    return voices.reset_index(drop=True), margins


def collapse(voices: pd.DataFrame, own_rows: np.ndarray | None = None) -> pd.DataFrame:
    """Identical online voices as one row with their ``count``; respondents and the voices
    in ``own_rows`` (a mask) stay rows of their own. ``voice`` keeps each kept voice's
    position in ``voices`` (-1 for a collapsed row)."""
    frame = voices.assign(voice=np.arange(len(voices)))
    alone = (frame["source"] != "online").to_numpy()
    if own_rows is not None:
        alone = alone | own_rows
    keys = [*ATTRIBUTES, *TOPICS]
    grouped = (frame[~alone].groupby(keys, sort=True, dropna=False).size().rename("count").reset_index()
               .assign(design_weight=1.0, cluster=None, stratum=None, voice=-1))
    return pd.concat([frame[alone].assign(count=1), grouped], ignore_index=True)


def expand(collapsed: pd.DataFrame) -> pd.DataFrame:
    """Each row repeated ``count`` times, without the ``count`` column."""
    return collapsed.loc[collapsed.index.repeat(collapsed["count"])].drop(columns="count").reset_index(drop=True)


def outcomes(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    y = frame[TOPICS].astype(bool)
    return y, y.any(axis=1)


def assert_same_point(a: PointEstimates, b: PointEstimates) -> float:
    """Every value, count, effective size, carry and by-group value equal; returns the
    largest difference of the values."""
    np.testing.assert_allclose(a.values.to_numpy(float), b.values.to_numpy(float), rtol=0, atol=1e-9)
    assert a.n == b.n
    assert a.ess.keys() == b.ess.keys()
    for method in a.ess:
        assert a.ess[method] == pytest.approx(b.ess[method], rel=1e-9), method
    pd.testing.assert_frame_equal(a.carry, b.carry, rtol=1e-9, atol=1e-9)
    assert a.problems == b.problems
    assert a.by_values is not None and b.by_values is not None
    np.testing.assert_allclose(a.by_values.to_numpy(float), b.by_values.to_numpy(float), rtol=0, atol=1e-9)
    assert list(a.by_values.index) == list(b.by_values.index)
    return float(np.nanmax(np.abs(a.values.to_numpy(float) - b.values.to_numpy(float))))


@pytest.fixture(scope="module")
def frames() -> Frames:
    voices, margins = voices_with_duplicates()
    collapsed = collapse(voices)
    return collapsed, expand(collapsed), margins


def test_the_simulated_frame_has_many_duplicates(frames: Frames) -> None:
    collapsed, expanded, _ = frames
    online = collapsed["source"] == "online"
    assert collapsed.loc[online, "count"].max() >= 20
    assert (expanded["source"] == "online").sum() > 4 * online.sum()
    assert (collapsed.loc[online, ["age_group", "urban", "sex"]] == UNKNOWN).any().all()


@pytest.mark.parametrize("unknown", ["fractional", "exclude"])
@pytest.mark.parametrize("mix", ["composite", "ess"])
def test_every_method_on_count_rows_equals_the_frame_with_a_row_per_voice(
    frames: Frames, unknown: str, mix: str,
) -> None:
    collapsed, expanded, margins = frames
    got = {}
    for name, frame in (("collapsed", collapsed), ("expanded", expanded)):
        y, has_any = outcomes(frame)
        got[name] = point_estimates(frame, y, has_any, margins, by="region", unknown=unknown, blend_mix=mix,
                                    compare_mixes=True)
    assert not got["expanded"].problems
    assert_same_point(got["collapsed"], got["expanded"])
    y, has_any = outcomes(expanded)
    assert got["collapsed"].n["raw"] == int(((expanded["source"] == "online") & has_any).sum())


def collapse_with_hand_coded(voices: pd.DataFrame, online_n: int, survey_n: int, *,
                             seed: int) -> tuple[np.ndarray, pd.DataFrame]:
    """Voices drawn for hand coding (positions: ``online_n`` online, ``survey_n`` survey) and
    the voices collapsed into count rows with each drawn voice on a row of its own."""
    rng = np.random.default_rng(seed)
    online = np.flatnonzero(voices["source"] == "online")
    survey = np.flatnonzero(voices["source"] == "survey")
    coded = np.concatenate([rng.choice(online, online_n, replace=False), rng.choice(survey, survey_n, replace=False)])
    own = np.zeros(len(voices), dtype=bool)
    own[coded] = True
    return coded, collapse(voices, own)


def hand_sample(frame: pd.DataFrame, coded: np.ndarray, seed: int) -> HandSample:
    """A person's codes for the voices ``coded`` (positions in the original voices, found in
    ``frame`` through its ``voice`` column); the person disagrees with the coder on some."""
    at = np.array([int(np.flatnonzero(frame["voice"].to_numpy() == v)[0]) for v in coded])
    codes = frame[TOPICS].to_numpy(dtype=float)[at]
    flip = np.random.default_rng(seed).random(codes.shape) < 0.2
    codes = np.where(flip, 1.0 - codes, codes)
    stratum = frame["source"].to_numpy()[at]
    probability = np.where(stratum == "online", 0.08, 0.3)
    return HandSample(rows=at, codes=codes, probability=probability, stratum=stratum.astype(str),
                      topics=list(TOPICS), sample="hand")


@pytest.mark.parametrize("estimator", ["ipw", "mi", "dr"])
def test_pseudo_estimates_and_their_linearised_errors_count_voices(frames: Frames, estimator: str) -> None:
    collapsed, expanded, margins = frames
    tables = []
    for frame in (collapsed, expanded):
        y, has_any = outcomes(frame)
        survey_weights = point_estimates(frame, y, has_any, margins).weights["survey"]
        tables.append(pseudo_estimates(frame, y, has_any, survey_weights, estimator=estimator))
    assert len(tables[0]) == len(TOPICS)
    pd.testing.assert_frame_equal(tables[0], tables[1], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("unknown", "mix"), [("fractional", "composite"), ("exclude", "ess")])
def test_a_hand_coded_sample_corrects_count_rows_as_it_corrects_voices(unknown: str, mix: str) -> None:
    voices, margins = voices_with_duplicates(6)
    coded, collapsed = collapse_with_hand_coded(voices, 60, 40, seed=2)
    expanded = expand(collapsed)
    tables = {}
    for name, frame in (("collapsed", collapsed), ("expanded", expanded)):
        y, has_any = outcomes(frame)
        hand = hand_sample(frame, coded, 3)
        result = estimate_with_intervals(frame, y, has_any, margins, by="region", replicates=0, hand=hand,
                                         unknown=unknown, blend_mix=mix, compare_mixes=True)
        # a row nobody hand-coded keeps the coder's outcomes, whatever its count
        tilde, _ = pseudo_outcomes(y, has_any, hand)
        uncoded = np.setdiff1d(np.arange(len(frame)), hand.rows)
        assert np.array_equal(tilde.to_numpy()[uncoded], y.to_numpy(dtype=float)[uncoded])
        tables[name] = result
        assert result.point.values.notna().all().all()
    assert_same_point(tables["collapsed"].point, tables["expanded"].point)
    assert_same_table(tables["collapsed"], tables["expanded"])
    shifts = [t.coder_shift for t in tables.values()]
    assert shifts[0] is not None and shifts[1] is not None
    np.testing.assert_allclose(shifts[0]["shift"].to_numpy(float), shifts[1]["shift"].to_numpy(float), atol=1e-9)


def assert_same_table(a: Estimates, b: Estimates, columns: tuple[str, ...] = ("estimate", "df", "n", "ess")) -> None:
    assert (a.by_table is None) == (b.by_table is None)
    for table_a, table_b in ((a.table, b.table), (a.by_table, b.by_table)):
        if table_a is None or table_b is None:
            continue
        keys = [c for c in ("by", "level", "column", "method") if c in table_a.columns]
        left, right = table_a.set_index(keys), table_b.set_index(keys)
        for column in columns:
            if column in left.columns:
                np.testing.assert_allclose(left[column].to_numpy(float), right[column].to_numpy(float),
                                           rtol=1e-6 if column == "df" else 1e-9, atol=1e-9, err_msg=column)


def test_degrees_of_freedom_on_count_rows_equal_those_of_the_voices(frames: Frames) -> None:
    collapsed, expanded, margins = frames
    results = []
    for frame in (collapsed, expanded):
        y, has_any = outcomes(frame)
        results.append(estimate_with_intervals(frame, y, has_any, margins, by="region", replicates=0))
    assert_same_table(results[0], results[1])
    # the online voices are their own units: the raw share's df counts voices, not rows
    raw = results[0].table.set_index(["column", "method"]).loc[("housing", "raw"), "df"]
    assert raw > (collapsed["source"] == "online").sum()


def test_without_counts_the_bootstrap_draws_are_those_of_one_probability_per_voice() -> None:
    voices, _ = voices_with_duplicates()
    design = strata_and_units(voices)
    got = bootstrap_multipliers(voices, np.random.default_rng(42), design).to_numpy()
    # the draw before counts existed: N online voices, each 1/N, then the survey's strata
    rng = np.random.default_rng(42)
    strata, units = design
    online = strata == "(online)"
    expected = np.zeros(len(voices))
    expected[online] = rng.multinomial(int(online.sum()), np.full(int(online.sum()), 1 / online.sum()))
    for stratum in sorted(set(strata[~online])):
        rows = np.flatnonzero(strata == stratum)
        labels, position = np.unique(units[rows], return_inverse=True)
        counts = rng.multinomial(len(labels) - 1, np.full(len(labels), 1 / len(labels)))
        expected[rows] = (counts * len(labels) / (len(labels) - 1))[position]
    assert np.array_equal(got, expected)
    ones = bootstrap_multipliers(voices.assign(count=1), np.random.default_rng(42), design).to_numpy()
    assert np.array_equal(ones, expected)


def test_a_count_row_is_drawn_as_its_voices(frames: Frames) -> None:
    collapsed, _, _ = frames
    design = strata_and_units(collapsed)
    rng = np.random.default_rng(0)
    online = (collapsed["source"] == "online").to_numpy()
    count = collapsed["count"].to_numpy(dtype=float)
    draws = np.stack([bootstrap_multipliers(collapsed, rng, design).to_numpy()[online] for _ in range(400)])
    assert (draws.sum(axis=1) == count[online].sum()).all()  # as many voices as there are
    # each row is Binomial(N, c / N): mean c, variance c (1 - c / N)
    n = count[online].sum()
    big = count[online] >= 20
    assert np.allclose(draws.mean(axis=0)[big], count[online][big], rtol=0.2)
    assert np.allclose(draws.var(axis=0, ddof=1)[big], (count[online] * (1 - count[online] / n))[big], rtol=0.35)


def test_replicate_standard_errors_on_count_rows_match_those_of_the_voices(frames: Frames) -> None:
    collapsed, expanded, margins = frames
    results = []
    for frame in (collapsed, expanded):
        y, has_any = outcomes(frame)
        results.append(estimate_with_intervals(frame, y, has_any, margins, by="region", replicates=300, seed=9))
    assert_same_table(results[0], results[1])
    assert all(r.failed_replicates == 0 for r in results)
    tables = [r.table.set_index(["column", "method"])["se"] for r in results]
    by_tables = [r.by_table.set_index(["level", "column", "method"])["se"] for r in results if r.by_table is not None]
    ratio = pd.concat([tables[0] / tables[1], by_tables[0] / by_tables[1]])
    assert ratio.notna().all()
    # Different draws: an SE from 300 replicates is off by about 1/sqrt(2 * 300) = 4% (one
    # SD, near-normal replicates), so the ratio of two independent ones by about 6%; each
    # of these cells within 15% is about 2.5 SDs, and on average (log scale) they must
    # agree within 6%. Drawing count rows as single units would miss by a factor near
    # the square root of the mean count (about 2.3 here).
    assert ratio.between(0.85, 1 / 0.85).all(), ratio.to_dict()
    assert abs(float(np.log(ratio).mean())) < 0.06, ratio.to_dict()


@pytest.mark.parametrize("mix", ["composite", "ess"])
def test_a_replicate_on_count_rows_is_the_voices_replicate_summed_per_row(frames: Frames, mix: str) -> None:
    collapsed, expanded, margins = frames
    row_of = np.repeat(np.arange(len(collapsed)), collapsed["count"].to_numpy())
    rng = np.random.default_rng(1)
    for _ in range(3):
        voice_draw = bootstrap_multipliers(expanded, rng)
        row_draw = pd.Series(np.bincount(row_of, weights=voice_draw.to_numpy(), minlength=len(collapsed)))
        a = point_estimates(collapsed, *outcomes(collapsed), margins, multipliers=row_draw, blend_mix=mix)
        b = point_estimates(expanded, *outcomes(expanded), margins, multipliers=voice_draw, blend_mix=mix)
        exact = ["raw", "rake", "survey", "pseudo"]
        np.testing.assert_allclose(a.values.loc[exact].to_numpy(float), b.values.loc[exact].to_numpy(float),
                                   rtol=0, atol=1e-9)
        # The blend's effective sizes and variances take a row's voices as drawn evenly
        # (design.equal_voices), not as this draw spread them: close, not equal.
        assert np.abs(a.values.loc["blend"] - b.values.loc["blend"]).max() < 0.005
        assert a.ess["raw"] == pytest.approx(b.ess["raw"], rel=0.05)


def test_a_count_column_of_ones_changes_nothing_draw_for_draw() -> None:
    voices, margins = voices_with_duplicates()
    y, has_any = outcomes(voices)
    plain = estimate_with_intervals(voices, y, has_any, margins, by="region", replicates=15, seed=4)
    ones = estimate_with_intervals(voices.assign(count=1), y, has_any, margins, by="region", replicates=15, seed=4)
    pd.testing.assert_frame_equal(plain.table, ones.table, check_exact=True)
    assert plain.by_table is not None and ones.by_table is not None
    pd.testing.assert_frame_equal(plain.by_table, ones.by_table, check_exact=True)


def test_bad_counts_are_refused_with_the_row() -> None:
    voices, _ = voices_with_duplicates()
    with pytest.raises(InputError, match=r"voices row 3: count 0 is not a whole number >= 1"):
        voice_counts(voices.assign(count=[1, 1, 1, 0] + [1] * (len(voices) - 4)))
    survey = int(np.flatnonzero(voices["source"] == "survey")[0])
    count = np.ones(len(voices), dtype=int)
    count[survey] = 2
    with pytest.raises(InputError, match=f"voices row {survey}: a survey respondent has count 2"):
        voice_counts(voices.assign(count=count))


def test_a_hand_coded_voice_must_be_a_row_of_its_own(frames: Frames) -> None:
    collapsed, _, margins = frames
    at = int(np.flatnonzero(collapsed["count"].to_numpy() > 1)[0])
    hand = HandSample(rows=np.array([at]), codes=np.ones((1, 2)), probability=np.array([0.5]),
                      stratum=np.array(["online"]), topics=list(TOPICS), sample="hand")
    y, has_any = outcomes(collapsed)
    with pytest.raises(InputError, match=f"voices row {at}: hand-coded voice on a row of count"):
        estimate_with_intervals(collapsed, y, has_any, margins, replicates=0, hand=hand)


def test_planning_counts_the_voices_of_count_rows(frames: Frames) -> None:
    collapsed, expanded, margins = frames
    by = ("age_group", "urban")
    a, deff_a, notes_a = current_cells(collapsed, margins, by)
    b, deff_b, notes_b = current_cells(expanded, margins, by)
    pd.testing.assert_frame_equal(a, b)
    assert deff_a == deff_b and notes_a == notes_b
