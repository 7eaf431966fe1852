"""Population estimates of per-voice measures from online voices and survey respondents.

Methods (all over voices, never posts):

- ``raw``: online voices, unweighted — what counting the web gives.
- ``rake``: online voices with known attributes, raked to the population margins.
  Assumes that, within each weighting cell, the voices who speak online share the
  concerns of those who do not.
- ``survey``: respondents, design weights raked to the margins. Assumes the survey's
  design and the calibration remove its own non-response bias.
- ``blend``: each source calibrated, then mixed within each blend group (default
  age group x urban/rural) in proportion to their effective sample sizes, and the groups
  combined in their population proportions. Online voices are calibrated to the blend
  groups only (each voice counts once within its group), so voices whose sex is unknown
  still count; respondents carry their raked survey weights. A group with almost no online voices is
  carried by the survey. Assumes, within a group, online voices and respondents share
  the concern (the same assumption as ``rake``, but only where the web has something to say).

Estimand: the *agenda share* of a topic — among people who raise at least one concern,
the share raising this topic. Online voices exist because they spoke, so this is what they
can measure; prevalence over everyone is never estimated from online voices.

Intervals come from bootstrap replicates that redo the whole weighting: online voices
resampled as independent units, survey clusters resampled (Rao-Wu rescaled bootstrap).
"""
from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from opinion.attributes import UNKNOWN
from opinion.estimates.correction import HandSample, pseudo_outcomes
from weighting import Margins, rake
from weighting.errors import WeightingError
from weighting.pseudo import PseudoEstimates, ReferenceSample, pseudo_means
from weighting.unknown import UNKNOWN_METHODS, allocate_unknown

log = logging.getLogger(__name__)

METHODS = ("raw", "rake", "survey", "blend", "pseudo")


@dataclass
class PointEstimates:
    """Estimates of every column by every method, plus what they rest on."""

    values: pd.DataFrame  # method x column
    n: dict[str, int]  # voices each method used (with at least one concern)
    ess: dict[str, float]
    carry: pd.DataFrame  # per blend group: population share, online/survey ess, survey fraction
    weights: dict[str, pd.Series] = field(default_factory=dict)  # source -> calibrated weights
    problems: dict[str, str] = field(default_factory=dict)  # method -> why it could not be weighted
    by_values: pd.DataFrame | None = None  # (level, method) x column, when a --by variable is given


@dataclass
class Estimates:
    table: pd.DataFrame  # long: column, method, estimate, se, ci_low, ci_high, n, ess
    point: PointEstimates
    replicates: int
    failed_replicates: int
    seed: int
    by_table: pd.DataFrame | None = None  # by, level, column, method, estimate, se, ci_low, ci_high, n
    hand: HandSample | None = None  # the hand-coded voices the estimates were corrected with


def joint_shares(margins: Margins, variables: Sequence[str]) -> pd.Series:
    """Population shares over the combinations of ``variables``, levels joined by ``*``."""
    shares = margins.joint(list(variables))
    keys = ["*".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in shares.index]
    return pd.Series(shares.to_numpy(), index=keys)


def _kish(w: np.ndarray) -> float:
    total = w.sum()
    return float(total * total / (w * w).sum()) if total > 0 else 0.0


def _known(frame: pd.DataFrame, variables: Sequence[str]) -> pd.Series:
    return frame[list(variables)].ne(UNKNOWN).all(axis=1) & frame[list(variables)].notna().all(axis=1)


def _group_labels(frame: pd.DataFrame, variables: Sequence[str]) -> np.ndarray:
    """Each row's group: its levels of ``variables`` joined by ``*``."""
    if frame.empty:  # agg on no rows gives a frame, not a column
        return np.array([], dtype=object)
    return frame[list(variables)].astype(str).agg("*".join, axis=1).to_numpy()


