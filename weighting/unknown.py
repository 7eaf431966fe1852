"""Voices whose weighting attributes are unknown: fractional allocation or exclusion.

An online voice whose age could not be read from anything is still a voice. Dropping
it silently would bias the sample towards voices that reveal their age; pretending it
has an age would invent data. Two explicit choices, both counted:

- ``fractional``: the voice is split across the levels of each unknown attribute in
  proportion to the (base-weighted) distribution of those levels among fully known
  voices that share its known attributes. If no fully known voice shares all of them,
  the conditioning drops known attributes from the last listed one backwards until
  some do (down to the overall distribution); each such fallback is counted. The split
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
    patterns = is_unknown.loc[any_unknown].apply(lambda r: tuple(r.to_numpy()), axis=1)
    for pattern, rows in patterns.groupby(patterns, sort=True).groups.items():
        unknown_vars = [v for v, u in zip(variables, pattern, strict=True) if u]
        given = [v for v in variables if v not in unknown_vars]
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


def _allocate(
    todo: pd.DataFrame, known: pd.DataFrame, given: list[str], unknown_vars: list[str],
    weight_column: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``todo`` rows over the unknown variables' levels by the known distribution
    given ``given``; also return the rows with no known voice sharing ``given``."""
    table = known.groupby(given + unknown_vars, sort=True, dropna=False)[weight_column].sum()
    table = table[table > 0].rename("_mass").reset_index()
    if given:
        table["_share"] = table["_mass"] / table.groupby(given, dropna=False)["_mass"].transform("sum")
    else:
        table["_share"] = table["_mass"] / table["_mass"].sum()
    keys = todo[given].astype(str) if given else None
    if given:
        table_keys = table[given].astype(str)
        available = pd.MultiIndex.from_frame(table_keys).unique()
        has = pd.MultiIndex.from_frame(keys).isin(available)
    else:
        has = np.ones(len(todo), dtype=bool)
    ready, left = todo.loc[has], todo.loc[~has]
    base = ready.drop(columns=unknown_vars)
    if given:
        base = base.assign(**{f"_k_{g}": ready[g].astype(str) for g in given})
        right = table.assign(**{f"_k_{g}": table[g].astype(str) for g in given}).drop(columns=given)
        merged = base.merge(right, on=[f"_k_{g}" for g in given], how="inner", sort=False)
        merged = merged.drop(columns=[f"_k_{g}" for g in given])
    else:
        merged = base.merge(table, how="cross")
    merged[weight_column] = merged[weight_column] * merged["_share"]
    merged = merged.drop(columns=["_mass", "_share"])
    return merged[list(todo.columns)], left
