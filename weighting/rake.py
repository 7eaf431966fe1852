"""Raking (iterative proportional fitting) of a sample to one-way or joint margins.

The iteration runs on the observed cells (the distinct combinations of the weighting
variables), not on rows: a million voices in 400 cells cost 400 numbers per sweep.
Each cell's final adjustment factor is then mapped back to its rows.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from weighting._sample import base_weights as _base_weights
from weighting._sample import encode, resolve_variables
from weighting.diagnostics import weight_summary, weight_summary_from_cells
from weighting.errors import ConvergenceError, WeightingError
from weighting.margins import ZERO_TARGET_ACTIONS, Margins, ZeroTarget, zero_target_error, zero_target_rows
from weighting.result import WeightingResult

logger = logging.getLogger(__name__)

ON_NONCONVERGENCE = ("raise", "warn")
_DROP_OPTION = "on_zero_target='drop'"


def rake(
    sample: pd.DataFrame,
    margins: Margins,
    *,
    variables: Sequence[str] | None = None,
    base_weights: pd.Series | str | None = None,
    max_iter: int = 200,
    tol: float = 1e-10,
    on_nonconvergence: str = "raise",
    on_zero_target: str = "raise",
) -> WeightingResult:
    """Rake ``sample`` so that its weighted margins equal the targets.

    Each entry of ``variables`` (default: every variable of ``margins``) is one raking
    dimension; a joint entry such as ``age_group*sex`` is raked as one dimension over its
    combined levels. Weights sum to the population total when the margins carry counts,
    else to the sample size. ``tol`` bounds the largest difference between a weighted
    share and its target after a sweep.

    A level with target 0 that sample rows have (a township merged away that three
    respondents still name) contradicts the sample: a :class:`WeightingError` names the
    variable, the level and the first rows, unless ``on_zero_target="drop"``, which
    gives those rows weight 0 and counts them in ``diagnostics["dropped_rows"]`` and
    ``diagnostics["dropped"]`` (``{"variable=level": rows}``).
    """
    if on_nonconvergence not in ON_NONCONVERGENCE:
        raise WeightingError(
            f"on_nonconvergence={on_nonconvergence!r}; expected one of {', '.join(ON_NONCONVERGENCE)}"
        )
    if on_zero_target not in ZERO_TARGET_ACTIONS:
        raise WeightingError(
            f"on_zero_target={on_zero_target!r}; expected one of {', '.join(ZERO_TARGET_ACTIONS)}"
        )
    if max_iter < 1:
        raise WeightingError(f"max_iter={max_iter}; give at least 1 iteration")
    dims = resolve_variables(sample, margins, variables)
    base = _base_weights(sample, base_weights)
    row_cell, cells, targets, scale, zero = _prepare_cells(sample, margins, dims, base)
    dropped: dict[str, int] = {}
    if zero:
        if on_zero_target == "raise":
            raise zero_target_error(margins.source, zero, sample.index, _DROP_OPTION)
        base = base.copy()
        for item in zero:
            base[item.rows] = 0.0
            dropped[f"{item.variable}={item.level}"] = len(item.rows)
        logger.warning("dropped %d rows in levels with target 0: %s", int((base == 0).sum()), dropped)
    cell_base = np.bincount(row_cell, weights=base, minlength=len(cells))
    if zero:
        _check_carried(margins, dims, cells, cell_base, targets)
    cell_weight, iterations, residual, worst = _ipf(cells, cell_base, targets, scale, max_iter, tol)

    converged = residual < tol
    if not converged:
        message = (
            f"raking did not converge in {max_iter} iterations: the weighted shares of "
            f"{dims[worst]!r} are still {residual:.3g} from their targets (tolerance {tol:g}); "
            "some targets may be impossible to reach with the observed cells (a level only "
            "seen together with another level that has a smaller target); merge sparse levels "
            "or raise max_iter"
        )
        if on_nonconvergence == "raise":
            raise ConvergenceError(message, zh=(
                f"耙式加权在 {max_iter} 次迭代内未收敛：{dims[worst]} 的加权比例与目标仍差 {residual:.3g}"
                f"（容差 {tol:g}）；某些目标可能无法用现有单元格达到（某一取值只与目标更小的另一取值同时出现）；"
                "请合并稀疏的取值，或增加最大迭代次数"))
        logger.warning(message)

    factor = np.divide(cell_weight, cell_base, out=np.zeros_like(cell_weight), where=cell_base > 0)
    weights = pd.Series(base * factor[row_cell], index=sample.index, name="weight")
    if base.size and np.all(base == base[0]):
        # equal base weights: every row of a cell has the same weight, so summarise the cells
        diagnostics = weight_summary_from_cells(base[0] * factor, np.bincount(row_cell, minlength=len(cells)))
    else:
        diagnostics = weight_summary(weights.to_numpy())
    diagnostics.update({"cells": int(len(cells)), "max_margin_residual": float(residual)})
    if zero:
        diagnostics.update({"dropped_rows": len({int(i) for item in zero for i in item.rows}), "dropped": dropped})
    logger.info("raked %d rows over %d cells in %d iterations", len(sample), len(cells), iterations)
    return WeightingResult(
        weights=weights,
        method="rake",
        converged=bool(converged),
        iterations=iterations,
        diagnostics=diagnostics,
        variables=tuple(dims),
    )


def prepare_cells(
    sample: pd.DataFrame, margins: Margins, dims: Sequence[str], base: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], float]:
    """Validated observed cells: each row's cell, each cell's level code per dimension,
    the target totals per dimension, and the population scale.

    Raises:
        WeightingError: as :func:`rake`, including for rows in a level whose target is 0
            (which callers that drop them handle through :func:`rake`).
    """
    row_cell, cells, targets, scale, zero = _prepare_cells(sample, margins, dims, base)
    if zero:
        raise zero_target_error(margins.source, zero, sample.index, _DROP_OPTION)
    return row_cell, cells, targets, scale


def _prepare_cells(
    sample: pd.DataFrame, margins: Margins, dims: Sequence[str], base: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], float, list[ZeroTarget]]:
    """:func:`prepare_cells`, plus the rows in levels whose target is 0 (found here, where
    each row's level code is at hand, so the check costs one comparison per row)."""
    scale = margins.total if margins.total is not None else float(len(sample))
    codes: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    zero: list[ZeroTarget] = []
    for dim in dims:
        shares_of = margins.shares(dim)
        row_codes, shares = encode(sample, dim, shares_of, base, margins)
        zero.extend(zero_target_rows(dim, row_codes, [str(lv) for lv in shares_of.index], shares, base))
        codes.append(row_codes)
        targets.append(shares * scale)
    # Observed cells by hashing each row's position in the full cross-classification.
    sizes = tuple(len(t) for t in targets)
    row_cell, flat_cells = pd.factorize(np.ravel_multi_index(codes, sizes))
    cells = np.column_stack(np.unravel_index(np.asarray(flat_cells), sizes))
    return np.asarray(row_cell, dtype=np.int64), cells, targets, float(scale), zero


def _check_carried(
    margins: Margins, dims: Sequence[str], cells: np.ndarray, cell_base: np.ndarray, targets: list[np.ndarray]
) -> None:
    """After dropping rows, every positive target must still have a row to carry it."""
    for d, target in enumerate(targets):
        carried = np.bincount(cells[:, d], weights=cell_base, minlength=len(target))
        empty = np.flatnonzero((carried <= 0) & (target > 0))
        if empty.size:
            levels = [str(lv) for lv in margins.shares(dims[d]).index]
            raise WeightingError(
                f"{dims[d]!r}: after dropping the rows in levels with target 0, target level(s) "
                f"{', '.join(repr(levels[i]) for i in empty[:5])} have no sample unit left; fix the targets or "
                "recode those rows instead",
                zh=f"{dims[d]}：删去目标为 0 的取值中的行之后，{'、'.join(str(levels[i]) for i in empty[:5])} "
                   "这些取值没有样本单位了；请修正目标值，或改为重新编码这些行",
            )


def _gaps(cells: np.ndarray, weight: np.ndarray, targets: list[np.ndarray], scale: float) -> list[float]:
    return [
        float(np.max(np.abs(np.bincount(cells[:, d], weights=weight, minlength=len(t)) - t))) / scale
        for d, t in enumerate(targets)
    ]


def _ipf(
    cells: np.ndarray,
    cell_base: np.ndarray,
    targets: list[np.ndarray],
    scale: float,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, int, float, int]:
    """Iterative proportional fitting on cell totals.

    IPF converges linearly, and slowly when the sample's cells are nearly confounded
    (levels of two variables seen almost only together). After ``_SWEEPS_BEFORE_NEWTON``
    sweeps without convergence the fit is finished by Newton's method on the same
    raking (exponential) distance, which converges quadratically near the solution and
    gives the same weights; IPF resumes if Newton does not reach the tolerance.
    Returns the fitted cell totals, the sweeps (and Newton steps) done, the largest
    share residual and the dimension where it was.
    """
    weight = cell_base.astype("float64").copy()
    residual, worst = np.inf, 0
    sweep = 0
    newton_tried = False
    while sweep < max_iter:
        sweep += 1
        for d, target in enumerate(targets):
            current = np.bincount(cells[:, d], weights=weight, minlength=len(target))
            ratio = np.divide(target, current, out=np.zeros_like(target), where=current > 0)
            weight = weight * ratio[cells[:, d]]
        gaps = _gaps(cells, weight, targets, scale)
        worst = int(np.argmax(gaps))
        residual = gaps[worst]
        if residual < tol:
            return weight, sweep, residual, worst
        if sweep >= _SWEEPS_BEFORE_NEWTON and not newton_tried and _newton_fits(cells, targets):
            newton_tried = True
            polished, steps = _newton(cells, weight, targets, scale, tol)
            gaps = _gaps(cells, polished, targets, scale)
            if max(gaps) < residual:
                weight = polished
                worst = int(np.argmax(gaps))
                residual = gaps[worst]
            sweep += steps
            if residual < tol:
                return weight, sweep, residual, worst
    return weight, sweep, residual, worst


_SWEEPS_BEFORE_NEWTON = 20
_NEWTON_STEPS = 30
_NEWTON_MAX_ENTRIES = 4_000_000  # cells x levels of the dense indicator matrix


def _newton_fits(cells: np.ndarray, targets: list[np.ndarray]) -> bool:
    """Newton holds a dense cells x levels matrix: only when it is small."""
    return len(cells) * sum(len(t) for t in targets) <= _NEWTON_MAX_ENTRIES


def _newton(
    cells: np.ndarray, weight: np.ndarray, targets: list[np.ndarray], scale: float, tol: float
) -> tuple[np.ndarray, int]:
    """Damped Newton steps on lambda for weight * exp(x'lambda) hitting the targets."""
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in targets])[:-1]])
    columns = cells + offsets[None, :]
    k = int(sum(len(t) for t in targets))
    x = np.zeros((len(weight), k))
    for d in range(cells.shape[1]):
        x[np.arange(len(weight)), columns[:, d]] = 1.0
    goal = np.concatenate(targets)
    lam = np.zeros(k)
    current = weight
    gap = x.T @ current - goal
    for step in range(1, _NEWTON_STEPS + 1):
        hess = x.T @ (current[:, None] * x)
        delta = np.linalg.lstsq(hess, -gap, rcond=None)[0]
        size = 1.0
        while size > 1e-4:
            trial_lam = lam + size * delta
            trial = weight * np.exp(np.clip(x @ trial_lam, -700, 700))
            trial_gap = x.T @ trial - goal
            if np.max(np.abs(trial_gap)) < np.max(np.abs(gap)):
                break
            size /= 2
        else:
            return current, step
        lam, current, gap = trial_lam, trial, trial_gap
        if float(np.max(np.abs(gap))) / scale < tol:
            return current, step
    return current, _NEWTON_STEPS
