"""Multilevel regression and post-stratification (MRP) of topic concerns.

For each topic, a logistic model with partial pooling — random intercepts for age group,
sex, urban/rural and source (online or survey) — is fitted to every voice whose
attributes are known (statsmodels' ``BinomialBayesMixedGLM``, variational Bayes). Each
population cell's share is predicted *as the survey would measure it* (the source effect
held at ``survey``), and the cells are combined in their population proportions.

When it is right: for groups too small for the other methods, because the model borrows
strength across groups. What it assumes: concerns vary by the modelled attributes
additively on the logit scale (no interactions), online voices differ from respondents
only by a common shift (the source effect), and every cell raises concerns as often as
any other (the cell weights are population counts). Intervals come from the variational
posterior, which is known to be too narrow; treat them as a lower bound on uncertainty.

Voices whose attributes are unknown are not dropped (dropping them would assume that
those who reveal their age speak for those who do not). Their unknown attributes are
imputed several times, each draw from the distribution among the voices of the same
source who share their known attributes (the fractional allocation of
:func:`weighting.unknown.allocate_unknown`, turned into probabilities); the model is
fitted to each completed data set and the posterior draws of all fits are pooled, which
carries the imputation uncertainty into the interval (Zhou & Reiter, "A note on Bayesian
inference after multiple imputation", The American Statistician 64(2), 2010).

Coder error: the model is fitted to the coder's topics, which are 0/1, so the
hand-coded sample's pseudo-outcomes (:mod:`opinion.estimates.correction`) cannot enter a
logistic model. ``shift`` corrects the post-stratified share instead: it is the coder's
error as a design-based estimator sees it (the corrected estimate minus the same
estimator over the coder's topics, with its replicate spread), added to every posterior
draw as an independent normal draw. This assumes the model's estimate responds to the
coder's errors as that estimator does (both are cell-weighted means of the same voices);
it is checked by simulation (``python -m benchmarks.simulate_coding``).
"""
from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

from opinion.attributes import UNKNOWN
from opinion.estimates.methods import topic_pattern
from weighting import Margins
from weighting.errors import WeightingError
from weighting.unknown import allocate_unknown

log = logging.getLogger(__name__)

MRP_COLUMNS = ["column", "estimate", "se", "ci_low", "ci_high", "n"]
IMPUTATIONS = 5


def _cells(margins: Margins, variables: Sequence[str]) -> pd.DataFrame:
    shares = margins.joint(list(variables))
    index = shares.index
    levels = [list(k) if isinstance(k, tuple) else [k] for k in index]
    frame = pd.DataFrame(levels, columns=list(variables))
    frame["share"] = shares.to_numpy(dtype=float)
    return frame


def _effect_draws(
    names: list[str], means: np.ndarray, sds: np.ndarray, rng: np.random.Generator, draws: int
) -> dict[str, np.ndarray]:
    return {name: rng.normal(m, s, size=draws) for name, m, s in zip(names, means, sds, strict=True)}


def _unknown(frame: pd.DataFrame, variables: Sequence[str]) -> pd.Series:
    values = frame[list(variables)]
    return (values.isna() | values.astype(str).eq(UNKNOWN)).any(axis=1)


def imputed_attributes(
    voices: pd.DataFrame, variables: Sequence[str], rng: np.random.Generator, imputations: int,
    pattern: np.ndarray | None = None,
) -> list[pd.DataFrame]:
    """``imputations`` copies of ``voices[variables]`` (same index) with every unknown level
    drawn from the distribution among the voices of the same source who share the voice's
    known attributes and what it said (``pattern``: one string per voice, e.g. its topics
    from :func:`opinion.estimates.methods.topic_pattern`; an imputation blind to the
    outcome would flatten the differences the model estimates), by
    :func:`weighting.unknown.allocate_unknown`. Voices whose source has no voice with
    every attribute known keep their unknowns (and are left out of the fit).
    """
    base = voices[list(variables)].astype(object)
    copies = [base.copy() for _ in range(imputations)]
    for _, group in voices.groupby("source", sort=True):
        missing = _unknown(group, variables)
        if not missing.any():
            continue
        frame = group[list(variables)].astype(object)
        condition: list[str] = []
        if pattern is not None:
            frame["_topics"] = pattern[voices.index.get_indexer(group.index)]
            condition = ["_topics"]
        try:
            split, _ = allocate_unknown(frame, list(variables), unknown=UNKNOWN, condition=condition)
        except WeightingError:
            continue  # nobody in this source is fully known: nothing to draw from
        split = split[split["source_row"].isin(group.index[missing])]
        for label, options in split.groupby("source_row", sort=False):
            p = options["base_weight"].to_numpy(dtype=float)
            p = p / p.sum()
            picks = rng.choice(len(options), size=imputations, p=p)
            for copy, pick in zip(copies, picks, strict=True):
                copy.loc[label, list(variables)] = options.iloc[pick][list(variables)].to_numpy()
    return copies