def _allocated(
    voices: pd.DataFrame, rows: np.ndarray, variables: Sequence[str], base: pd.Series
) -> tuple[pd.DataFrame, pd.Series]:
    """The voices in ``rows`` with unknown levels of ``variables`` split fractionally
    (:func:`weighting.unknown.allocate_unknown`): one row per voice or part of a voice,
    ``_position`` its voice's position in ``voices``; and each row's base weight."""
    frame = voices.loc[rows, list(variables)].reset_index(drop=True)
    frame["_position"] = np.flatnonzero(rows)
    split, _ = allocate_unknown(frame, list(variables), unknown=UNKNOWN,
                                base_weights=pd.Series(base.to_numpy()[rows]), weight_column="_base")
    return split, split["_base"]


def _calibrate(frame: pd.DataFrame, base: pd.Series, margins: Margins, variables: Sequence[str]) -> pd.Series:
    keep = base > 0
    result = rake(frame.loc[keep], margins, variables=list(variables), base_weights=base[keep])
    return result.weights.reindex(frame.index, fill_value=0.0)


def _ratio(w: np.ndarray, y: np.ndarray, d: np.ndarray) -> np.ndarray:
    denominator = (w * d).sum()
    if denominator <= 0:
        return np.full(y.shape[1], np.nan)
    return (w[:, None] * y).sum(axis=0) / denominator


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
) -> PointEstimates:
    """One pass of every method. ``multipliers`` are bootstrap frequency weights (1 = full sample).

    ``pseudo_vars`` are the participation model's covariates (default ``weight_vars``); they
    may include attributes the survey measures but the census margins lack (region,
    education), which is where ``pseudo`` can correct what raking cannot.

    ``y`` and ``has_any`` may be pseudo-outcomes (:mod:`opinion.estimates.correction`), not
    0/1; ``counted`` is then the coder's 0/1 any-concern indicator, from which the counts
    and effective sample sizes are taken. ``pseudo_ratio``: estimate ``pseudo`` as the ratio
    of the doubly robust means of the topic and of "any concern" (what pseudo-outcomes need)
    instead of the doubly robust mean over the voices who raise a concern.

    ``unknown``: what ``rake`` and the blend's online part do with online voices whose
    weighting (or blend) attributes are unknown. ``fractional`` (default): each such voice
    is split across the levels it could have, in proportion to the known voices that share
    its known attributes (:func:`weighting.unknown.allocate_unknown`), redone in every
    replicate; it assumes that, given what is known of a voice, its unknown attributes
    follow those of the voices who reveal them. ``exclude``: they are left out, which
    assumes the voices who reveal their attributes speak for those who do not.
    """
    if unknown not in UNKNOWN_METHODS:
        raise WeightingError(f"unknown={unknown!r}; expected one of {', '.join(UNKNOWN_METHODS)}")
    m = multipliers if multipliers is not None else pd.Series(1.0, index=voices.index)
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
    values["raw"] = _ratio(w_raw, yv, d)
    n["raw"] = int(((w_raw > 0) & (dc > 0)).sum())
    ess["raw"] = _kish(w_raw[dc > 0])

    known = _known(voices, weight_vars).to_numpy()
    speaking_online = online & (m.to_numpy() > 0)
    problems: dict[str, str] = {}
    for method, mask, base in (
        ("rake", online & known, m),
        ("survey", survey & known, m * voices["design_weight"].astype(float)),
    ):
        w = np.zeros(len(voices))
        try:
            if method == "rake" and unknown == "fractional" and speaking_online.any():
                rows, row_weights = _allocated(voices, speaking_online, weight_vars, m)
                raked = rake(rows[list(weight_vars)], margins, variables=list(weight_vars),
                             base_weights=row_weights).weights.to_numpy()
                np.add.at(w, rows["_position"].to_numpy(), raked)
            elif mask.any():
                idx = voices.index[mask]
                w[mask] = _calibrate(voices.loc[idx], base.loc[idx], margins, weight_vars).to_numpy()
        except WeightingError as exc:
            # Reported beside the estimates; the other methods still stand.
            problems[method] = str(exc)
            w[:] = 0.0
        weights[method] = pd.Series(w, index=voices.index)
        values[method] = _ratio(w, yv, d) if not problems.get(method) else np.full(yv.shape[1], np.nan)
        n[method] = int(((w > 0) & (dc > 0)).sum())
        ess[method] = _kish(w[dc > 0])

    # The blend's online part needs only the blend groups: within a group each online voice
    # counts once (post-stratification to the group cells), so voices of unknown sex still speak.
    # With fractional allocation a voice of unknown age or residence is split across the
    # groups it could belong to, each part counting as that share of a voice.
    if unknown == "fractional" and speaking_online.any():
        try:
            rows, row_weights = _allocated(voices, speaking_online, blend_vars, m)
            online_rows = (rows["_position"].to_numpy(), _group_labels(rows, blend_vars), row_weights.to_numpy())
        except WeightingError as exc:
            problems.setdefault("blend", f"online voices: {exc}")
            online_rows = (np.zeros(0, dtype=int), np.zeros(0, dtype=object), np.zeros(0))
    else:
        in_blend = online & _known(voices, blend_vars).to_numpy()
        at = np.flatnonzero(in_blend)
        online_rows = (at, _group_labels(voices.iloc[at], blend_vars), m.to_numpy()[at])
    online_unit = np.zeros(len(voices))
    np.add.at(online_unit, online_rows[0], online_rows[2])
    weights["online_groups"] = pd.Series(online_unit, index=voices.index)
    blend, carry, blend_ess, weights["blend"] = _blend(voices, yv, d, weights, margins, blend_vars, dc, online_rows)
    values["blend"] = blend
    values["pseudo"], n["pseudo"], ess["pseudo"], weights["pseudo"] = _pseudo(
        voices, yv, d, m, weights["survey"], pseudo_vars or weight_vars,
        online & _known(voices, pseudo_vars or weight_vars).to_numpy(), problems, ratio=pseudo_ratio, counted=dc,
    )
    n["blend"] = int(((weights["blend"].to_numpy() > 0) & (dc > 0)).sum())
    ess["blend"] = blend_ess
    table = pd.DataFrame(values, index=y.columns).T.loc[list(METHODS)]
    weights["raw"] = pd.Series(w_raw, index=voices.index)
    by_values = _by_group(voices, yv, d, weights, by, y.columns) if by else None
    return PointEstimates(values=table, n=n, ess=ess, carry=carry, weights=weights, problems=problems,
                          by_values=by_values)


