"""Calibration (Deville & Sarndal 1992): the weights closest to the base weights that hit
the margins exactly, by a linear (GREG) or a bounded logit distance, optionally trimmed.

Every unit's weight is ``base * g(x'lambda)`` where ``x`` is the unit's vector of level
indicators (one per level of each margin). ``linear``: ``g(u) = 1 + u``, the GREG
weights, possibly negative unless bounded; with ``bounds=(L, U)`` the ratio ``g`` is
truncated to ``[L, U]``. ``logit``: the bounded logit of Deville & Sarndal, strictly
inside ``(L, U)``. Like raking, the solver works on the observed cells, since every
unit of a cell shares its ``x``.

Trimming caps large weights (at ``trim_ratio`` times the mean weight, or at the
``trim_percentile``-th percentile) and then re-calibrates the other units, with the
same distance and bounds, to what the capped units leave of the targets; it repeats
until the weights both hit the margins and respect the (recomputed) cap.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from weighting._sample import base_weights as _base_weights
from weighting._sample import encode, resolve_variables
from weighting.diagnostics import weight_summary
from weighting.errors import ConvergenceError, WeightingError
from weighting.margins import Margins
from weighting.result import WeightingResult

logger = logging.getLogger(__name__)

DISTANCES = ("linear", "logit")
_TRIM_ROUNDS = 50


def calibrate(
    sample: pd.DataFrame,
    margins: Margins,
    *,
    variables: Sequence[str] | None = None,
    base_weights: pd.Series | str | None = None,
    distance: str = "linear",
    bounds: tuple[float, float] | None = None,
    trim_ratio: float | None = None,
    trim_percentile: float | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> WeightingResult:
    """Calibrate ``sample``'s base weights to the margins of ``variables``.

    ``bounds`` limit the ratio final / base weight, the base weights first scaled to
    the population total (required for ``logit``, which needs ``L < 1 < U``). ``tol``
    bounds the largest difference between a weighted share and its target. A failure
    to reach the targets within the bounds is a :class:`ConvergenceError` that says
    which bound to relax.
    """
    if distance not in DISTANCES:
        raise WeightingError(f"distance={distance!r}; expected one of {', '.join(DISTANCES)}")
    if distance == "logit" and bounds is None:
        raise WeightingError("logit calibration needs bounds=(L, U) with 0 <= L < 1 < U")
    if bounds is not None:
        low, high = bounds
        if not (0 <= low < 1 < high):
            raise WeightingError(
                f"bounds={bounds!r}: the ratio bounds must satisfy 0 <= L < 1 < U (the base "
                "weights themselves, ratio 1, must be allowed)"
            )
    if trim_ratio is not None and trim_ratio <= 1:
        raise WeightingError(f"trim_ratio={trim_ratio}: the cap is a multiple of the mean weight, above 1")
    if trim_percentile is not None and not 50 < trim_percentile < 100:
        raise WeightingError(f"trim_percentile={trim_percentile}: give a percentile between 50 and 100")
    if trim_ratio is not None and trim_percentile is not None:
        raise WeightingError("give trim_ratio or trim_percentile, not both")

    dims = resolve_variables(sample, margins, variables)
    base = _base_weights(sample, base_weights)
    scale = margins.total if margins.total is not None else float(len(sample))
    # Bounds are on the ratio to the base weights scaled to the population, so that a
    # sample with unit weights is not pushed against its bounds by the scale alone.
    base = base * (scale / base.sum())
    codes: list[np.ndarray] = []
    totals: list[np.ndarray] = []
    for dim in dims:
        row_codes, shares = encode(sample, dim, margins.shares(dim), base, margins)
        codes.append(row_codes)
        totals.append(shares * scale)
    x_cells, row_cell = _cells(codes, [len(t) for t in totals])
    target = np.concatenate(totals)

    solve = lambda keep, goal: _solve(  # noqa: E731
        x_cells, row_cell, base, keep, goal, distance, bounds, scale, max_iter, tol, dims)
    everyone = np.ones(len(base), dtype=bool)
    g, iterations = solve(everyone, target)
    weights = base * g
    trimmed = np.zeros(len(base), dtype=bool)
    rounds = 0
    if trim_ratio is not None or trim_percentile is not None:
        # ``rounds`` is read after the loop (diagnostics["trim_rounds"]), so it keeps its name.
        for rounds in range(1, _TRIM_ROUNDS + 1):  # noqa: B007
            if trim_ratio is not None:
                cap = trim_ratio * weights.mean()
            else:
                assert trim_percentile is not None  # one of the two, by the test above
                cap = float(np.percentile(weights, trim_percentile))
            over = weights > cap * (1 + 1e-9)
            if not over.any():
                break
            # Capped units are held at the cap; the others are re-calibrated to the rest.
            trimmed |= over
            held = np.where(trimmed, cap, 0.0)
            rest = target - _totals(x_cells, np.bincount(row_cell, weights=held,
                                                         minlength=len(x_cells)), len(target))
            g, more = solve(~trimmed, rest)
            iterations += more
            weights = np.where(trimmed, cap, base * g)
        else:
            raise ConvergenceError(
                f"trimming did not settle in {_TRIM_ROUNDS} rounds of trimming and "
                "re-calibration; raise the cap (trim_ratio / trim_percentile)"
            )
    result_weights = pd.Series(weights, index=sample.index, name="weight")
    diagnostics = weight_summary(np.abs(weights)) if (weights < 0).any() else weight_summary(weights)
    achieved = _totals(x_cells, np.bincount(row_cell, weights=weights, minlength=len(x_cells)),
                       len(target))
    diagnostics.update({
        "cells": int(len(x_cells)),
        "max_margin_residual": float(np.max(np.abs(achieved - target)) / scale),
        "negative_weights": int((weights < 0).sum()),
        "trimmed": int(trimmed.sum()),
        "trim_rounds": int(rounds),
        "distance": distance,
    })
    if (weights < 0).any():
        logger.warning("%d calibrated weights are negative; give bounds to prevent it",
                       int((weights < 0).sum()))
    return WeightingResult(
        weights=result_weights, method="calibrate", converged=True, iterations=iterations,
        diagnostics=diagnostics, variables=tuple(dims),
    )


def _cells(codes: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Observed cells as rows of level codes, and each row's cell."""
    row_cell, flat = pd.factorize(np.ravel_multi_index(codes, tuple(sizes)))
    cells = np.column_stack(np.unravel_index(np.asarray(flat), tuple(sizes)))
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return cells + offsets[None, :], np.asarray(row_cell, dtype=np.int64)