def mrp_estimates(
    voices: pd.DataFrame,
    y: pd.DataFrame,
    has_any: pd.Series,
    margins: Margins,
    *,
    variables: Sequence[str] = ("age_group", "sex", "urban"),
    draws: int = 2000,
    seed: int = 20201101,
    imputations: int = IMPUTATIONS,
    shift: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per column of ``y``: the post-stratified share with a 95% posterior interval.

    ``voices``: one row per voice with ``variables`` and ``source``; ``y``: voices x topics,
    0/1 as the coder said; ``has_any``: 0/1 per voice. ``imputations``: completed data sets
    when some voices' attributes are unknown (1 leaves those voices out). ``shift``: the
    coder-error correction per column (columns ``column``, ``shift``, ``se``; see the module
    docstring), or None when no hand-coded sample exists (the estimate then assumes a
    perfect coder). ``n`` counts the voices with a concern that entered the fit.
    """
    rng = np.random.default_rng(seed)
    speaking = has_any.astype(bool)
    missing = _unknown(voices, variables)
    completed = (imputed_attributes(voices, variables, rng, imputations, topic_pattern(y.to_numpy(dtype=float)))
                 if imputations > 1 and (missing & speaking).any() else [voices[list(variables)]])
    fits = []
    for attributes in completed:
        use = speaking & ~_unknown(attributes, variables)
        data = attributes.loc[use, list(variables)].astype(str)
        data["source"] = voices.loc[use, "source"].astype(str)
        fits.append((use, data.reset_index(drop=True)))
    cells = _cells(margins, variables)
    shifts = shift.set_index("column") if shift is not None and not shift.empty else None
    per_fit = max(draws // len(fits), 1)
    rows = []
    for column in y.columns:
        n = int(fits[0][0].sum())
        pooled = []
        for use, data in fits:
            outcome = y.loc[use, column].to_numpy(dtype=float)
            if len(data) < 10 or len(np.unique(outcome)) < 2:
                continue
            pooled.append(_posterior_totals(data.assign(y=outcome), variables, cells, rng, per_fit, seed))
        if not pooled:
            rows.append({"column": column, "estimate": np.nan, "se": np.nan, "ci_low": np.nan,
                         "ci_high": np.nan, "n": n})
            continue
        totals = np.concatenate(pooled)
        if shifts is not None and column in shifts.index:
            moved, spread = float(shifts.at[column, "shift"]), float(shifts.at[column, "se"])
            totals = totals + rng.normal(moved, spread if np.isfinite(spread) else 0.0, size=len(totals))
            totals = np.clip(totals, 0.0, 1.0)
        rows.append({
            "column": column, "estimate": float(totals.mean()), "se": float(totals.std(ddof=1)),
            "ci_low": float(np.percentile(totals, 2.5)), "ci_high": float(np.percentile(totals, 97.5)),
            "n": n,
        })
    return pd.DataFrame(rows, columns=MRP_COLUMNS)


def _posterior_totals(
    data: pd.DataFrame, variables: Sequence[str], cells: pd.DataFrame, rng: np.random.Generator, draws: int,
    seed: int,
) -> np.ndarray:
    """Posterior draws (``draws``,) of the post-stratified share from one fit to ``data``
    (columns ``variables``, ``source`` and the 0/1 outcome ``y``)."""
    groups = {v: f"0 + C({v})" for v in variables}
    if data["source"].nunique() > 1:
        groups["source"] = "0 + C(source)"
    model = BinomialBayesMixedGLM.from_formula("y ~ 1", groups, data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of the optimiser
        # fit_vb starts from random values; seeding it makes identical inputs give identical fits
        result = model.fit_vb(rng=np.random.default_rng(seed))
    sd_of = dict(zip(model.vcp_names, np.exp(result.vcp_mean), strict=True))
    effects = _effect_draws(list(model.vc_names), result.vc_mean, result.vc_sd, rng, draws)
    intercept = rng.normal(result.fe_mean[0], result.fe_sd[0], size=draws)
    eta = np.tile(intercept, (len(cells), 1))
    for variable in variables:
        for i, level in enumerate(cells[variable]):
            name = f"C({variable})[{level}]"
            # a level nobody in the data has: its effect is a draw from the group's prior
            eta[i] += effects[name] if name in effects else rng.normal(0, sd_of[variable], size=draws)
    if "source" in groups:
        eta += effects.get("C(source)[survey]", 0.0)
    p = 1 / (1 + np.exp(-eta))
    return np.asarray(cells["share"].to_numpy() @ p)