BY_METHODS = ("raw", "rake", "survey", "blend")


def _by_group(
    voices: pd.DataFrame, yv: np.ndarray, d: np.ndarray, weights: dict[str, pd.Series], by: str, columns: pd.Index
) -> pd.DataFrame:
    """Each method's estimate within each level of ``by``, from its unit weights (``pseudo``
    is left out: its doubly robust estimate is not a ratio of unit weights)."""
    levels = sorted(str(v) for v in voices[by].dropna().unique() if v != UNKNOWN)
    rows, index = [], []
    for level in levels:
        inside = (voices[by].astype(str) == level).to_numpy()
        for method in BY_METHODS:
            rows.append(_ratio(weights[method].to_numpy() * inside, yv, d))
            index.append((level, method))
    return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=["level", "method"]), columns=columns)


def _blend(
    voices: pd.DataFrame, yv: np.ndarray, d: np.ndarray, weights: dict[str, pd.Series],
    margins: Margins, blend_vars: Sequence[str], counted: np.ndarray | None = None,
    online_rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, pd.DataFrame, float, pd.Series]:
    """The blended estimate, the carry table, its effective size, and the unit weights that
    reproduce it as a ratio (so that any domain, e.g. a ``--by`` group, can be estimated).
    ``counted`` (default ``d``): the 0/1 indicator the effective sizes are taken over.
    ``online_rows``: the online part as (voice positions, group labels, weights), one row
    per voice or per fractional part of a voice (default: ``weights["online_groups"]``
    with each voice in its own group)."""
    dc = d if counted is None else counted
    population = joint_shares(margins, blend_vars)
    group_of = _group_labels(voices, blend_vars)
    everyone = np.arange(len(voices))
    if online_rows is None:
        online_rows = (everyone, group_of, weights["online_groups"].to_numpy())
    # Each source as rows: (voice positions, group of the row, weight of the row).
    sources = {"online_groups": online_rows, "survey": (everyone, group_of, weights["survey"].to_numpy())}
    overall_any = _any_share(weights["survey"].to_numpy(), d)
    estimate = np.zeros(yv.shape[1])
    total_weight = 0.0
    inverse_ess = 0.0
    unit = np.zeros(len(voices))
    rows = []
    for group, share in population.items():
        parts = {}
        for source, (at, groups, row_w) in sources.items():
            w = row_w * (groups == group)
            parts[source] = (_ratio(w, yv[at], d[at]), _kish(w[dc[at] > 0]))
        in_group = group_of == group
        (p_on, ess_on), (p_sv, ess_sv) = parts["online_groups"], parts["survey"]
        total = ess_on + ess_sv
        rows.append({"group": group, "population_share": float(share), "online_ess": ess_on,
                     "survey_ess": ess_sv, "survey_fraction": ess_sv / total if total else np.nan})
        if total <= 0:
            continue  # a blind spot: nobody speaks for this group; reported in the carry table
        lam = ess_on / total
        p = lam * np.nan_to_num(p_on) + (1 - lam) * np.nan_to_num(p_sv)
        any_share = _any_share(weights["survey"].to_numpy() * in_group, d)
        weight = float(share) * (any_share if np.isfinite(any_share) else overall_any)
        estimate += weight * p
        total_weight += weight
        inverse_ess += weight * weight / total
        for source, part in (("online_groups", lam), ("survey", 1 - lam)):
            at, groups, row_w = sources[source]
            w = row_w * (groups == group)
            speaking = (w * d[at]).sum()
            if part > 0 and speaking > 0:
                np.add.at(unit, at, part * weight * w / speaking)
    unit_weights = pd.Series(unit, index=voices.index)
    if total_weight <= 0:
        return np.full(yv.shape[1], np.nan), pd.DataFrame(rows), 0.0, unit_weights
    return estimate / total_weight, pd.DataFrame(rows), total_weight * total_weight / inverse_ess, unit_weights