def _totals(x_cells: np.ndarray, cell_weight: np.ndarray, k: int) -> np.ndarray:
    """Weighted totals of every level indicator from cell weights."""
    out = np.zeros(k)
    for d in range(x_cells.shape[1]):
        out += np.bincount(x_cells[:, d], weights=cell_weight, minlength=k)
    return out


def _solve(
    x_cells: np.ndarray, row_cell: np.ndarray, base: np.ndarray, keep: np.ndarray,
    target: np.ndarray, distance: str, bounds: tuple[float, float] | None, scale: float,
    max_iter: int, tol: float, dims: list[str],
) -> tuple[np.ndarray, int]:
    """Newton's method on lambda over the cells of the ``keep`` units; returns g per row
    (1 for units not kept) and the iterations done."""
    cell_base = np.bincount(row_cell[keep], weights=base[keep], minlength=len(x_cells))
    k = len(target)
    xc = np.zeros((len(x_cells), k))
    for d in range(x_cells.shape[1]):
        xc[np.arange(len(x_cells)), x_cells[:, d]] = 1.0
    low, high = bounds if bounds is not None else (-np.inf, np.inf)
    lam = np.zeros(k)
    gap = np.full(k, np.inf)
    for iteration in range(1, max_iter + 1):
        g, dg = _distance(xc @ lam, low, high, distance)
        gap = xc.T @ (cell_base * g) - target
        if float(np.max(np.abs(gap))) / scale < tol:
            return np.where(keep, g[row_cell], 1.0), iteration
        hess = xc.T @ ((cell_base * dg)[:, None] * xc)
        lam = lam + np.linalg.lstsq(hess, -gap, rcond=None)[0]
    raise ConvergenceError(
        f"calibration on {', '.join(dims)} did not reach the targets in {max_iter} iterations "
        f"(largest share gap {float(np.max(np.abs(gap))) / scale:.3g}, tolerance {tol:g}); "
        "the bounds are too tight for these targets: widen them (bounds=(L, U)) or raise "
        "the trimming cap",
        zh=f"按 {'、'.join(dims)} 的校准在 {max_iter} 次迭代内未达到目标（比例最大差 "
           f"{float(np.max(np.abs(gap))) / scale:.3g}，容差 {tol:g}）；权重界限对这些目标太紧：请放宽界限或提高截尾上限",
    )


def _distance(u: np.ndarray, low: float, high: float, distance: str) -> tuple[np.ndarray, np.ndarray]:
    """g(u) and g'(u) of the calibration distance."""
    if distance == "linear":
        raw = 1.0 + u
        inside = (raw > low) & (raw < high)
        # A small slope outside the bounds keeps Newton's matrix invertible.
        return np.clip(raw, low, high), np.where(inside, 1.0, 1e-8)
    a = (high - low) / ((1 - low) * (high - 1))
    e = np.exp(np.clip(a * u, -700, 700))
    denom = (high - 1) + (1 - low) * e
    g = (low * (high - 1) + high * (1 - low) * e) / denom
    dg = a * (high - low) * (1 - low) * (high - 1) * (e / denom) / denom
    return g, np.maximum(dg, 1e-12)
