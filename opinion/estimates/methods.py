"""Population estimates of per-voice measures from online voices and survey respondents.

Methods (all over voices, never posts):

- ``raw``: online voices, unweighted — what counting the web gives.
- ``rake``: online voices with known attributes, raked to the population margins.
  Assumes that, within each weighting cell, the voices who speak online share the
  concerns of those who do not.
- ``survey``: respondents, design weights raked to the margins. Assumes the survey's
  design and the calibration remove its own non-response bias.
- ``blend``: each source calibrated, then mixed within each blend group (default
  age group x urban/rural), and the groups combined in their population proportions.
  Online voices are calibrated to the blend groups only (each voice counts once within
  its group), so voices whose sex is unknown still count; respondents carry their raked
  survey weights. By default the mix, topic by topic, weighs the online estimate by its
  mean squared error against the survey's, with the discrepancy between the two
  estimated from the data (Elliott & Haviland 2007): where the web agrees with the
  survey it narrows the interval, where it does not the blend leans on the survey.
  ``blend_mix="ess"`` mixes by effective sample sizes instead, which assumes online
  voices and respondents of a group share the concern. See :mod:`opinion.estimates.blend`.

Estimand: the *agenda share* of a topic — among people who raise at least one concern,
the share raising this topic. Online voices exist because they spoke, so this is what they
can measure; prevalence over everyone is never estimated from online voices.

Intervals come from bootstrap replicates that redo the whole weighting: online voices
resampled as independent units, survey clusters resampled within their strata (Rao-Wu
rescaled bootstrap), with Student's t at the design's effective degrees of freedom
(:mod:`opinion.estimates.design`).

Online voices that share every attribute and topic are exchangeable for every method, so
a frame may hold them as one row with a ``count`` column: the estimates, counts,
effective sizes and degrees of freedom are those of the frame with a row per voice.
"""
from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from opinion.attributes import UNKNOWN
from opinion.errors import InputError
from opinion.estimates.blend import MIXES, BlendResult, blend, kish, ratio, unit_ratio
from opinion.estimates.correction import HandSample, pseudo_outcomes
from opinion.estimates.design import (
    bootstrap_multipliers,
    effective_df,
    equal_voices,
    strata_and_units,
    t_interval,
    voice_counts,
)
from opinion.estimates.voices import survey_joint
from weighting import Margins, rake
from weighting.errors import WeightingError
from weighting.pseudo import PseudoEstimates, ReferenceSample, pseudo_means
from weighting.unknown import UNKNOWN_METHODS, allocate_unknown

log = logging.getLogger(__name__)

METHODS = ("raw", "rake", "survey", "blend", "pseudo")


class Problems(dict[str, str]):
    """Method -> why it could not be weighted, in English; ``zh``: the same in Chinese where
    the cause wrote one (:class:`weighting.errors.WeightingError` ``zh``)."""

    def __init__(self) -> None:
        super().__init__()
        self.zh: dict[str, str] = {}

    def note(self, method: str, cause: Exception | str, *, prefix: str = "", prefix_zh: str = "",
             zh: str | None = None) -> None:
        """Record the first reason ``method`` failed; later reasons for it are ignored."""
        if method in self:
            return
        self[method] = prefix + str(cause)
        zh = zh or getattr(cause, "zh", None)
        if zh:
            self.zh[method] = prefix_zh + zh

    def text(self, method: str, lang: str) -> str:
        """The reason in ``lang`` ("zh" or "en"); in Chinese the English reason, so labelled,
        when none was written in Chinese."""
        if lang != "zh":
            return self[method]
        return self.zh.get(method) or f"无法加权（原因的英文说明）：{self[method]}"


@dataclass
class PointEstimates:
    """Estimates of every column by every method, plus what they rest on."""

    values: pd.DataFrame  # method x column
    n: dict[str, int]  # voices each method used (with at least one concern)
    ess: dict[str, float]
    carry: pd.DataFrame  # per blend group: population share, online/survey ess, survey fraction
    weights: dict[str, pd.Series] = field(default_factory=dict)  # source -> calibrated weights
    problems: Problems = field(default_factory=Problems)  # method -> why it could not be weighted
    by_values: pd.DataFrame | None = None  # (level, method) x column, when a --by variable is given
    blend_units: np.ndarray | None = None  # (voices, topics): unit weights reproducing the blend per topic
    # blend_<mix> rows (compare_mixes): their (voices, topics) unit weights
    mix_units: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Estimates:
    table: pd.DataFrame  # long: column, method, estimate, se, ci_low, ci_high, n, ess
    point: PointEstimates
    replicates: int
    failed_replicates: int
    seed: int
    by_table: pd.DataFrame | None = None  # by, level, column, method, estimate, se, ci_low, ci_high, n
    hand: HandSample | None = None  # the hand-coded voices the estimates were corrected with
    # with ``hand``: the coder's error as the corrected estimator sees it (column, method,
    # shift, se); what model-based estimates over the coder's 0/1 topics (MRP) add
    coder_shift: pd.DataFrame | None = None
    # replicates each method could not be weighted in (left out of its interval), and the
    # methods whose interval is withheld because more than MAX_FAILED_SHARE of them failed
    failed_by_method: dict[str, int] = field(default_factory=dict)
    withheld: list[str] = field(default_factory=list)