def _fit_pseudo(
    voices: pd.DataFrame, yv: np.ndarray, d: np.ndarray, survey_weights: pd.Series, covariates: Sequence[str],
    sample_rows: np.ndarray, *, estimator: str, base: np.ndarray | None, with_se: bool,
) -> PseudoEstimates | None:
    """Domain means of the online voices in ``sample_rows`` against the calibrated survey
    (respondents with a positive weight and known covariates); None when either side has
    fewer than 10 units."""
    reference_rows = (survey_weights.to_numpy() > 0) & _known(voices, covariates).to_numpy()
    if sample_rows.sum() < 10 or reference_rows.sum() < 10:
        return None
    k = yv.shape[1]
    sample = voices.loc[sample_rows, list(covariates)].astype(str).reset_index(drop=True)
    reference = ReferenceSample.from_frame(
        voices.loc[reference_rows, list(covariates)].astype(str).reset_index(drop=True),
        pd.Series(survey_weights.to_numpy()[reference_rows]), source="survey respondents",
    )
    return pseudo_means(
        sample, reference, list(covariates), yv[sample_rows],
        np.tile(d[sample_rows][:, None], (1, k)), np.tile(d[reference_rows][:, None], (1, k)),
        estimator=estimator, base_weights=base, with_se=with_se,
    )


