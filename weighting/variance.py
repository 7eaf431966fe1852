"""Variance of weighted means and shares: linearisation and replicate weights.

Linearisation follows R ``survey`` (``svyrecvar`` without fpc): the influence values of
a ratio mean are summed per primary sampling unit (PSU), and the PSU totals vary
with replacement within strata. When the weights were post-stratified or raked, the
part of the influence values that the weighting cells explain is removed first, as
``survey`` does, because the weighting fixes those totals.

Replicate weights redo the weighting inside each replicate, so that its variability
is counted: JK1 (JKn with strata) drops one PSU at a time, the Rao-Wu rescaled
bootstrap redraws n_h - 1 PSUs per stratum.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from weighting.errors import WeightingError
from weighting.result import WeightingResult

logger = logging.getLogger(__name__)

Reweight = Callable[[pd.DataFrame, pd.Series], "pd.Series | WeightingResult"]

REPLICATE_KINDS = ("none", "jk1", "bootstrap")
_BACKFIT_MAX = 200
_BACKFIT_TOL = 1e-13
_MAX_REPLICATE_CELLS = 50_000_000  # replicates x rows held in memory at once


@dataclass(frozen=True)
class Design:
    """PSU and stratum codes per row (0..k-1), with their labels for messages."""

    psu: np.ndarray
    stratum: np.ndarray
    stratum_labels: list[str]

    @property
    def n_psu(self) -> int:
        return int(self.psu.max()) + 1 if self.psu.size else 0


def make_design(
    n: int, cluster: Sequence[object] | np.ndarray | None, strata: Sequence[object] | np.ndarray | None
) -> Design:
    """Codes for a design: each row its own PSU without clusters, one stratum without strata.

    PSUs are nested in strata (the same cluster label in two strata is two PSUs).
    """
    if strata is None:
        stratum = np.zeros(n, dtype=np.int64)
        labels = ["(all)"]
    else:
        stratum, uniques = pd.factorize(pd.Series(strata), sort=True, use_na_sentinel=False)
        labels = [str(u) for u in uniques]
    if cluster is None:
        psu_key = np.arange(n)
    else:
        psu_key = pd.factorize(pd.Series(cluster), use_na_sentinel=False)[0]
    pairs = np.column_stack([stratum, psu_key])
    _, psu = np.unique(pairs, axis=0, return_inverse=True)
    return Design(psu=psu.reshape(-1).astype(np.int64), stratum=np.asarray(stratum, np.int64),
                  stratum_labels=labels)


def _psu_strata(design: Design) -> np.ndarray:
    """The stratum of each PSU."""
    out = np.empty(design.n_psu, dtype=np.int64)
    out[design.psu] = design.stratum
    return out


def _check_strata(design: Design) -> np.ndarray:
    psu_stratum = _psu_strata(design)
    per_stratum = np.bincount(psu_stratum, minlength=len(design.stratum_labels))
    lonely = [design.stratum_labels[h] for h in np.flatnonzero(per_stratum == 1)]
    if lonely:
        raise WeightingError(
            f"stratum/strata {', '.join(repr(s) for s in lonely[:5])} have a single PSU, so "
            "their variance cannot be estimated; merge each with a similar stratum"
        )
    return psu_stratum


def linearized_variance(z: np.ndarray, design: Design) -> np.ndarray:
    """With-replacement variance of the totals of the columns of ``z`` (rows = units)."""
    z = np.asarray(z, dtype="float64")
    if z.ndim == 1:
        z = z[:, None]
    psu_stratum = _check_strata(design)
    totals = np.zeros((design.n_psu, z.shape[1]))
    np.add.at(totals, design.psu, z)
    n_h = np.bincount(psu_stratum, minlength=len(design.stratum_labels)).astype("float64")
    means = np.zeros((len(n_h), z.shape[1]))
    np.add.at(means, psu_stratum, totals)
    means /= np.maximum(n_h, 1)[:, None]
    centred = totals - means[psu_stratum]
    scale = (n_h / np.maximum(n_h - 1, 1))[psu_stratum]
    return np.sum(scale[:, None] * centred**2, axis=0)


def ratio_influence(
    y: np.ndarray, domain: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Estimates and influence values of domain means sum(w d y) / sum(w d).

    ``y`` and ``domain`` are (n, k): column j is one estimate (a numeric mean, or the
    indicator of one level for a share); ``domain`` is 1 where a unit counts for it.
    """
    wd = weights[:, None] * domain
    denom = wd.sum(axis=0)
    if (denom <= 0).any():
        raise WeightingError("an estimate has no unit with a positive weight; nothing to estimate")
    theta = (wd * y).sum(axis=0) / denom
    z = wd * (y - theta) / denom
    return theta, z