# A method that cannot be weighted in more than this share of the replicates gets no
# interval: the rest are the samples that happened to be weightable, and their spread
# understates the method's (the estimate itself is shown, with the reason).
MAX_FAILED_SHARE = 0.1


def joint_shares(margins: Margins, variables: Sequence[str]) -> pd.Series:
    """Population shares over the combinations of ``variables``, levels joined by ``*``."""
    shares = margins.joint(list(variables))
    keys = ["*".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in shares.index]
    return pd.Series(shares.to_numpy(), index=keys)


def _known(frame: pd.DataFrame, variables: Sequence[str]) -> pd.Series:
    return frame[list(variables)].ne(UNKNOWN).all(axis=1) & frame[list(variables)].notna().all(axis=1)


def _group_labels(frame: pd.DataFrame, variables: Sequence[str]) -> np.ndarray:
    """Each row's group: its levels of ``variables`` joined by ``*``."""
    labels = np.full(len(frame), "", dtype=object)
    for i, variable in enumerate(variables):
        levels = frame[variable].astype(str).to_numpy(dtype=object)
        labels = levels if i == 0 else labels + "*" + levels
    return labels


def topic_pattern(yv: np.ndarray) -> np.ndarray:
    """Each voice's topics (n, k) as one string of 0/1 flags (a value above 0.5 is raised:
    for a pseudo-outcome, the person's code where a person coded the voice)."""
    flags = np.asarray(yv, dtype=float) > 0.5
    if not flags.size:
        return np.full(len(flags), "")
    # each row's flags as the bytes b"0"/b"1", read as one string of k characters
    text = np.ascontiguousarray(flags.astype(np.uint8) + ord("0")).view(f"S{flags.shape[1]}").ravel()
    return np.char.decode(text, "ascii").astype(object)


