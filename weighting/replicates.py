"""Rao-Wu rescaled bootstrap with raking redone in every replicate, on cells.

:func:`weighting.estimate` redoes any weighting method in each replicate, row by row,
holding every replicate's weights at once; for a million voices and 200 replicates
that is 200 million numbers and 200 full validations. Raking needs only cell totals,
so here each replicate costs a few passes over the rows (draw the multipliers, sum
the base weights and the outcome per cell) and an IPF over the observed cells, with
one replicate in memory at a time.

Replicates (Rao & Wu 1988, rescaled as in R ``survey``'s ``subbootstrap``): within
each stratum of n_h PSUs, n_h - 1 PSUs are drawn with replacement; a PSU drawn k
times has its units' base weights multiplied by k * n_h / (n_h - 1). Without a
cluster column every unit is its own PSU. The variance is the mean squared deviation
of the replicate estimates from the full-sample estimate.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from weighting._sample import base_weights as _base_weights
from weighting._sample import resolve_variables
from weighting.errors import ConvergenceError, WeightingError
from weighting.margins import Margins
from weighting.rake import _ipf, prepare_cells
from weighting.variance import _check_strata, make_design


def rao_wu_multipliers(
    psu_stratum: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """One replicate's multiplier per PSU (PSU codes 0..k-1, their stratum codes)."""
    order = np.argsort(psu_stratum, kind="stable")
    counts = np.bincount(psu_stratum)
    mult = np.zeros(len(psu_stratum))
    start = 0
    for n_h in counts:
        members = order[start:start + n_h]
        start += n_h
        if n_h == 0:
            continue
        drawn = np.bincount(rng.integers(0, n_h, size=n_h - 1), minlength=n_h)
        mult[members] = drawn * (n_h / (n_h - 1))
    return mult


def rake_bootstrap(
    sample: pd.DataFrame,
    margins: Margins,
    outcomes: np.ndarray,
    *,
    variables: Sequence[str] | None = None,
    base_weights: pd.Series | str | None = None,
    cluster: str | None = None,
    strata: str | None = None,
    n_replicates: int = 200,
    seed: int | np.random.Generator = 0,
    max_iter: int = 200,
    tol: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raked means of the columns of ``outcomes`` (n, k), their bootstrap SEs and the
    replicate estimates (R, k), raking redone in every replicate.
    """
    if n_replicates < 2:
        raise WeightingError(f"n_replicates={n_replicates}; the bootstrap needs at least 2")
    y = np.asarray(outcomes, dtype="float64")
    if y.ndim == 1:
        y = y[:, None]
    if y.shape[0] != len(sample) or not np.all(np.isfinite(y)):
        raise WeightingError(
            f"outcomes must be finite, one row per sample row ({len(sample)}); got shape {y.shape}"
        )
    dims = resolve_variables(sample, margins, variables)
    base = _base_weights(sample, base_weights)
    row_cell, cells, targets, scale = prepare_cells(sample, margins, dims, base)
    n_cells = len(cells)
    design = make_design(
        len(sample),
        None if cluster is None else sample[cluster].to_numpy(),
        None if strata is None else sample[strata].to_numpy(),
    )
    psu_stratum = _check_strata(design)

    def fit(wb: np.ndarray) -> np.ndarray:
        cell_base = np.bincount(row_cell, weights=wb, minlength=n_cells)
        cell_weight, _, residual, _ = _ipf(cells, cell_base, targets, scale, max_iter, tol)
        if residual >= tol:
            raise ConvergenceError(
                f"raking did not converge in a bootstrap replicate (residual {residual:.3g}); "
                "merge sparse levels"
            )
        factor = np.divide(cell_weight, cell_base, out=np.zeros(n_cells), where=cell_base > 0)
        sums = np.column_stack([
            np.bincount(row_cell, weights=wb * y[:, j], minlength=n_cells) for j in range(y.shape[1])
        ])
        return (factor @ sums) / (factor @ cell_base)

    theta = fit(base)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    thetas = np.empty((n_replicates, y.shape[1]))
    for r in range(n_replicates):
        thetas[r] = fit(base * rao_wu_multipliers(psu_stratum, rng)[design.psu])
    se = np.sqrt(np.mean((thetas - theta[None, :]) ** 2, axis=0))
    return theta, se, thetas
