"""Weighted means and shares with standard errors and 95% intervals.

One function, :func:`estimate`, turns a table of units (voices or respondents) and
their weights into a tidy result: one row per level of a categorical variable (its
share) or one row for a numeric variable (its mean), per group when ``by`` is given.
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from weighting._sample import base_weights as _base_weights
from weighting._sample import dimension_codes
from weighting.errors import WeightingError
from weighting.margins import JOINT_SEP
from weighting.replicates import RakeReweight
from weighting.result import WeightingResult
from weighting.variance import (
    REPLICATE_KINDS,
    Reweight,
    calibration_residuals,
    linearized_variance,
    make_design,
    ratio_influence,
    replicate_multipliers,
    replicate_variance,
    replicate_weights,
    weights_of,
)

logger = logging.getLogger(__name__)

COLUMNS = ["variable", "by", "level", "estimate", "se", "ci_low", "ci_high", "n", "ess"]
Z_95 = 1.959963984540054


def estimate(
    data: pd.DataFrame,
    variable: str,
    *,
    weights: pd.Series | str | None = None,
    cluster: str | None = None,
    strata: str | None = None,
    replicates: str = "none",
    n_replicates: int = 200,
    by: str | None = None,
    reweight: Reweight | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Estimate the mean (numeric ``variable``) or level shares (any other) with SEs.

    ``weights`` are the base (design) weights; with ``reweight`` (a callable
    ``(sample, base_weights) -> weights or WeightingResult``) the final weights are
    ``reweight(data, base)``, and replicate methods redo it inside every replicate.
    ``replicates="none"`` uses linearisation, removing the weighting cells' part of the
    variance when ``reweight`` returns a post-stratification or raking result.
    A :class:`~weighting.replicates.RakeReweight` with ``replicates="bootstrap"`` redoes
    the raking on cell totals, one replicate at a time, so a million rows fit in memory.
    Rows with a missing ``variable`` are outside every estimate (counted in no ``n``).
    ``reweight`` receives the rows with a fresh 0..n-1 index.
    Intervals are normal 95%; shares are clipped to [0, 1].
    """
    if replicates not in REPLICATE_KINDS:
        raise WeightingError(
            f"replicates={replicates!r}; expected one of {', '.join(REPLICATE_KINDS)}"
        )
    for role, column in (("variable", variable), ("cluster", cluster), ("strata", strata), ("by", by)):
        if column is not None and column not in data.columns:
            raise WeightingError(
                f"{role} column {column!r} not found (columns are: "
                f"{', '.join(map(str, data.columns))})"
            )
    if data.empty:
        raise WeightingError("the data has no rows; nothing to estimate")
    base = _base_weights(data, weights)  # aligned on the caller's index, then positional
    data = data.reset_index(drop=True)
    for role, column in (("cluster", cluster), ("strata", strata)):
        if column is not None and data[column].isna().any():
            raise WeightingError(
                f"{role} column {column!r} has {int(data[column].isna().sum())} missing "
                "value(s); every unit needs its design information"
            )

    calibrated: WeightingResult | None = None
    final = base
    if reweight is not None:
        result = reweight(data, pd.Series(base, index=data.index))
        final = weights_of(result).reindex(data.index).to_numpy(dtype="float64")
        if isinstance(result, WeightingResult):
            calibrated = result
        if not np.all(np.isfinite(final)):
            raise WeightingError("reweighting gave missing weights; it must weight every row")

    y, domain, rows = _columns(data, variable, by)
    theta, z = ratio_influence(y, domain, final)
    design = make_design(
        len(data),
        None if cluster is None else data[cluster].to_numpy(),
        None if strata is None else data[strata].to_numpy(),
    )
    if replicates == "none":
        if calibrated is not None and calibrated.cell_codes is not None:
            z = calibration_residuals(z, final, calibrated.cell_codes, calibrated.method)
        elif calibrated is not None and calibrated.variables:
            cells = [_codes(data, dim) for dim in calibrated.variables]
            z = calibration_residuals(z, final, cells, calibrated.method)
        elif reweight is not None:
            logger.warning(
                "the reweighting did not say which cells it used; the linearised SE ignores "
                "it and is conservative; use replicate weights to count it"
            )
        variance = linearized_variance(z, design)
    elif replicates == "bootstrap" and isinstance(reweight, RakeReweight):
        # Raking redone on cell totals, one replicate at a time: no R x n matrix.
        thetas = reweight.bootstrap(data, base, y, domain, design, n_replicates, seed)
        variance = replicate_variance(thetas, theta, np.full(n_replicates, 1.0 / n_replicates))
    else:
        multipliers, factors = replicate_multipliers(design, replicates, n_replicates, seed)
        weight_matrix = replicate_weights(data, base, multipliers, reweight)
        with np.errstate(invalid="ignore", divide="ignore"):
            thetas = (weight_matrix @ (domain * y)) / (weight_matrix @ domain)
        variance = replicate_variance(thetas, theta, factors)
    se = np.sqrt(variance)
    out = pd.DataFrame(rows)
    out["estimate"] = theta
    out["se"] = se
    low, high = theta - Z_95 * se, theta + Z_95 * se
    is_share = out["level"] != ""
    out["ci_low"] = np.where(is_share, np.clip(low, 0.0, 1.0), low)
    out["ci_high"] = np.where(is_share, np.clip(high, 0.0, 1.0), high)
    wd = final[:, None] * domain
    out["n"] = domain.sum(axis=0).astype("int64")
    out["ess"] = wd.sum(axis=0) ** 2 / (wd**2).sum(axis=0)
    return out[COLUMNS]