def _allocated(
    voices: pd.DataFrame, rows: np.ndarray, variables: Sequence[str], base: pd.Series,
    pattern: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """The voices in ``rows`` with unknown levels of ``variables`` split fractionally
    (:func:`weighting.unknown.allocate_unknown`), conditioned on what each voice said
    (``pattern``, from :func:`topic_pattern`) as well as on its known attributes: one row
    per voice or part of a voice, ``_position`` its voice's position in ``voices``; and
    each row's base weight."""
    frame = voices.loc[rows, list(variables)].reset_index(drop=True)
    frame["_position"] = np.flatnonzero(rows)
    condition: list[str] = []
    if pattern is not None:
        frame["_topics"] = pattern[rows]
        condition = ["_topics"]
    split, _ = allocate_unknown(frame, list(variables), unknown=UNKNOWN, condition=condition,
                                base_weights=pd.Series(base.to_numpy()[rows]), weight_column="_base")
    return split, split["_base"]


def _calibrate(frame: pd.DataFrame, base: pd.Series, margins: Margins, variables: Sequence[str]) -> pd.Series:
    keep = base > 0
    result = rake(frame.loc[keep], margins, variables=list(variables), base_weights=base[keep])
    return result.weights.reindex(frame.index, fill_value=0.0)


def point_estimates(
    voices: pd.DataFrame,
    y: pd.DataFrame,
    has_any: pd.Series,
    margins: Margins,
    *,
    weight_vars: Sequence[str] = ("age_group", "sex", "urban"),
    blend_vars: Sequence[str] = ("age_group", "urban"),
    pseudo_vars: Sequence[str] | None = None,
    by: str | None = None,
    multipliers: pd.Series | None = None,
    counted: pd.Series | None = None,
    pseudo_ratio: bool = False,
    unknown: str = "fractional",
    blend_mix: str = "composite",
    compare_mixes: bool = False,
) -> PointEstimates:
    """One pass of every method. ``multipliers`` are a bootstrap replicate's frequency
    weights (:func:`opinion.estimates.design.bootstrap_multipliers`; a row of several
    voices takes their draws together); default: the full sample, each row's ``count``.

    ``voices`` may hold a ``count`` column (:func:`opinion.estimates.design.voice_counts`):
    a row then stands for that many online voices that share every attribute and topic,
    and every estimate, count (``n``: voices, not rows) and effective sample size is the
    one of the frame with each of those voices on its own row.

    ``pseudo_vars`` are the participation model's covariates (default ``weight_vars``); they
    may include attributes the survey measures but the census margins lack (region,
    education), which is where ``pseudo`` can correct what raking cannot.

    ``y`` and ``has_any`` may be pseudo-outcomes (:mod:`opinion.estimates.correction`), not
    0/1; ``counted`` is then the coder's 0/1 any-concern indicator, from which the counts
    and effective sample sizes are taken. ``pseudo_ratio``: estimate ``pseudo`` as the ratio
    of the doubly robust means of the topic and of "any concern" (what pseudo-outcomes need)
    instead of the doubly robust mean over the voices who raise a concern.

    ``unknown``: what ``rake``, ``pseudo`` and the blend's online part do with online voices
    whose weighting (blend, participation-model) attributes are unknown. ``fractional`` (default): each such voice
    is split across the levels it could have, in proportion to the known voices that share
    its known attributes (:func:`weighting.unknown.allocate_unknown`), redone in every
    replicate; it assumes that, given what is known of a voice, its unknown attributes
    follow those of the voices who reveal them. ``exclude``: they are left out, which
    assumes the voices who reveal their attributes speak for those who do not.

    ``blend_mix``: how the blend mixes the sources within a group: ``composite`` (default,
    by mean squared error with the discrepancy between the sources estimated from the
    data, Elliott & Haviland 2007) or ``ess`` (by effective sample size); see
    :mod:`opinion.estimates.blend`. ``compare_mixes``: also the blend by every other mix,
    as rows ``blend_<mix>`` (for simulation studies; reports show one blend).
    """
    if blend_mix not in MIXES:
        raise WeightingError(f"blend_mix={blend_mix!r}; expected one of {', '.join(MIXES)}")
    if unknown not in UNKNOWN_METHODS:
        raise WeightingError(f"unknown={unknown!r}; expected one of {', '.join(UNKNOWN_METHODS)}")
    count = voice_counts(voices)
    m = multipliers if multipliers is not None else pd.Series(count, index=voices.index)
    # Kish sizes and variances see a row of c voices as c voices sharing its weight.
    size = equal_voices(count, None if multipliers is None else multipliers.to_numpy(dtype=float))
    # Blend groups the margins give no table for: estimated from this pass's survey weights
    # (weighting.joint), so every replicate carries the estimate's own uncertainty.
    margins = survey_joint(margins, voices, blend_vars, m)
    yv = y.to_numpy(dtype=float)
    d = has_any.to_numpy(dtype=float)
    dc = (counted if counted is not None else has_any).to_numpy(dtype=float)
    online = (voices["source"] == "online").to_numpy()
    survey = (voices["source"] == "survey").to_numpy()
    values: dict[str, np.ndarray] = {}
    n: dict[str, int] = {}
    ess: dict[str, float] = {}
    weights: dict[str, pd.Series] = {}

    w_raw = np.where(online, m.to_numpy(), 0.0)
    values["raw"] = ratio(w_raw, yv, d)
    speaks = dc > 0
    n["raw"] = _voices(count, (w_raw > 0) & speaks)
    ess["raw"] = kish(w_raw[speaks], size[speaks])

    known = _known(voices, weight_vars).to_numpy()
    speaking_online = online & (m.to_numpy() > 0)
    allocations: dict[tuple[str, ...], tuple[pd.DataFrame, pd.Series]] = {}
    pattern = topic_pattern(yv)

    def allocation(variables: Sequence[str]) -> tuple[pd.DataFrame, pd.Series]:
        """The speaking online voices allocated over ``variables`` (once per set of variables)."""
        key = tuple(variables)
        if key not in allocations:
            allocations[key] = _allocated(voices, speaking_online, key, m, pattern)
        return allocations[key]

    problems = Problems()
    for method, mask, base in (
        ("rake", online & known, m),
        ("survey", survey & known, m * voices["design_weight"].astype(float)),
    ):
        w = np.zeros(len(voices))
        try:
            if method == "rake" and unknown == "fractional" and speaking_online.any():
                rows, row_weights = allocation(weight_vars)
                raked = rake(rows[list(weight_vars)], margins, variables=list(weight_vars),
                             base_weights=row_weights).weights.to_numpy()
                w += np.bincount(rows["_position"].to_numpy(), weights=raked, minlength=len(w))
            elif mask.any():
                idx = voices.index[mask]
                w[mask] = _calibrate(voices.loc[idx], base.loc[idx], margins, weight_vars).to_numpy()
        except WeightingError as exc:
            # Reported beside the estimates; the other methods still stand.
            problems.note(method, exc)
            w[:] = 0.0
        weights[method] = pd.Series(w, index=voices.index)
        values[method] = ratio(w, yv, d) if not problems.get(method) else np.full(yv.shape[1], np.nan)
        n[method] = _voices(count, (w > 0) & speaks)
        ess[method] = kish(w[speaks], size[speaks])

    # The blend's online part needs only the blend groups: within a group each online voice
    # counts once (post-stratification to the group cells), so voices of unknown sex still speak.
    # With fractional allocation a voice of unknown age or residence is split across the
    # groups it could belong to, each part counting as that share of a voice.
    if unknown == "fractional" and speaking_online.any():
        try:
            rows, row_weights = allocation(blend_vars)
            online_rows = (rows["_position"].to_numpy(), _group_labels(rows, blend_vars), row_weights.to_numpy())
        except WeightingError as exc:
            problems.note("blend", exc, prefix="online voices: ", prefix_zh="网上声音：")
            online_rows = (np.zeros(0, dtype=int), np.zeros(0, dtype=object), np.zeros(0))
    else:
        in_blend = online & _known(voices, blend_vars).to_numpy()
        at = np.flatnonzero(in_blend)
        online_rows = (at, _group_labels(voices.iloc[at], blend_vars), m.to_numpy()[at])
    online_unit = np.bincount(online_rows[0], weights=online_rows[2], minlength=len(voices)).astype(float)
    # the part of its voice each online row is (1, or an allocated fraction): a voice split over groups is
    # less than one voice in each, not one voice in each, for the effective sizes
    base_at = m.to_numpy(dtype=float)[online_rows[0]]
    parts = np.divide(online_rows[2], base_at, out=np.ones(len(base_at)), where=base_at > 0)
    weights["online_groups"] = pd.Series(online_unit, index=voices.index)
    mixed = _blend(voices, yv, d, weights, margins, blend_vars, dc, online_rows, mix=blend_mix, count=size,
                   parts=parts)
    values["blend"], carry, blend_ess = mixed.estimate, mixed.carry, mixed.ess
    weights["blend"] = pd.Series(mixed.units.mean(axis=1), index=voices.index)
    rows_out = list(METHODS)
    mix_units: dict[str, np.ndarray] = {}
    for other in (m for m in MIXES if compare_mixes and m != blend_mix):
        alternative = _blend(voices, yv, d, weights, margins, blend_vars, dc, online_rows, mix=other, count=size,
                             parts=parts)
        values[f"blend_{other}"], ess[f"blend_{other}"] = alternative.estimate, alternative.ess
        mix_units[f"blend_{other}"] = alternative.units
        n[f"blend_{other}"] = _voices(count, (alternative.units.max(axis=1) > 0) & speaks)
        rows_out.append(f"blend_{other}")
    covariates = list(pseudo_vars or weight_vars)
    allocated = None
    if unknown == "fractional" and speaking_online.any():
        try:
            allocated = allocation(covariates)
        except WeightingError as exc:
            problems.note("pseudo", exc, prefix="online voices: ", prefix_zh="网上声音：")
    values["pseudo"], n["pseudo"], ess["pseudo"], weights["pseudo"] = _pseudo(
        voices, yv, d, m, weights["survey"], covariates,
        online & _known(voices, covariates).to_numpy(), problems, ratio=pseudo_ratio, counted=dc,
        allocated=allocated, count=count, size=size,
    )
    n["blend"] = _voices(count, (weights["blend"].to_numpy() > 0) & speaks)
    ess["blend"] = blend_ess
    table = pd.DataFrame(values, index=y.columns).T.loc[rows_out]
    weights["raw"] = pd.Series(w_raw, index=voices.index)
    by_values = _by_group(voices, yv, d, weights, by, y.columns, mixed.units) if by else None
    return PointEstimates(values=table, n=n, ess=ess, carry=carry, weights=weights, problems=problems,
                          by_values=by_values, blend_units=mixed.units, mix_units=mix_units)


BY_METHODS = ("raw", "rake", "survey", "blend")


def _voices(count: np.ndarray, rows: np.ndarray) -> int:
    """The voices the ``rows`` (a mask) stand for: the sum of their counts."""
    return int(round(float(count[rows].sum())))


def _by_group(
    voices: pd.DataFrame, yv: np.ndarray, d: np.ndarray, weights: dict[str, pd.Series], by: str, columns: pd.Index,
    blend_units: np.ndarray,
) -> pd.DataFrame:
    """Each method's estimate within each level of ``by``, from its unit weights (the blend's
    differ by topic; ``pseudo`` is left out: its doubly robust estimate is not a ratio of
    unit weights)."""
    levels = sorted(str(v) for v in voices[by].dropna().unique() if v != UNKNOWN)
    rows, index = [], []
    for level in levels:
        inside = (voices[by].astype(str) == level).to_numpy()
        for method in BY_METHODS:
            if method == "blend":
                rows.append(unit_ratio(blend_units, yv, d, inside))
            else:
                rows.append(ratio(weights[method].to_numpy() * inside, yv, d))
            index.append((level, method))
    return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=["level", "method"]), columns=columns)


