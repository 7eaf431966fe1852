"""How much a set of weights costs in precision, and how well it hits its targets."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from weighting._sample import base_weights as _base_weights
from weighting._sample import dimension_codes, dimension_labels
from weighting.errors import WeightingError
from weighting.margins import JOINT_SEP, Margins


def _array(w: pd.Series | np.ndarray | Sequence[float]) -> np.ndarray:
    values = np.asarray(w, dtype="float64")
    if values.size == 0:
        raise WeightingError("no weights given: the diagnostics need at least one weight")
    if not np.all(np.isfinite(values)) or (values < 0).any():
        raise WeightingError("weights must be finite and 0 or more to be diagnosed")
    if values.sum() <= 0:
        raise WeightingError("every weight is 0: nothing to diagnose")
    return values


def kish_deff(w: pd.Series | np.ndarray | Sequence[float]) -> float:
    """Kish's design effect from unequal weighting, n * sum(w^2) / (sum w)^2 = 1 + CV^2."""
    values = _array(w)
    return float(values.size * np.sum(values**2) / np.sum(values) ** 2)


def effective_sample_size(w: pd.Series | np.ndarray | Sequence[float]) -> float:
    """(sum w)^2 / sum(w^2): how many equally weighted voices the weighted sample is worth."""
    values = _array(w)
    return float(np.sum(values) ** 2 / np.sum(values**2))


def weight_summary(w: pd.Series | np.ndarray | Sequence[float]) -> dict[str, Any]:
    """n, min, max, max/min ratio, CV (population form), Kish deff and effective size."""
    values = _array(w)
    positive = values[values > 0]
    mean = float(values.mean())
    return {
        "n": int(values.size),
        "min": float(values.min()),
        "max": float(values.max()),
        "ratio": float(positive.max() / positive.min()),
        "cv": float(values.std(ddof=0) / mean),
        "deff": kish_deff(values),
        "ess": effective_sample_size(values),
    }


def weight_summary_from_cells(values: np.ndarray, counts: np.ndarray) -> dict[str, Any]:
    """:func:`weight_summary` of weights that are constant within cells: ``values[c]``
    repeated ``counts[c]`` times, computed on the cells alone (O(cells), not O(rows))."""
    values = np.asarray(values, dtype=float)
    counts = np.asarray(counts, dtype=float)
    present = counts > 0
    values, counts = values[present], counts[present]
    n = counts.sum()
    total = float((counts * values).sum())
    squares = float((counts * values * values).sum())
    mean = total / n
    positive = values[values > 0]
    return {
        "n": int(n),
        "min": float(values.min()),
        "max": float(values.max()),
        "ratio": float(positive.max() / positive.min()),
        "cv": float(np.sqrt(max(squares / n - mean * mean, 0.0)) / mean),
        "deff": float(n * squares / (total * total)),
        "ess": float(total * total / squares),
    }