def _columns(
    data: pd.DataFrame, variable: str, by: str | None
) -> tuple[np.ndarray, np.ndarray, list[dict[str, object]]]:
    """The (n, k) outcome and domain matrices, and the label columns of the k estimates."""
    values = data[variable]
    present = values.notna().to_numpy()
    if not present.any():
        raise WeightingError(f"variable column {variable!r} has no value; nothing to estimate")
    if by is None:
        groups: list[tuple[str, np.ndarray]] = [("", np.ones(len(data), dtype=bool))]
    else:
        by_values = data[by]
        if by_values.isna().any():
            raise WeightingError(
                f"by column {by!r} has {int(by_values.isna().sum())} missing value(s); "
                "code them as a level such as 'unknown'"
            )
        labels = np.array([str(v) for v in by_values.tolist()], dtype=object)
        groups = [(g, labels == g) for g in sorted(set(labels.tolist()))]
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )
    if numeric:
        outcome = values.to_numpy(dtype="float64", na_value=np.nan)
        outcomes = [("", np.nan_to_num(outcome))]
    else:
        text = np.array([str(v) for v in values.tolist()], dtype=object)
        outcomes = [
            (lv, (text == lv).astype("float64"))
            for lv in sorted(set(text[present].tolist()))
        ]
    ys: list[np.ndarray] = []
    domains: list[np.ndarray] = []
    rows: list[dict[str, object]] = []
    for group, in_group in groups:
        mask = (in_group & present).astype("float64")
        if not mask.any():
            logger.info("group %r of %r has no value of %r", group, by, variable)
            continue
        for level, outcome in outcomes:
            ys.append(outcome)
            domains.append(mask)
            rows.append({"variable": variable, "by": group, "level": level})
    return np.column_stack(ys), np.column_stack(domains), rows


def _codes(data: pd.DataFrame, dim: str) -> np.ndarray:
    for column in dim.split(JOINT_SEP):
        if column not in data.columns:
            raise WeightingError(
                f"weighting column {column!r} not found in the data (columns are: "
                f"{', '.join(map(str, data.columns))})"
            )
    return dimension_codes(data, dim)[0]