def calibration_residuals(
    z: np.ndarray, weights: np.ndarray, cells: Sequence[np.ndarray], method: str
) -> np.ndarray:
    """Remove from ``z`` what the weighting cells explain, as R ``survey`` does.

    ``poststrat``: one cell code per unit; z - w * (unweighted cell mean of z / w).
    ``rake`` and ``calibrate``: the same for each margin in turn, repeated (backfitting)
    until stable, which is the weighted regression residual on the margins' level
    indicators (GREG residuals).
    Units with zero weight keep z (it is 0 for them anyway).
    """
    z = np.asarray(z, dtype="float64")
    w = np.where(weights > 0, weights, 1.0)[:, None]
    e = z / w
    if method == "poststrat":
        return (e - _cell_means(e, cells[0])) * w
    if method in ("rake", "calibrate"):
        for _ in range(_BACKFIT_MAX):
            previous = e
            for codes in cells:
                e = e - _cell_means(e, codes)
            if np.max(np.abs(e - previous)) <= _BACKFIT_TOL * max(1.0, float(np.max(np.abs(e)))):
                break
        return e * w
    raise WeightingError(
        f"no linearisation is known for weighting method {method!r}; use replicate weights"
    )


def _cell_means(e: np.ndarray, codes: np.ndarray) -> np.ndarray:
    k = int(codes.max()) + 1
    sums = np.zeros((k, e.shape[1]))
    np.add.at(sums, codes, e)
    counts = np.bincount(codes, minlength=k).astype("float64")
    return (sums / counts[:, None])[codes]


def replicate_multipliers(
    design: Design, kind: str, n_replicates: int = 200, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Row multipliers (R, n) of the base weights, and each replicate's variance factor.

    ``jk1``: one replicate per PSU, that PSU dropped and the rest of its stratum scaled by
    n_h / (n_h - 1); factor (n_h - 1) / n_h (JK1 without strata, JKn with them).
    ``bootstrap``: Rao-Wu rescaled bootstrap, n_h - 1 PSUs drawn with replacement per
    stratum, multiplier count * n_h / (n_h - 1); factor 1 / R.
    """
    psu_stratum = _check_strata(design)
    n_h = np.bincount(psu_stratum, minlength=len(design.stratum_labels))
    if kind == "jk1":
        n_psu = design.n_psu
        if n_psu * design.psu.size > _MAX_REPLICATE_CELLS:
            raise WeightingError(
                f"jk1 over {n_psu:,} PSUs of {design.psu.size:,} rows needs {n_psu:,} replicates "
                "of every row, too many to hold; give the cluster column, or use the bootstrap"
            )
        psu_mult = np.ones((n_psu, n_psu))
        for j in range(n_psu):
            h = psu_stratum[j]
            same = psu_stratum == h
            psu_mult[j, same] = n_h[h] / (n_h[h] - 1)
            psu_mult[j, j] = 0.0
        factors = ((n_h - 1) / n_h)[psu_stratum].astype("float64")
        return psu_mult[:, design.psu], factors
    if kind == "bootstrap":
        if n_replicates < 2:
            raise WeightingError(f"n_replicates={n_replicates}; the bootstrap needs at least 2")
        if n_replicates * design.psu.size > _MAX_REPLICATE_CELLS:
            raise WeightingError(
                f"{n_replicates} bootstrap replicates of {design.psu.size:,} rows are too many to "
                "hold at once; use fewer replicates, or linearisation (replicates none)"
            )
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        psu_mult = np.zeros((n_replicates, design.n_psu))
        for h in range(len(n_h)):
            members = np.flatnonzero(psu_stratum == h)
            draws = rng.integers(0, members.size, size=(n_replicates, members.size - 1))
            counts = np.zeros((n_replicates, members.size))
            for r in range(n_replicates):
                counts[r] = np.bincount(draws[r], minlength=members.size)
            psu_mult[:, members] = counts * members.size / (members.size - 1)
        return psu_mult[:, design.psu], np.full(n_replicates, 1.0 / n_replicates)
    raise WeightingError(
        f"unknown replicate method {kind!r}; expected one of {', '.join(REPLICATE_KINDS)}"
    )


def replicate_weights(
    data: pd.DataFrame,
    base: np.ndarray,
    multipliers: np.ndarray,
    reweight: Reweight | None = None,
) -> np.ndarray:
    """Final weights (R, n) of each replicate, the weighting redone on its base weights.

    Units a replicate drops are left out of its reweighting and keep weight 0.
    """
    replicated = multipliers * base[None, :]
    if reweight is None:
        return replicated
    out = np.zeros_like(replicated)
    for r in range(replicated.shape[0]):
        keep = replicated[r] > 0
        subset = data.loc[keep]
        try:
            result = reweight(subset, pd.Series(replicated[r, keep], index=subset.index))
        except WeightingError as exc:
            raise WeightingError(
                f"replicate {r + 1} of {replicated.shape[0]}: reweighting failed: {exc}"
            ) from exc
        out[r, keep] = weights_of(result).reindex(subset.index).to_numpy(dtype="float64")
    if not np.all(np.isfinite(out)):
        raise WeightingError("reweighting gave missing weights in a replicate; it must weight every row")
    return out


def weights_of(result: pd.Series | WeightingResult) -> pd.Series:
    """The weights of a reweighting result, whether a Series or a WeightingResult."""
    return result.weights if isinstance(result, WeightingResult) else result


def replicate_variance(thetas: np.ndarray, theta: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """sum_r factor_r (theta_r - theta)^2: centred on the full-sample estimate (mse)."""
    if not np.all(np.isfinite(thetas)):
        raise WeightingError(
            "an estimate is undefined in some replicate (its group lost every unit); use "
            "linearisation (replicates none) or larger groups"
        )
    return np.sum(factors[:, None] * (thetas - theta[None, :]) ** 2, axis=0)
