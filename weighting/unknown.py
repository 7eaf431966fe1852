"""Voices whose weighting attributes are unknown: fractional allocation or exclusion.

An online voice whose age could not be read from anything is still a voice. Dropping
it silently would bias the sample towards voices that reveal their age; pretending it
has an age would invent data. Two explicit choices, both counted:

- ``fractional``: the voice is split across the levels of each unknown attribute in
  proportion to the (base-weighted) distribution of those levels among fully known
  voices that share its known attributes and its ``condition`` columns (what it said:
  the estimates pass the voice's topics, because an allocation blind to the outcome
  spreads, say, an elder-care voice of unknown age over the young in proportion to the
  young, and so flattens every difference between age groups; imputation models must
  include the outcome, Little 1992, "Regression with missing X's", JASA 87). If no
  fully known voice shares all of them, the conditioning drops the ``condition``
  columns, then known attributes from the last listed one backwards, until some do
  (down to the overall distribution); each such fallback is counted. The split
  rows carry fractional base weights that sum to the voice's base weight, and a
  ``source_row`` column that points back to the voice.
- ``exclude``: voices with any unknown attribute are left out, and counted.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from weighting._sample import base_weights as _base_weights
from weighting.errors import WeightingError

logger = logging.getLogger(__name__)

UNKNOWN_METHODS = ("fractional", "exclude")


@dataclass
class UnknownReport:
    """What was done with unknown attribute values, for the report and the log."""

    method: str
    rows_in: int
    rows_with_unknown: int
    unknown_by_variable: dict[str, int]
    rows_out: int
    excluded: int = 0
    fallbacks: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        by_var = ", ".join(f"{v} {n}" for v, n in self.unknown_by_variable.items())
        if self.method == "exclude":
            return (f"unknown attributes: {self.rows_with_unknown} of {self.rows_in} rows have one "
                    f"({by_var}); excluded, {self.rows_out} rows kept")
        extra = ""
        if self.fallbacks:
            extra = "; conditioned on fewer attributes for " + ", ".join(
                f"{n} row(s) by {k}" for k, n in self.fallbacks.items())
        return (f"unknown attributes: {self.rows_with_unknown} of {self.rows_in} rows have one "
                f"({by_var}); allocated fractionally, {self.rows_out} rows out{extra}")


def allocate_unknown(
    sample: pd.DataFrame,
    variables: Sequence[str],
    *,
    method: str = "fractional",
    unknown: str = "unknown",
    base_weights: pd.Series | str | None = None,
    weight_column: str = "base_weight",
    condition: Sequence[str] = (),
) -> tuple[pd.DataFrame, UnknownReport]:
    """The sample with unknown values of ``variables`` allocated or excluded.

    Missing values (NaN) count as unknown too. The result has a fresh index, the
    column ``source_row`` (the original index label) and ``weight_column`` (the base
    weight of each output row).
    """
    if method not in UNKNOWN_METHODS:
        raise WeightingError(f"method={method!r}; expected one of {', '.join(UNKNOWN_METHODS)}")
    variables = list(variables)
    missing = [v for v in variables if v not in sample.columns]
    if missing:
        raise WeightingError(
            f"sample: column {missing[0]!r} not found (columns are: "
            f"{', '.join(map(str, sample.columns))})"
        )
    base = _base_weights(sample, base_weights)
    frame = sample.copy()
    frame["source_row"] = sample.index
    frame[weight_column] = base
    frame = frame.reset_index(drop=True)
    is_unknown = pd.DataFrame(
        {v: frame[v].isna() | (frame[v].astype(str).str.strip() == unknown) for v in variables}
    )
    any_unknown = is_unknown.any(axis=1).to_numpy()
    counts = {v: int(is_unknown[v].sum()) for v in variables}
    known = frame.loc[~any_unknown]
    if method == "exclude" or not any_unknown.any():
        out = known.reset_index(drop=True) if method == "exclude" else frame
        report = UnknownReport(method, len(frame), int(any_unknown.sum()), counts, len(out),
                               excluded=int(any_unknown.sum()) if method == "exclude" else 0)
        logger.info(report.summary())
        return out, report
    if known.empty or known[weight_column].sum() <= 0:
        raise WeightingError(
            f"every row has an unknown value of {', '.join(variables)}; there is no known "
            "distribution to allocate them by: exclude them or find the attributes"
        )
    pieces = [known]
    fallbacks: dict[str, int] = {}
    # Each row's pattern of unknowns as one integer (bit j: variable j unknown), grouped
    # without a row-wise apply.
    # The first variable is the most significant bit, so the patterns come in the order of
    # their tuples of flags.
    top = len(variables) - 1
    bits = is_unknown.to_numpy() @ (1 << (top - np.arange(len(variables))))
    patterns = pd.Series(bits[any_unknown], index=is_unknown.index[any_unknown])
    for pattern, rows in patterns.groupby(patterns, sort=True).groups.items():
        unknown_vars = [v for j, v in enumerate(variables) if int(pattern) >> (top - j) & 1]
        given = [v for v in variables if v not in unknown_vars] + list(condition)
        todo = frame.loc[rows]
        while True:
            part, left = _allocate(todo, known, given, unknown_vars, weight_column)
            pieces.append(part)
            if left.empty:
                break
            if not given:  # pragma: no cover - the overall distribution always exists
                raise WeightingError("no known distribution to allocate unknown values by")
            dropped = given.pop()
            fallbacks[f"dropping {dropped}"] = fallbacks.get(f"dropping {dropped}", 0) + len(left)
            todo = left
    out = pd.concat(pieces, ignore_index=True)
    report = UnknownReport(method, len(frame), int(any_unknown.sum()), counts, len(out),
                           fallbacks=fallbacks)
    logger.info(report.summary())
    return out, report


_SEP = "\x1f"  # joins levels into one key; sorts below every printable character, as tuples do


def _keys(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Each row's levels of ``columns`` joined into one string ("" for no column)."""
    keys = np.full(len(frame), "", dtype=object)
    for i, column in enumerate(columns):
        values = frame[column].astype(str).to_numpy(dtype=object)
        keys = values if i == 0 else keys + _SEP + values
    return keys