def _pseudo(
    voices: pd.DataFrame, yv: np.ndarray, d: np.ndarray, m: pd.Series, survey_weights: pd.Series,
    covariates: Sequence[str], online_known: np.ndarray, problems: dict[str, str], *, ratio: bool = False,
    counted: np.ndarray | None = None,
) -> tuple[np.ndarray, int, float, pd.Series]:
    """Doubly robust pseudo-weighting of the online voices against the calibrated survey.

    ``ratio``: the agenda share as the ratio of the doubly robust means of each topic and
    of "any concern" over all voices (linear in the outcomes, so pseudo-outcomes carry
    through), instead of the doubly robust mean within the voices who raise a concern."""
    k = yv.shape[1]
    none = (np.full(k, np.nan), 0, 0.0, pd.Series(0.0, index=voices.index))
    sample_rows = online_known & (m.to_numpy() > 0)
    outcomes, domain = (np.column_stack([yv, d]), np.ones(len(d))) if ratio else (yv, d)
    try:
        result = _fit_pseudo(voices, outcomes, domain, survey_weights, covariates, sample_rows,
                             estimator="dr", base=m.to_numpy()[sample_rows], with_se=False)
    except WeightingError as exc:
        problems.setdefault("pseudo", str(exc))
        return none
    if result is None:
        problems.setdefault("pseudo", "fewer than 10 online voices or respondents with known covariates")
        return none
    w = np.asarray(result.weights, dtype=float)
    unit = np.zeros(len(voices))
    unit[sample_rows] = w
    estimate = np.asarray(result.estimate, dtype=float)
    if ratio:
        with np.errstate(invalid="ignore", divide="ignore"):
            estimate = estimate[:k] / estimate[k] if estimate[k] > 0 else np.full(k, np.nan)
    dc = d if counted is None else counted
    return (estimate, int(((dc[sample_rows]) > 0).sum()), _kish(w),
            pd.Series(unit, index=voices.index))


def _any_share(w: np.ndarray, d: np.ndarray) -> float:
    total = w.sum()
    return float((w * d).sum() / total) if total > 0 else float("nan")


def bootstrap_multipliers(voices: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """Frequency weights of one replicate: online voices resampled as units; survey clusters
    resampled within the survey with n-1 draws and rescaled by n/(n-1) (Rao-Wu)."""
    m = pd.Series(0.0, index=voices.index)
    online = voices.index[voices["source"] == "online"]
    if len(online):
        draws = rng.multinomial(len(online), np.full(len(online), 1 / len(online)))
        m.loc[online] = draws.astype(float)
    survey = voices[voices["source"] == "survey"]
    if len(survey):
        clusters = survey["cluster"].astype(str)
        labels = np.array(sorted(clusters.unique()))
        if len(labels) > 1:
            counts = rng.multinomial(len(labels) - 1, np.full(len(labels), 1 / len(labels)))
            factor = dict(zip(labels, counts * len(labels) / (len(labels) - 1), strict=True))
            m.loc[survey.index] = clusters.map(factor).to_numpy(dtype=float)
        else:
            m.loc[survey.index] = 1.0
    return m


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
) -> Estimates:
    """Point estimates and 95% percentile intervals from replicates that redo the weighting.

    ``hand``: voices coded by a person; every estimate is then corrected for the coder's
    errors (:mod:`opinion.estimates.correction`): each voice carries its pseudo-outcome,
    and the replicates resample voices with their pseudo-outcomes, whose spread already
    holds the hand-coded voices' corrections, so the intervals include the coder's error.
    Without it the estimates take the coder's ``y`` and ``has_any`` as if they were right.
    ``unknown``: online voices of unknown attributes, allocated fractionally (default) or
    excluded (see :func:`point_estimates`); the allocation is redone in every replicate.
    """
    yy, dd = (y, has_any) if hand is None else pseudo_outcomes(y, has_any, hand)

    def run(multipliers: pd.Series | None) -> PointEstimates:
        return point_estimates(voices, yy, dd, margins, weight_vars=weight_vars, blend_vars=blend_vars,
                               pseudo_vars=pseudo_vars, by=by, multipliers=multipliers, counted=has_any,
                               pseudo_ratio=hand is not None, unknown=unknown)

    point = run(None)
    rng = np.random.default_rng(seed)
    draws: list[np.ndarray] = []
    by_draws: list[np.ndarray] = []
    failed = 0
    for r in range(replicates):
        m = bootstrap_multipliers(voices, rng)
        replicate = run(m)
        draws.append(replicate.values.to_numpy())
        if point.by_values is not None and replicate.by_values is not None:
            by_draws.append(replicate.by_values.reindex(point.by_values.index).to_numpy())
        new_problems = set(replicate.problems) - set(point.problems)
        if new_problems:
            failed += 1
            log.debug("replicate %d could not be weighted for %s", r, ", ".join(sorted(new_problems)))
        if progress:
            progress(1)
    if failed:
        log.warning("%d of %d replicates could not be weighted and were left out", failed, replicates)
    rows = []
    for (method, column), estimate, se, low, high in _intervals(point.values, draws):
        rows.append({"column": column, "method": method, "estimate": estimate, "se": se, "ci_low": low,
                     "ci_high": high, "n": point.n[method], "ess": point.ess[method]})
    by_table = None
    if point.by_values is not None:
        counts = _by_counts(voices, has_any, point.weights, by) if by else {}
        by_table = pd.DataFrame([
            {"by": by, "level": level, "column": column, "method": method, "estimate": estimate, "se": se,
             "ci_low": low, "ci_high": high, "n": counts.get((level, method), 0)}
            for ((level, method), column), estimate, se, low, high in _intervals(point.by_values, by_draws)
        ])
    table = pd.DataFrame(rows)
    if hand is not None:
        # Pseudo-outcomes are unbiased but not bounded: with few hand-coded voices a share
        # can come out below 0 or above 1. A share lies in [0, 1], so the estimate is
        # clipped to it, and so are the interval's ends (which loses no coverage).
        for frame in (table, by_table):
            if frame is not None and not frame.empty:
                frame[["estimate", "ci_low", "ci_high"]] = frame[["estimate", "ci_low", "ci_high"]].clip(0.0, 1.0)
    return Estimates(table=table, point=point, replicates=len(draws), failed_replicates=failed,
                     seed=seed, by_table=by_table, hand=hand)


