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
"""
from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

from opinion.attributes import UNKNOWN
from weighting import Margins

log = logging.getLogger(__name__)

MRP_COLUMNS = ["column", "estimate", "se", "ci_low", "ci_high", "n"]


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


def mrp_estimates(
    voices: pd.DataFrame,
    y: pd.DataFrame,
    has_any: pd.Series,
    margins: Margins,
    *,
    variables: Sequence[str] = ("age_group", "sex", "urban"),
    draws: int = 2000,
    seed: int = 20201101,
) -> pd.DataFrame:
    """One row per column of ``y``: the post-stratified share with a 95% posterior interval."""
    known = voices[list(variables)].ne(UNKNOWN).all(axis=1) & voices[list(variables)].notna().all(axis=1)
    use = known & has_any.astype(bool)
    data = voices.loc[use, [*variables, "source"]].astype(str).reset_index(drop=True)
    cells = _cells(margins, variables)
    groups = {v: f"0 + C({v})" for v in variables}
    if data["source"].nunique() > 1:
        groups["source"] = "0 + C(source)"
    rng = np.random.default_rng(seed)
    rows = []
    for column in y.columns:
        data["y"] = y.loc[use, column].to_numpy(dtype=float)
        if len(data) < 10 or data["y"].nunique() < 2:
            rows.append({"column": column, "estimate": np.nan, "se": np.nan, "ci_low": np.nan,
                         "ci_high": np.nan, "n": len(data)})
            continue
        model = BinomialBayesMixedGLM.from_formula("y ~ 1", groups, data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter of the optimiser; checked below
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
        totals = cells["share"].to_numpy() @ p
        rows.append({
            "column": column, "estimate": float(totals.mean()), "se": float(totals.std(ddof=1)),
            "ci_low": float(np.percentile(totals, 2.5)), "ci_high": float(np.percentile(totals, 97.5)),
            "n": len(data),
        })
    return pd.DataFrame(rows, columns=MRP_COLUMNS)