def _blend(
    voices: pd.DataFrame, yv: np.ndarray, d: np.ndarray, weights: dict[str, pd.Series],
    margins: Margins, blend_vars: Sequence[str], counted: np.ndarray | None = None,
    online_rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None, mix: str = "composite",
    count: np.ndarray | None = None, parts: np.ndarray | None = None,
) -> BlendResult:
    """The blend (:func:`opinion.estimates.blend.blend`) of these voices.
    ``counted`` (default ``d``): the 0/1 indicator the effective sizes are taken over;
    ``count``: over how many voices of equal weight each row's weight is spread (default 1).
    ``online_rows``: the online part as (voice positions, group labels, weights), one row
    per voice or per fractional part of a voice (default: ``weights["online_groups"]``
    with each voice in its own group); ``parts``: the part of its voice each online row is
    (default 1)."""
    group_of = _group_labels(voices, blend_vars)
    if online_rows is None:
        online_rows = (np.arange(len(voices)), group_of, weights["online_groups"].to_numpy())
    clusters = (voices["cluster"].astype(str).to_numpy() if "cluster" in voices.columns
                else np.arange(len(voices)).astype(str))
    return blend(yv, d, d if counted is None else counted, joint_shares(margins, blend_vars), group_of,
                 online_rows, weights["survey"].to_numpy(), clusters, mix=mix, count=count, parts=parts)


