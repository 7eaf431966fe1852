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
    """The sample with unknown values of ``variables`` allocated or excluded (see the module).

    ``sample``: one row per voice; ``condition``: further columns that ``fractional``
    conditions on. Missing values (NaN) count as unknown too. The result has a fresh
    index, the column ``source_row`` (the original index label) and ``weight_column``
    (the base weight of each output row; a voice's parts sum to its base weight). Its rows:
    the fully known rows in their order, then the parts of the others, pattern of unknown
    variables by pattern (in the order of their tuples of unknown flags), each voice's
    parts in the sorted order of the levels they take. An allocated level is the text
    (``astype(str)``) of the level of the known voices it comes from.

    Raises:
        WeightingError: an unknown ``method``; a column not in ``sample``; base weights
            missing, negative or not one per row; no fully known row with a positive
            weight to allocate by.
    """
    if method not in UNKNOWN_METHODS:
        raise WeightingError(f"method={method!r}; expected one of {', '.join(UNKNOWN_METHODS)}")
    variables = list(variables)
    missing = [v for v in [*variables, *condition] if v not in sample.columns]
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
    text = {v: _Levels(frame[v]) for v in variables}
    is_unknown = pd.DataFrame(
        {v: frame[v].isna().to_numpy() | text[v].stripped_is(unknown) for v in variables}
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
    # Levels become sortable integer codes once; each pattern and fallback then costs a few
    # numpy sorts over those codes (bootstrap replicates redo this hundreds of times).
    text.update({c: _Levels(frame[c]) for c in condition if c not in text})
    known_rows = np.flatnonzero(~any_unknown)
    weights = frame[weight_column].to_numpy(dtype=float)
    fallbacks: dict[str, int] = {}
    rows_out: list[np.ndarray] = []
    weights_out: list[np.ndarray] = []
    # For each output row and unknown variable: the known row whose level it takes.
    donors: dict[str, list[np.ndarray]] = {v: [] for v in variables}
    # Each row's pattern of unknowns as one integer (bit j: variable j unknown). The first
    # variable is the most significant bit, so the patterns come in the order of their
    # tuples of flags; a stable sort keeps each pattern's rows in their order.
    top = len(variables) - 1
    bits = is_unknown.to_numpy() @ (1 << (top - np.arange(len(variables))))
    unknown_rows = np.flatnonzero(any_unknown)
    by_pattern = unknown_rows[np.argsort(bits[unknown_rows], kind="stable")]
    patterns, sizes = np.unique(bits[by_pattern], return_counts=True)
    for pattern, todo in zip(patterns, np.split(by_pattern, np.cumsum(sizes)[:-1]), strict=True):
        unknown_vars = [v for j, v in enumerate(variables) if int(pattern) >> (top - j) & 1]
        given = [v for v in variables if v not in unknown_vars] + list(condition)
        while True:
            ready, table_rows, share, donor, left = _allocate(todo, known_rows, weights, text, given,
                                                              unknown_vars)
            rows_out.append(ready)
            weights_out.append(weights[ready] * share[table_rows])
            for v in variables:
                donors[v].append(donor[table_rows] if v in unknown_vars else np.full(len(ready), -1))
            if not len(left):
                break
            if not given:  # pragma: no cover - the overall distribution always exists
                raise WeightingError("no known distribution to allocate unknown values by")
            dropped = given.pop()
            fallbacks[f"dropping {dropped}"] = fallbacks.get(f"dropping {dropped}", 0) + len(left)
            todo = left
    split = frame.take(np.concatenate(rows_out)).reset_index(drop=True)
    for v in variables:
        donor = np.concatenate(donors[v])
        taken = donor >= 0
        if taken.any():
            values = split[v].to_numpy(dtype=object, copy=True)
            values[taken] = text[v].strings[donor[taken]]
            split[v] = values
    split[weight_column] = np.concatenate(weights_out)
    out = pd.concat([known, split], ignore_index=True)
    report = UnknownReport(method, len(frame), int(any_unknown.sum()), counts, len(out),
                           fallbacks=fallbacks)
    logger.info(report.summary())
    return out, report


class _Levels:
    """One column's values as text (as ``astype(str)`` gives them) and as integer codes
    that sort as the text does (missing values last, as a level of their own)."""

    def __init__(self, column: pd.Series) -> None:
        self.strings = column.astype(str).to_numpy(dtype=object)
        codes, uniques = pd.factorize(self.strings)
        order = np.argsort(np.asarray(uniques, dtype=object), kind="stable")
        rank = np.empty(len(uniques) + 1, dtype=np.int64)
        rank[order] = np.arange(len(uniques))
        rank[-1] = len(uniques)  # code -1, a missing value
        self.codes = rank[codes]
        self.levels = [*np.asarray(uniques, dtype=object)[order], None]
        self.size = len(uniques) + 1

    def stripped_is(self, value: str) -> np.ndarray:
        """Whether each value, stripped of surrounding blanks, is ``value``."""
        match = np.array([isinstance(lv, str) and lv.strip() == value for lv in self.levels], dtype=bool)
        return match[self.codes]


def _combine(text: dict[str, _Levels], columns: Sequence[str], rows: np.ndarray) -> tuple[np.ndarray, int]:
    """One integer per row of ``rows`` for its levels of ``columns``, ordered as their tuples
    are, and a bound on the codes; re-numbered densely before they could overflow."""
    code = np.zeros(len(rows), dtype=np.int64)
    bound = 1
    for column in columns:
        levels = text[column]
        if bound * levels.size >= 1 << 62:
            uniques, code = np.unique(code, return_inverse=True)
            bound = len(uniques)
        code = code * levels.size + levels.codes[rows]
        bound *= levels.size
    return code, bound


def _allocate(
    todo: np.ndarray, known: np.ndarray, weights: np.ndarray, text: dict[str, _Levels], given: list[str],
    unknown_vars: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split the rows ``todo`` over the unknown variables' levels by the distribution among
    the ``known`` rows given ``given``.

    Each row that a known row with positive weight shares ``given`` with becomes one row
    per combination of unknown levels that such known rows have (in sorted order), its
    weight times that combination's share of their weight. Returns the rows split
    (repeated once per part), each part's row of the table, the table's shares and a known
    row holding each table row's levels; and the rows left, with no such known row."""
    both = np.concatenate([known, todo])
    group, group_bound = _combine(text, given, both)
    level, level_bound = _combine(text, unknown_vars, known)
    if group_bound * level_bound >= 1 << 62:
        group = np.unique(group, return_inverse=True)[1]
        level = np.unique(level, return_inverse=True)[1]
        level_bound = len(known)
    known_group, todo_group = group[:len(known)], group[len(known):]
    cells, donor, cell_of_row = np.unique(known_group * level_bound + level, return_index=True,
                                          return_inverse=True)
    mass = np.bincount(cell_of_row, weights=weights[known], minlength=len(cells))
    held = mass > 0
    cells, donor, mass = cells[held], known[donor[held]], mass[held]
    groups, first, count = np.unique(cells // level_bound, return_index=True, return_counts=True)
    share = mass / np.repeat(np.add.reduceat(mass, first), count) if len(mass) else mass
    at = np.minimum(np.searchsorted(groups, todo_group), max(len(groups) - 1, 0))
    has = groups[at] == todo_group if len(groups) else np.zeros(len(todo), dtype=bool)
    at = at[has]
    per_row = count[at]
    offsets = np.arange(per_row.sum()) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    table_rows = np.repeat(first[at], per_row) + offsets
    return np.repeat(todo[has], per_row), table_rows, share, donor, todo[~has]