def _intervals(point: pd.DataFrame, draws: list[np.ndarray]) -> list[tuple[tuple[Any, Any], float, float, float, float]]:
    """(row label, column), estimate, SE and 95% percentile interval for every cell of ``point``."""
    stacked = np.stack(draws) if draws else np.full((1, *point.shape), np.nan)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        # A method that could not be weighted is all-NaN; it is reported, not warned about.
        warnings.simplefilter("ignore", RuntimeWarning)
        se = np.nanstd(stacked, axis=0, ddof=1) if len(draws) > 1 else np.full(point.shape, np.nan)
        low = np.nanpercentile(stacked, 2.5, axis=0)
        high = np.nanpercentile(stacked, 97.5, axis=0)
    return [
        ((label, column), point.iat[i, j], se[i, j], low[i, j], high[i, j])
        for i, label in enumerate(point.index) for j, column in enumerate(point.columns)
    ]


def _by_counts(
    voices: pd.DataFrame, has_any: pd.Series, weights: dict[str, pd.Series], by: str
) -> dict[tuple[str, str], int]:
    """Voices each method used in each level (for suppression and for the reader)."""
    counts: dict[tuple[str, str], int] = {}
    speaking = has_any.to_numpy(dtype=bool)
    for level in voices[by].astype(str).unique():
        inside = (voices[by].astype(str) == level).to_numpy() & speaking
        for method in BY_METHODS:
            counts[(level, method)] = int((inside & (weights[method].to_numpy() > 0)).sum())
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
    unrelated to the concern (the same assumption as ``rake``, made through a model)."""
    columns = ["column", "estimate", "se", "ci_low", "ci_high", "n", "ess"]
    online = (_known(voices, covariates) & (voices["source"] == "online")).to_numpy()
    result = _fit_pseudo(voices, y.to_numpy(dtype=float), has_any.to_numpy(dtype=float), survey_weights,
                         covariates, online, estimator=estimator, base=None, with_se=True)
    if result is None:
        return pd.DataFrame(columns=columns)
    k = y.shape[1]
    se = result.se if result.se is not None else np.full(k, np.nan)
    return pd.DataFrame({
        "column": y.columns, "estimate": result.estimate, "se": se,
        "ci_low": np.clip(result.estimate - 1.96 * se, 0, 1), "ci_high": np.clip(result.estimate + 1.96 * se, 0, 1),
        "n": int(online.sum()), "ess": _kish(np.asarray(result.weights, dtype=float)),
    }, columns=columns)