def _fit_pseudo(
    voices: pd.DataFrame, yv: np.ndarray, d: np.ndarray, survey_weights: pd.Series, covariates: Sequence[str],
    sample_rows: np.ndarray, *, estimator: str, base: np.ndarray | None, with_se: bool,
    sample_frame: pd.DataFrame | None = None, count: np.ndarray | None = None,
) -> PseudoEstimates | None:
    """Domain means of the online voices against the calibrated survey (respondents with a
    positive weight and known covariates); None when either side has fewer than 10 units
    (voices: ``count`` (n,) says how many each row stands for, default 1).

    ``sample_rows``: the voices' positions in ``voices`` (or a boolean mask); a position may
    repeat when ``sample_frame`` gives the covariates of each part of a fractionally
    allocated voice (``base`` then holds each part's share of its voice's weight)."""
    at = np.flatnonzero(sample_rows) if sample_rows.dtype == bool else np.asarray(sample_rows, dtype=int)
    reference_rows = (survey_weights.to_numpy() > 0) & _known(voices, covariates).to_numpy()
    online_voices = len(np.unique(at)) if count is None else float(count[np.unique(at)].sum())
    if online_voices < 10 or reference_rows.sum() < 10:
        return None
    k = yv.shape[1]
    frame = voices.iloc[at][list(covariates)] if sample_frame is None else sample_frame[list(covariates)]
    sample = frame.astype(str).reset_index(drop=True)
    reference = ReferenceSample.from_frame(
        voices.loc[reference_rows, list(covariates)].astype(str).reset_index(drop=True),
        pd.Series(survey_weights.to_numpy()[reference_rows]), source="survey respondents",
    )
    return pseudo_means(
        sample, reference, list(covariates), yv[at],
        np.tile(d[at][:, None], (1, k)), np.tile(d[reference_rows][:, None], (1, k)),
        estimator=estimator, base_weights=base, with_se=with_se,
    )


def _pseudo(
    voices: pd.DataFrame, yv: np.ndarray, d: np.ndarray, m: pd.Series, survey_weights: pd.Series,
    covariates: Sequence[str], online_known: np.ndarray, problems: Problems, *, ratio: bool = False,
    counted: np.ndarray | None = None, allocated: tuple[pd.DataFrame, pd.Series] | None = None,
    count: np.ndarray | None = None, size: np.ndarray | None = None,
) -> tuple[np.ndarray, int, float, pd.Series]:
    """Doubly robust pseudo-weighting of the online voices against the calibrated survey.

    ``ratio``: the agenda share as the ratio of the doubly robust means of each topic and
    of "any concern" over all voices (linear in the outcomes, so pseudo-outcomes carry
    through), instead of the doubly robust mean within the voices who raise a concern.
    ``allocated``: the online voices with unknown covariates split fractionally (rows with
    ``_position`` and the covariates, and each row's base weight); without it only the
    voices in ``online_known`` take part. ``count`` (n,): the voices each row stands for;
    ``size``: over how many voices of equal weight its weight is spread (both default 1)."""
    k = yv.shape[1]
    count = np.ones(len(voices)) if count is None else count
    size = count if size is None else size
    none = (np.full(k, np.nan), 0, 0.0, pd.Series(0.0, index=voices.index))
    if allocated is not None:
        frame, row_base = allocated
        positions = frame["_position"].to_numpy(dtype=int)
        base = row_base.to_numpy(dtype=float)
    else:
        positions = np.flatnonzero(online_known & (m.to_numpy() > 0))
        frame, base = None, m.to_numpy()[positions]
    outcomes, domain = (np.column_stack([yv, d]), np.ones(len(d))) if ratio else (yv, d)
    try:
        result = _fit_pseudo(voices, outcomes, domain, survey_weights, covariates, positions,
                             estimator="dr", base=base, with_se=False, sample_frame=frame, count=count)
    except WeightingError as exc:
        problems.note("pseudo", exc)
        return none
    if result is None:
        problems.note("pseudo", "fewer than 10 online voices or respondents with known covariates",
                      zh="协变量已知的网上声音或入户受访者不足 10 人")
        return none
    w = np.asarray(result.weights, dtype=float)
    unit = np.bincount(positions, weights=w, minlength=len(voices)).astype(float)
    estimate = np.asarray(result.estimate, dtype=float)
    if ratio:
        with np.errstate(invalid="ignore", divide="ignore"):
            estimate = estimate[:k] / estimate[k] if estimate[k] > 0 else np.full(k, np.nan)
    dc = d if counted is None else counted
    used = np.unique(positions)
    return (estimate, _voices(count[used], dc[used] > 0), kish(unit[used], size[used]),
            pd.Series(unit, index=voices.index))