def _allocate(
    todo: pd.DataFrame, known: pd.DataFrame, given: list[str], unknown_vars: list[str],
    weight_column: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``todo`` rows over the unknown variables' levels by the known distribution
    given ``given``; also return the rows with no known voice sharing ``given``.

    Each row becomes one row per combination of unknown levels that a known row with the
    same ``given`` levels has (in sorted order), its weight times that combination's share
    of the known weight."""
    table = (pd.DataFrame({"_g": _keys(known, given), **{v: known[v].astype(str) for v in unknown_vars},
                           "_w": known[weight_column].to_numpy(dtype=float)})
             .groupby(["_g", *unknown_vars], sort=True)["_w"].sum())
    table = table[table > 0]
    group_of_row = table.index.get_level_values("_g").to_numpy(dtype=object)
    mass = table.to_numpy(dtype=float)
    groups, first, count = np.unique(group_of_row, return_index=True, return_counts=True)
    share = mass / np.repeat(np.add.reduceat(mass, first), count) if len(mass) else mass
    todo_keys = _keys(todo, given)
    has = np.isin(todo_keys, groups)
    ready, left = todo.loc[has], todo.loc[~has]
    at = np.searchsorted(groups, todo_keys[has])
    per_row = count[at]
    offsets = np.arange(per_row.sum()) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    table_rows = np.repeat(first[at], per_row) + offsets
    out = ready.iloc[np.repeat(np.arange(len(ready)), per_row)].reset_index(drop=True)
    for variable in unknown_vars:
        out[variable] = table.index.get_level_values(variable).to_numpy(dtype=object)[table_rows]
    out[weight_column] = out[weight_column].to_numpy(dtype=float) * share[table_rows]
    return out[list(todo.columns)], left
