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

:class:`RakeReweight` is the raking step as a ``reweight`` callable for
:func:`weighting.estimate`, which then takes this cell path for ``replicates="bootstrap"``.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from weighting._sample import base_weights as _base_weights
from weighting._sample import resolve_variables
from weighting.errors import ConvergenceError, WeightingError
from weighting.margins import Margins
from weighting.rake import _ipf, prepare_cells, rake
from weighting.result import WeightingResult
from weighting.variance import Design, _check_strata, make_design


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


@dataclass(frozen=True)
class RakeReweight:
    """Raking to ``margins`` as a reweighting step that replicates can redo on cells.

    Called as ``reweight(sample, base)`` it rakes the rows like :func:`rake`; given to
    :func:`weighting.estimate` with ``replicates="bootstrap"`` it lets every replicate
    be raked on cell totals, one replicate in memory at a time.
    """

    margins: Margins
    variables: Sequence[str] | None = None
    max_iter: int = 200
    tol: float = 1e-10

    def __call__(self, sample: pd.DataFrame, base: pd.Series) -> WeightingResult:
        return rake(sample, self.margins, variables=self.variables, base_weights=base,
                    max_iter=self.max_iter, tol=self.tol)

    def bootstrap(
        self, sample: pd.DataFrame, base: np.ndarray, outcomes: np.ndarray, domains: np.ndarray,
        design: Design, n_replicates: int, seed: int | np.random.Generator = 0,
    ) -> np.ndarray:
        """Rao-Wu replicate estimates (R, k) of the domain ratio means, raking redone."""
        if n_replicates < 2:
            raise WeightingError(f"n_replicates={n_replicates}; the bootstrap needs at least 2")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        psu_stratum = _check_strata(design)
        rows = (base * rao_wu_multipliers(psu_stratum, rng)[design.psu] for _ in range(n_replicates))
        return raked_replicates(sample, self.margins, outcomes, domains, rows,
                                variables=self.variables, max_iter=self.max_iter, tol=self.tol)


def _patterns(row_cell: np.ndarray, y: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group rows by (cell, outcome row, domain row): the row's group, and each group's
    first row. A categorical outcome has few patterns per cell, so each replicate costs
    one pass over the rows and then works on the groups."""
    key = np.asarray(row_cell, dtype=np.int64)
    for column in (*y.T, *d.T):
        codes, uniques = pd.factorize(column)
        key, _ = pd.factorize(key * np.int64(len(uniques)) + codes)
        key = np.asarray(key, dtype=np.int64)
    first = np.full(int(key.max()) + 1 if key.size else 0, -1, dtype=np.int64)
    first[key[::-1]] = np.arange(key.size - 1, -1, -1)
    return key, first


def raked_replicates(
    sample: pd.DataFrame,
    margins: Margins,
    outcomes: np.ndarray,
    domains: np.ndarray,
    replicate_base: Iterable[np.ndarray],
    *,
    variables: Sequence[str] | None = None,
    max_iter: int = 200,
    tol: float = 1e-10,
) -> np.ndarray:
    """Domain ratio means sum(w d y) / sum(w d), one row per replicate base weight vector,
    with raking to ``margins`` redone on each (on cells: nothing of size R x n is held).

    ``outcomes`` and ``domains`` are (n, k); each element of ``replicate_base`` is one
    replicate's base weights (n,), 0 for the units it leaves out.
    """
    y = np.asarray(outcomes, dtype="float64")
    d = np.asarray(domains, dtype="float64")
    if y.ndim == 1:
        y = y[:, None]
    if d.ndim == 1:
        d = d[:, None]
    if y.shape != d.shape or y.shape[0] != len(sample) or not np.all(np.isfinite(y)):
        raise WeightingError(
            f"outcomes must be finite, one row per sample row ({len(sample)}), with a domain "
            f"column per outcome; got shapes {y.shape} and {d.shape}"
        )
    dims = resolve_variables(sample, margins, variables)
    row_cell, cells, targets, scale = prepare_cells(sample, margins, dims, np.ones(len(sample)))
    n_cells = len(cells)
    group, first = _patterns(row_cell, y, d)
    group_cell = row_cell[first]
    group_dy = d[first] * y[first]
    group_d = d[first]
    thetas = []
    for r, wb in enumerate(replicate_base, start=1):
        in_group = np.bincount(group, weights=wb, minlength=len(first))
        cell_base = np.bincount(group_cell, weights=in_group, minlength=n_cells)
        cell_weight, _, residual, _ = _ipf(cells, cell_base, targets, scale, max_iter, tol)
        if residual >= tol:
            raise ConvergenceError(
                f"raking did not converge in bootstrap replicate {r} (largest share residual "
                f"{residual:.3g}, tolerance {tol:g}); merge sparse levels or use fewer variables"
            )
        factor = np.divide(cell_weight, cell_base, out=np.zeros(n_cells), where=cell_base > 0)
        final = in_group * factor[group_cell]
        with np.errstate(invalid="ignore", divide="ignore"):
            thetas.append((final @ group_dy) / (final @ group_d))
    return np.array(thetas).reshape(-1, y.shape[1])


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
    base = _base_weights(sample, base_weights)
    design = make_design(
        len(sample),
        None if cluster is None else sample[cluster].to_numpy(),
        None if strata is None else sample[strata].to_numpy(),
    )
    psu_stratum = _check_strata(design)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    ones = np.ones_like(y)

    def replicate_rows() -> Iterator[np.ndarray]:
        yield base
        for _ in range(n_replicates):
            yield base * rao_wu_multipliers(psu_stratum, rng)[design.psu]

    estimates = raked_replicates(sample, margins, y, ones, replicate_rows(),
                                 variables=variables, max_iter=max_iter, tol=tol)
    theta, thetas = estimates[0], estimates[1:]
    se = np.sqrt(np.mean((thetas - theta[None, :]) ** 2, axis=0))
    return theta, se, thetas