def estimate_with_intervals(
    voices: pd.DataFrame,
    y: pd.DataFrame,
    has_any: pd.Series,
    margins: Margins,
    *,
    weight_vars: Sequence[str] = ("age_group", "sex", "urban"),
    blend_vars: Sequence[str] = ("age_group", "urban"),
    pseudo_vars: Sequence[str] | None = None,
    by: str | None = None,
    replicates: int = 200,
    seed: int = 20201101,
    progress: Callable[[int], None] | None = None,
    hand: HandSample | None = None,
    unknown: str = "fractional",
    blend_mix: str = "composite",
    compare_mixes: bool = False,
    workers: int = 1,
) -> Estimates:
    """Point estimates and 95% intervals from replicates that redo the weighting (their
    standard error, Student's t at the design's effective degrees of freedom, on the logit
    scale: :mod:`opinion.estimates.design`).

    ``hand``: voices coded by a person; every estimate is then corrected for the coder's
    errors (:mod:`opinion.estimates.correction`): each voice carries its pseudo-outcome,
    and the replicates resample voices with their pseudo-outcomes, whose spread already
    holds the hand-coded voices' corrections, so the intervals include the coder's error.
    Without it the estimates take the coder's ``y`` and ``has_any`` as if they were right.
    ``unknown``: online voices of unknown attributes, allocated fractionally (default) or
    excluded (see :func:`point_estimates`); the allocation is redone in every replicate.
    ``blend_mix``: the blend's mix (see :func:`point_estimates`), redone in every replicate.
    A ``count`` column (rows standing for several identical online voices) gives the
    estimates, intervals and degrees of freedom of the frame with a row per voice.
    ``workers``: processes the replicates are computed in; the replicates' multipliers
    are drawn here, in order, so the result is the same for any number of workers.

    Raises:
        InputError: a bad ``count``, or a hand-coded voice on a row of several voices (a
            hand-coded voice is a row of its own).
    """
    count = voice_counts(voices)
    if hand is not None and (count[hand.rows] != 1).any():
        at = int(hand.rows[np.flatnonzero(count[hand.rows] != 1)[0]])
        raise InputError(f"voices row {voices.index[at]}: hand-coded voice on a row of count {count[at]:g}; "
                         "give each hand-coded voice a row of its own (count 1)")
    yy, dd = (y, has_any) if hand is None else pseudo_outcomes(y, has_any, hand)
    options: dict[str, Any] = {
        "weight_vars": weight_vars, "blend_vars": blend_vars, "pseudo_vars": pseudo_vars, "by": by,
        "pseudo_ratio": hand is not None, "unknown": unknown, "blend_mix": blend_mix, "compare_mixes": compare_mixes,
    }
    point = point_estimates(voices, yy, dd, margins, counted=has_any, **options)
    design = strata_and_units(voices)
    shift_method = _shift_method(point) if hand is not None else None
    # what a replicate needs, without the texts (a worker process gets a copy)
    job = _ReplicateJob(voices.drop(columns=[c for c in ("texts", "cues", "items") if c in voices.columns]),
                        yy, dd, margins, options, y, has_any, shift_method,
                        None if point.by_values is None else point.by_values.index)
    shifts: list[np.ndarray] = []
    rng = np.random.default_rng(seed)
    draws: list[np.ndarray] = []
    by_draws: list[np.ndarray] = []
    failed = 0
    failed_by_method: dict[str, int] = {}
    for r, (values, by_values, problems, shift) in enumerate(_replicates(job, voices, rng, design, replicates,
                                                                          workers)):
        draws.append(values)
        if shift is not None:
            shifts.append(shift)
        if by_values is not None:
            by_draws.append(by_values)
        new_problems = set(problems) - set(point.problems)
        if new_problems:
            failed += 1
            for method in new_problems:
                failed_by_method[method] = failed_by_method.get(method, 0) + 1
            log.debug("replicate %d could not be weighted for %s", r, ", ".join(sorted(new_problems)))
        if progress:
            progress(1)
    if failed:
        log.warning("%d of %d replicates could not be weighted and were left out", failed, replicates)
    rows = []
    counted = has_any.to_numpy(dtype=float)
    dfs = _degrees_of_freedom(point, design, counted, yy.to_numpy(dtype=float), count=count)
    for (method, column), estimate, se, df, low, high in _intervals(point.values, draws, dfs):
        rows.append({"column": column, "method": method, "estimate": estimate, "se": se, "df": df, "ci_low": low,
                     "ci_high": high, "n": point.n[method], "ess": point.ess[method]})
    by_table = None
    if point.by_values is not None:
        counts = _by_counts(voices, has_any, point.weights, by) if by else {}
        inside = {level: (voices[by].astype(str) == level).to_numpy()
                  for level in point.by_values.index.get_level_values("level").unique()} if by else {}
        by_dfs = _degrees_of_freedom(point, design, counted, yy.to_numpy(dtype=float), point.by_values.index, inside,
                                     count=count)
        by_table = pd.DataFrame([
            {"by": by, "level": level, "column": column, "method": method, "estimate": estimate, "se": se,
             "df": df, "ci_low": low, "ci_high": high, "n": counts.get((level, method), 0)}
            for ((level, method), column), estimate, se, df, low, high
            in _intervals(point.by_values, by_draws, by_dfs)
        ])
    table = pd.DataFrame(rows)
    # Replicates a method could not be weighted in are left out of its interval, which then
    # describes only the samples that happened to be weightable: beyond a few, it is withheld.
    withheld = sorted(m for m, n in failed_by_method.items() if n > MAX_FAILED_SHARE * max(replicates, 1))
    for frame in (table, by_table):
        if withheld and frame is not None and not frame.empty:
            frame.loc[frame["method"].isin(withheld), ["se", "df", "ci_low", "ci_high"]] = np.nan
    if hand is not None:
        # Pseudo-outcomes are unbiased but not bounded: with few hand-coded voices a share
        # can come out below 0 or above 1. A share lies in [0, 1], so the estimate is
        # clipped to it, and so are the interval's ends (which loses no coverage).
        for frame in (table, by_table):
            if frame is not None and not frame.empty:
                frame[["estimate", "ci_low", "ci_high"]] = frame[["estimate", "ci_low", "ci_high"]].clip(0.0, 1.0)
    coder_shift = None
    if shift_method is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            spread = np.nanstd(np.stack(shifts), axis=0, ddof=1) if len(shifts) > 1 else np.full(y.shape[1], np.nan)
        coder_shift = pd.DataFrame({"column": y.columns, "method": shift_method,
                                    "shift": _coder_error(point, shift_method, y, has_any), "se": spread})
    return Estimates(table=table, point=point, replicates=len(draws), failed_replicates=failed,
                     seed=seed, by_table=by_table, hand=hand, coder_shift=coder_shift,
                     failed_by_method=failed_by_method, withheld=withheld)


