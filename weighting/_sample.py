"""Validation of a sample against margins, shared by the weighting methods.

Inputs are checked once, here, with messages that show the offending values, so that
the methods themselves can work on plain integer cell codes.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from weighting.errors import WeightingError
from weighting.margins import JOINT_SEP, Margins

SHOW_LIMIT = 5


def resolve_variables(
    sample: pd.DataFrame, margins: Margins, variables: Sequence[str] | None
) -> list[str]:
    """The weighting dimensions: as given, else every variable the margins list."""
    dims = list(variables) if variables is not None else margins.variables
    if not dims:
        raise WeightingError("no weighting variables given and the margins list none")
    for dim in dims:
        for column in dim.split(JOINT_SEP):
            if column not in sample.columns:
                raise WeightingError(
                    f"sample: column {column!r} not found (columns are: "
                    f"{', '.join(map(str, sample.columns))}); it is needed to weight on {dim!r}"
                )
    return dims


def base_weights(sample: pd.DataFrame, base: pd.Series | str | None) -> np.ndarray:
    """Base (design) weights as a float array aligned with the sample rows."""
    if base is None:
        return np.ones(len(sample), dtype="float64")
    if isinstance(base, str):
        if base not in sample.columns:
            raise WeightingError(
                f"sample: weight column {base!r} not found (columns are: "
                f"{', '.join(map(str, sample.columns))})"
            )
        series = sample[base]
        label = f"weight column {base!r}"
    else:
        series = base
        if not base.index.equals(sample.index):
            try:
                series = base.reindex(sample.index)
            except ValueError as exc:
                raise WeightingError(f"base weights cannot be aligned with the sample: {exc}") from None
            uncovered = ~sample.index.isin(base.index)
            if uncovered.any():
                raise WeightingError(
                    "base weights do not cover every sample row (none for index "
                    f"{show(sample.index[uncovered], quote=False)}); give one weight per row"
                )
        label = "base weights"
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise WeightingError(
            f"{label}: {int(bad.sum())} value(s) are missing, negative or not numbers "
            f"(e.g. {show(series[bad].tolist())} at rows {show(sample.index[bad], quote=False)}); "
            "weights must be finite and 0 or more"
        )
    if values.sum() <= 0:
        raise WeightingError(f"{label}: every weight is 0; at least one must be positive")
    return values


def _level_text(value: object) -> str:
    """A raw cell value as a level string: ``1`` not ``1.0`` for whole-number floats."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def dimension_codes(sample: pd.DataFrame, dim: str) -> tuple[np.ndarray, list[str]]:
    """Integer codes per row and the level string of each code, for a column or a joint
    ``a*b`` dimension (levels joined with ``*``).

    Values are factorised first and only the distinct ones turned into text, so a
    million rows cost one hash pass per column.
    """
    all_codes: list[np.ndarray] = []
    all_labels: list[list[str]] = []
    for column in dim.split(JOINT_SEP):
        values = sample[column]
        codes, uniques = pd.factorize(values)  # NaN -> -1: one hash pass finds both
        missing = np.asarray(codes) < 0
        if missing.any():
            raise WeightingError(
                f"sample column {column!r} has {int(missing.sum())} missing value(s) (rows "
                f"{show(values.index[missing], quote=False)}); code them as a level such as "
                "'unknown' and give it a target, or drop those rows"
            )
        all_codes.append(np.asarray(codes, dtype=np.int64))
        all_labels.append([_level_text(v) for v in uniques])
    if len(all_codes) == 1:
        return all_codes[0], all_labels[0]
    sizes = tuple(len(labels) for labels in all_labels)
    combined, uniques = pd.factorize(np.ravel_multi_index(all_codes, sizes))
    parts = np.unravel_index(np.asarray(uniques), sizes)
    labels = [
        JOINT_SEP.join(all_labels[k][parts[k][i]] for k in range(len(sizes)))
        for i in range(len(uniques))
    ]
    return np.asarray(combined, dtype=np.int64), labels


def dimension_labels(sample: pd.DataFrame, dim: str) -> np.ndarray:
    """One level string per row for a dimension; joint dimensions join with ``*``."""
    codes, labels = dimension_codes(sample, dim)
    return np.asarray(labels, dtype=object)[codes]


def encode(
    sample: pd.DataFrame, dim: str, targets: pd.Series, weights: np.ndarray, margins: Margins,
    allow_empty: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the rows into ``targets``' levels, and the target vector.

    Sample levels without a target, and (unless ``allow_empty``, for methods that
    collapse cells) positive targets that no positively weighted sample unit can
    carry, are errors naming the levels.
    """
    row_codes, labels = dimension_codes(sample, dim)
    levels = [str(lv) for lv in targets.index]
    lookup = pd.Index(levels, dtype=object).get_indexer(pd.Index(labels, dtype=object))
    unknown = sorted({lb for lb, i in zip(labels, lookup, strict=True) if i < 0})
    if unknown:
        raise WeightingError(
            f"{dim!r}: sample level(s) {show(unknown)} have no target in {margins.source} "
            f"(its levels are: {show(levels, 20)}); add targets for them, recode them in the "
            "sample, or drop those rows",
            zh=f"{dim}：样本中的取值 {show(unknown)} 在 {margins.source} 中没有目标值（其取值为 {show(levels, 20)}）；"
               "请补上这些取值的目标值，或在样本中重新编码或删去这些行",
        )
    codes = lookup.astype(np.int64)[row_codes]
    carried = np.bincount(codes, weights=weights, minlength=len(levels))
    target_values = targets.to_numpy(dtype="float64")
    empty = [lv for lv, c, t in zip(levels, carried, target_values, strict=True) if c <= 0 < t]
    if empty and not allow_empty:
        raise WeightingError(
            f"{dim!r}: target level(s) {show(empty)} have no sample unit with a positive "
            "weight, so nobody can speak for them; collect voices in those groups, or merge "
            "those levels with a neighbour in both the margins and the sample",
            zh=f"{dim}：{show(empty)} 这些组在样本中没有一个权重为正的人，没有人能代表他们；请在这些组中收集声音，"
               "或在边际表和样本中把这些组与相邻的组合并",
        )
    return codes, target_values


def show(values: object, limit: int = SHOW_LIMIT, quote: bool = True) -> str:
    """A short list of values for a message: the first few, then how many in all."""
    items = [str(v) for v in list(values)]  # type: ignore[call-overload]
    text = ", ".join((repr(v) if quote else v) for v in items[:limit])
    if len(items) > limit:
        text += f", ... ({len(items)} in all)"
    return text