def margin_residuals(
    sample: pd.DataFrame,
    weights: pd.Series | np.ndarray,
    margins: Margins,
    variables: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Weighted share minus target share, per level of each variable (joint ones too).

    Columns: ``variable, level, weighted_share, target, residual``. Levels the sample
    has but the targets lack appear with target 0; targets nobody carries with share 0.
    """
    values = _array(weights)
    if values.size != len(sample):
        raise WeightingError(
            f"{values.size} weights for a sample of {len(sample)} rows; give one weight per row"
        )
    dims = list(variables) if variables is not None else margins.variables
    records = []
    for dim in dims:
        labels = dimension_labels(sample, dim)
        shares = pd.Series(values).groupby(labels).sum() / values.sum()
        targets = margins.shares(dim)
        targets.index = targets.index.map(str)
        levels = list(targets.index) + [lv for lv in shares.index if lv not in targets.index]
        for level in levels:
            got = float(shares.get(level, 0.0))
            want = float(targets.get(level, 0.0))
            records.append(
                {"variable": dim, "level": level, "weighted_share": got,
                 "target": want, "residual": got - want}
            )
    return pd.DataFrame(records, columns=["variable", "level", "weighted_share", "target", "residual"])


SMD_COLUMNS = ["variable", "level", "target", "before", "after", "smd_before", "smd_after"]
BLIND_SPOT_COLUMNS = ["variable", "level", "target", "weighted_share", "n", "ess"]


def _level_shares(sample: pd.DataFrame, dim: str, values: np.ndarray) -> pd.Series:
    """Weighted share of each level of ``dim`` (joint ``a*b`` too), indexed by level text."""
    codes, labels = dimension_codes(sample, dim)
    sums = np.bincount(codes, weights=values, minlength=len(labels))
    return pd.Series(sums / values.sum(), index=pd.Index(labels, dtype=object))


def _target_shares(
    target: Margins | pd.DataFrame, dim: str, reference_weights: pd.Series | str | None
) -> pd.Series:
    if isinstance(target, Margins):
        shares = target.shares(dim).copy()
        shares.index = pd.Index([str(lv) for lv in shares.index], dtype=object)
        return shares
    for column in dim.split(JOINT_SEP):
        if column not in target.columns:
            raise WeightingError(
                f"reference sample has no column {column!r} (columns are: "
                f"{', '.join(map(str, target.columns))}); give it the sample's covariates"
            )
    return _level_shares(target, dim, _array(_base_weights(target, reference_weights)))


def standardised_differences(
    sample: pd.DataFrame,
    weights: pd.Series | np.ndarray,
    target: Margins | pd.DataFrame,
    *,
    variables: Sequence[str] | None = None,
    base_weights: pd.Series | str | None = None,
    reference_weights: pd.Series | str | None = None,
) -> pd.DataFrame:
    """Standardised mean difference of every level indicator, before and after weighting.

    ``target`` is a :class:`Margins` or a reference sample (a DataFrame, weighted by
    ``reference_weights``). "Before" uses ``base_weights`` (default: equal weights),
    "after" uses ``weights``. Each level is a 0/1 indicator; its difference from the
    target share is divided by Austin's pooled standard deviation
    ``sqrt((p_t (1 - p_t) + p_b (1 - p_b)) / 2)`` of the target and of the sample under
    its base weights, the same divisor before and after, so a smaller ``smd_after``
    means the weighting moved that level towards the population, not a changed scale.
    A level absent from both sides has no spread and gets SMD 0. Levels of either side
    appear (with share 0 where missing). Columns: ``variable, level, target, before,
    after, smd_before, smd_after``. |SMD| above 0.1 is the usual flag of imbalance.
    """
    after_w = _array(weights)
    if after_w.size != len(sample):
        raise WeightingError(
            f"{after_w.size} weights for a sample of {len(sample)} rows; give one weight per row"
        )
    before_w = _array(_base_weights(sample, base_weights))
    if variables is not None:
        dims = list(variables)
    elif isinstance(target, Margins):
        dims = target.variables
    else:
        raise WeightingError(
            "name the covariates to compare (variables=[...]) when the target is a reference sample"
        )
    records = []
    for dim in dims:
        want = _target_shares(target, dim, reference_weights)
        before = _level_shares(sample, dim, before_w)
        after = _level_shares(sample, dim, after_w)
        levels = list(want.index) + [lv for lv in before.index if lv not in want.index]
        for level in levels:
            p_t = float(want.get(level, 0.0))
            p_b = float(before.get(level, 0.0))
            p_a = float(after.get(level, 0.0))
            spread = np.sqrt((p_t * (1 - p_t) + p_b * (1 - p_b)) / 2)
            smd_b = (p_b - p_t) / spread if spread > 0 else 0.0
            smd_a = (p_a - p_t) / spread if spread > 0 else 0.0
            records.append({"variable": dim, "level": level, "target": p_t, "before": p_b,
                            "after": p_a, "smd_before": smd_b, "smd_after": smd_a})
    return pd.DataFrame(records, columns=SMD_COLUMNS)


def blind_spots(
    sample: pd.DataFrame,
    weights: pd.Series | np.ndarray,
    margins: Margins,
    variables: Sequence[str] | None = None,
    *,
    min_ess: float = 30.0,
    min_share: float = 0.005,
) -> pd.DataFrame:
    """Groups the population has but the weighted sample hardly hears.

    A group is a level of a variable (or of a joint ``a*b`` variable the margins can
    give) whose target share is at least ``min_share`` and whose effective sample size
    within the group, (sum w)^2 / sum(w^2), is below ``min_ess``; a group with no
    sample unit at all has ESS 0. Such a group's weighted share may hit its target, yet
    rests on a handful of voices: its estimates are as good as unknown. Returned
    smallest ESS first, with columns ``variable, level, target, weighted_share, n, ess``;
    an empty frame means no blind spot at this threshold.
    """
    values = _array(weights)
    if values.size != len(sample):
        raise WeightingError(
            f"{values.size} weights for a sample of {len(sample)} rows; give one weight per row"
        )
    if min_ess <= 0 or not 0 <= min_share < 1:
        raise WeightingError(
            f"min_ess={min_ess}, min_share={min_share}; give min_ess > 0 and 0 <= min_share < 1"
        )
    dims = list(variables) if variables is not None else margins.variables
    records = []
    for dim in dims:
        want = _target_shares(margins, dim, None)
        codes, labels = dimension_codes(sample, dim)
        sums = np.bincount(codes, weights=values, minlength=len(labels))
        squares = np.bincount(codes, weights=values**2, minlength=len(labels))
        counts = np.bincount(codes, minlength=len(labels))
        where = {label: k for k, label in enumerate(labels)}
        for level, share in want.items():
            if share < min_share:
                continue
            k = where.get(level)
            total, square = (sums[k], squares[k]) if k is not None else (0.0, 0.0)
            ess = total**2 / square if square > 0 else 0.0
            if ess < min_ess:
                records.append({"variable": dim, "level": level, "target": float(share),
                                "weighted_share": float(total / values.sum()),
                                "n": int(counts[k]) if k is not None else 0, "ess": float(ess)})
    out = pd.DataFrame(records, columns=BLIND_SPOT_COLUMNS)
    return out.sort_values("ess", kind="stable").reset_index(drop=True)