@dataclass(frozen=True)
class _ReplicateJob:
    """Everything one bootstrap replicate needs, sent once to each worker process."""

    voices: pd.DataFrame
    y: pd.DataFrame  # the outcomes estimated (pseudo-outcomes with a hand-coded sample)
    d: pd.Series
    margins: Margins
    options: dict[str, Any]
    coded: pd.DataFrame  # the coder's topics and any-concern, for the coder's error
    has_any: pd.Series
    shift_method: str | None
    by_index: pd.Index | None

    def run(self, multipliers: pd.Series) -> tuple[np.ndarray, np.ndarray | None, frozenset[str], np.ndarray | None]:
        """(values, by-group values, problems, coder's error) of one replicate."""
        replicate = point_estimates(self.voices, self.y, self.d, self.margins, multipliers=multipliers,
                                    counted=self.has_any, **self.options)
        shift = (_coder_error(replicate, self.shift_method, self.coded, self.has_any)
                 if self.shift_method is not None else None)
        by_values = (replicate.by_values.reindex(self.by_index).to_numpy()
                     if self.by_index is not None and replicate.by_values is not None else None)
        return replicate.values.to_numpy(), by_values, frozenset(replicate.problems), shift


_WORKER_JOB: list[_ReplicateJob] = []  # the job of this worker process


def _start_worker(job: _ReplicateJob) -> None:
    _WORKER_JOB[:] = [job]


def _run_in_worker(
    multipliers: pd.Series,
) -> tuple[np.ndarray, np.ndarray | None, frozenset[str], np.ndarray | None]:
    return _WORKER_JOB[0].run(multipliers)


def _replicates(
    job: _ReplicateJob, voices: pd.DataFrame, rng: np.random.Generator, design: tuple[np.ndarray, np.ndarray],
    replicates: int, workers: int,
) -> Iterator[tuple[np.ndarray, np.ndarray | None, frozenset[str], np.ndarray | None]]:
    """Each replicate's results in order; the multipliers are drawn here, in order, and the
    replicates computed here or over ``workers`` processes a window at a time."""
    if workers <= 1 or replicates < 2:
        for _ in range(replicates):
            yield job.run(bootstrap_multipliers(voices, rng, design))
        return
    window = 4 * workers  # multipliers in flight: bounded memory on millions of rows
    with ProcessPoolExecutor(max_workers=min(workers, replicates), initializer=_start_worker,
                             initargs=(job,)) as pool:
        done = 0
        while done < replicates:
            batch = [bootstrap_multipliers(voices, rng, design) for _ in range(min(window, replicates - done))]
            yield from pool.map(_run_in_worker, batch)
            done += len(batch)


SHIFT_METHODS = ("blend", "survey", "rake")


def _shift_method(point: PointEstimates) -> str | None:
    """The corrected estimator whose coder error model-based estimates borrow: the blend
    (both sources, by group, as MRP pools them), else the survey, else rake."""
    for method in SHIFT_METHODS:
        if method not in point.problems and np.isfinite(point.values.loc[method].to_numpy(dtype=float)).any():
            return method
    return None


def _coder_error(point: PointEstimates, method: str, y: pd.DataFrame, has_any: pd.Series) -> np.ndarray:
    """``method``'s corrected estimate minus the same unit weights over the coder's topics:
    how far the coder's errors move that estimate (the estimate is a ratio of the unit
    weights, so only the outcomes differ)."""
    yv, d = y.to_numpy(dtype=float), has_any.to_numpy(dtype=float)
    if method == "blend" and point.blend_units is not None:
        coder = unit_ratio(point.blend_units, yv, d)
    else:
        coder = ratio(point.weights[method].to_numpy(), yv, d)
    return np.asarray(point.values.loc[method].to_numpy(dtype=float) - coder)


