"""How much a set of weights costs in precision, and how well it hits its targets."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from weighting._sample import dimension_labels
from weighting.errors import WeightingError
from weighting.margins import Margins


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