def _degrees_of_freedom(
    point: PointEstimates, design: tuple[np.ndarray, np.ndarray], counted: np.ndarray, outcomes: np.ndarray,
    rows: pd.Index | None = None, inside: dict[str, np.ndarray] | None = None, count: np.ndarray | None = None,
) -> np.ndarray:
    """Effective degrees of freedom (:func:`opinion.estimates.design.effective_df`) of every
    cell of ``point.values`` (or, with ``rows`` as (level, method) pairs and ``inside`` each
    level's voices, of ``point.by_values``), from each method's unit weights over the
    voices who raise a concern and the ``outcomes`` (n, k) (the blend's weights differ by
    topic); ``count`` (n,): the voices each row stands for (default 1)."""
    labels = point.values.index if rows is None else rows
    k = point.values.shape[1]
    yv = outcomes
    out = np.full((len(labels), k), np.inf)
    strata, units = design
    for i, label in enumerate(labels):
        level, method = (None, label) if rows is None else label
        mask = counted * (1.0 if level is None or inside is None else inside[level])
        topic_units = point.blend_units if method == "blend" else point.mix_units.get(method)
        if topic_units is not None:
            out[i] = [effective_df(topic_units[:, j] * mask, strata, units, yv[:, j], count) for j in range(k)]
        elif method in point.weights:
            w = point.weights[method].to_numpy() * mask
            out[i] = [effective_df(w, strata, units, yv[:, j], count) for j in range(k)]
    return out


def _intervals(
    point: pd.DataFrame, draws: list[np.ndarray], dfs: np.ndarray
) -> list[tuple[tuple[Any, Any], float, float, float, float, float]]:
    """(row label, column), estimate, SE, degrees of freedom and 95% interval (Student's t
    on the logit scale; :func:`opinion.estimates.design.t_interval`) for every cell of
    ``point``."""
    stacked = np.stack(draws) if draws else np.full((1, *point.shape), np.nan)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        # A method that could not be weighted is all-NaN; it is reported, not warned about.
        warnings.simplefilter("ignore", RuntimeWarning)
        se = np.nanstd(stacked, axis=0, ddof=1) if len(draws) > 1 else np.full(point.shape, np.nan)
    out = []
    for i, label in enumerate(point.index):
        for j, column in enumerate(point.columns):
            estimate = float(point.iat[i, j])
            low, high = t_interval(estimate, float(se[i, j]), float(dfs[i, j]))
            out.append(((label, column), estimate, float(se[i, j]), float(dfs[i, j]), low, high))
    return out


def _by_counts(
    voices: pd.DataFrame, has_any: pd.Series, weights: dict[str, pd.Series], by: str
) -> dict[tuple[str, str], int]:
    """Voices each method used in each level (for suppression and for the reader)."""
    counts: dict[tuple[str, str], int] = {}
    speaking = has_any.to_numpy(dtype=bool)
    count = voice_counts(voices)
    for level in voices[by].astype(str).unique():
        inside = (voices[by].astype(str) == level).to_numpy() & speaking
        for method in BY_METHODS:
            counts[(level, method)] = _voices(count, inside & (weights[method].to_numpy() > 0))
    return counts


def pseudo_estimates(
    voices: pd.DataFrame,
    y: pd.DataFrame,
    has_any: pd.Series,
    survey_weights: pd.Series,
    *,
    covariates: Sequence[str] = ("age_group", "sex", "urban"),
    estimator: str = "dr",
) -> pd.DataFrame:
    """``pseudo``: online voices weighted by the inverse of their estimated chance of being
    online, from a participation model fitted against the calibrated survey (Chen, Li &
    Wu 2020); ``dr`` (doubly robust) by default. Intervals are normal, from the
    linearised standard errors. Assumes that, given the covariates, being online is
    unrelated to the concern (the same assumption as ``rake``, made through a model).
    A row of ``count`` identical voices counts as that many voices (estimates, standard
    errors, ``n`` and ``ess``)."""
    columns = ["column", "estimate", "se", "ci_low", "ci_high", "n", "ess"]
    online = (_known(voices, covariates) & (voices["source"] == "online")).to_numpy()
    count = voice_counts(voices)
    result = _fit_pseudo(voices, y.to_numpy(dtype=float), has_any.to_numpy(dtype=float), survey_weights,
                         covariates, online, estimator=estimator, base=count[online], with_se=True, count=count)
    if result is None:
        return pd.DataFrame(columns=columns)
    k = y.shape[1]
    se = result.se if result.se is not None else np.full(k, np.nan)
    return pd.DataFrame({
        "column": y.columns, "estimate": result.estimate, "se": se,
        "ci_low": np.clip(result.estimate - 1.96 * se, 0, 1), "ci_high": np.clip(result.estimate + 1.96 * se, 0, 1),
        "n": _voices(count, online), "ess": kish(np.asarray(result.weights, dtype=float), count[online]),
    }, columns=columns)
