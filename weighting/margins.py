"""Population targets (margins) for weighting: one-way and joint tables of counts or shares.

A margins table is the population side of every weighting method. It is read once,
validated once (here), and then asked for shares of one variable or of a joint
combination of variables. Joint tables are written with ``*``: the variable
``age_group*sex`` has levels such as ``60+*female``.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from weighting.bands import band_label
from weighting.errors import WeightingError
from weighting.margin_tables import read_margin_table

logger = logging.getLogger(__name__)

JOINT_SEP = "*"
SHARE_TOLERANCE = 1e-6
TOTAL_TOLERANCE = 0.005
COLUMNS = ("variable", "level", "target")
AGE_VARIABLE = "age_group"

Normaliser = Callable[[str, str], "str | None"]


@dataclass(frozen=True)
class _Row:
    variable: str
    level: str
    raw_target: object
    where: str  # "margins.csv line 4" or "<DataFrame> row 3"
    share: bool | None = None  # the table says the target is a share (a percentage) or a count
    tolerance: float = SHARE_TOLERANCE  # how far rounded shares may miss 1, this row's part
    written: str | None = None  # the level as the table writes it (18—29岁), for display
    column: str = "target"  # the header of the target's column, for messages


@dataclass(frozen=True)
class Margins:
    """Validated population targets.

    ``tables`` maps each listed variable (``sex`` or ``age_group*sex``) to its targets
    indexed by level; ``counts`` tells, per variable, whether those targets are counts
    (which carry the population total) or shares. ``labels`` gives, per variable, the
    levels as the source table wrote them (``{"age_group": {"60+": "60岁及以上"}}``)
    where it wrote them otherwise, for display.
    """

    tables: dict[str, pd.Series]
    counts: dict[str, bool]
    source: str = "<margins>"
    _total: float | None = field(default=None, repr=False)
    labels: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_csv(cls, path: str | Path, normalise: Normaliser | None = None) -> Margins:
        """Read margins from a table file as bureaus write them: ``variable,level,target``,
        or a long table with Chinese headers (变量/指标, 类别/分组, 人数/人口数/比重 ...), or a
        cross-tab (one variable down, one across, with 合计), in any encoding and layout the
        table reader knows (:func:`weighting.margin_tables.read_margin_table`). Counts may
        carry thousands separators, shares may be percentages (``15.2%``); 合计/总计 rows,
        其中 sub-items and notes are dropped; age bands become canonical labels (``18-29``,
        ``60+``), the written text is kept in :attr:`labels`. A cross-tab gives both one-way
        margins and the joint table (``age_group*sex``).

        Raises:
            InputError: the file cannot be read (naming it).
            WeightingError: no target column, or a row is invalid (naming its line and column).
        """
        read = read_margin_table(path)
        rows = [_Row(r.variable, r.level, r.target, r.where, r.share, r.tolerance, r.written, r.column)
                for r in read.rows]
        rows += [
            _Row(JOINT_SEP.join(c.variables), JOINT_SEP.join(c.levels), c.target, c.where, c.share, c.tolerance,
                 JOINT_SEP.join(c.written), c.column)
            for c in read.cells
        ]
        return cls._build(rows, str(read.table.path), normalise)

    from_file = from_csv

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, normalise: Normaliser | None = None, source: str = "<DataFrame>"
    ) -> Margins:
        """Build margins from a DataFrame with columns ``variable, level, target``."""
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise WeightingError(
                f"{source}: column {missing[0]!r} not found (columns are: "
                f"{', '.join(map(str, frame.columns))}); margins need variable,level,target"
            )
        rows = [
            _Row(str(v).strip(), str(lv).strip(), t, f"{source} row {i}")
            for i, (v, lv, t) in enumerate(
                zip(frame["variable"], frame["level"], frame["target"], strict=True)
            )
        ]
        return cls._build(rows, source, normalise)

    @classmethod
    def from_shares(cls, shares: dict[str, dict[str, float]], total: float | None = None) -> Margins:
        """Convenience for code and tests: ``{"sex": {"male": .49, "female": .51}}``.

        With ``total`` the shares are turned into counts of that population.
        """
        records = []
        for variable, levels in shares.items():
            for level, value in levels.items():
                records.append(
                    {"variable": variable, "level": level,
                     "target": value * total if total is not None else value}
                )
        return cls.from_frame(pd.DataFrame(records), source="<shares>")

    @classmethod
    def _build(cls, rows: Iterable[_Row], source: str, normalise: Normaliser | None) -> Margins:
        values: dict[str, dict[str, float]] = {}
        first_seen: dict[tuple[str, str], str] = {}
        wheres: dict[str, str] = {}
        shares: dict[str, bool] = {}
        tolerances: dict[str, float] = {}
        labels: dict[str, dict[str, str]] = {}
        columns: dict[str, str] = {}
        for row in rows:
            if not row.variable:
                raise WeightingError(f"{row.where}, column 'variable': the variable name is empty")
            parts = row.variable.split(JOINT_SEP)
            level_parts = row.level.split(JOINT_SEP)
            if len(level_parts) != len(parts) or not all(level_parts):
                raise WeightingError(
                    f"{row.where}, column 'level': {row.level!r} does not have one level per "
                    f"variable of {row.variable!r}; write the levels joined by "
                    f"'{JOINT_SEP}' in the same order (e.g. "
                    f"{JOINT_SEP.join('<' + p + '>' for p in parts)})"
                )
            # Age bands as written (18—29岁, 60岁及以上) become canonical labels (18-29, 60+).
            level_parts = [
                (band_label(lv) or lv) if var == AGE_VARIABLE else lv for var, lv in zip(parts, level_parts, strict=True)
            ]
            if normalise is not None:
                level_parts = [
                    normalise(var, lv) or lv for var, lv in zip(parts, level_parts, strict=True)
                ]
            level = JOINT_SEP.join(level_parts)
            target = _parse_target(row)
            key = (row.variable, level)
            if key in first_seen:
                raise WeightingError(
                    f"{row.where}, column 'level': level {level!r} of variable "
                    f"{row.variable!r} is listed twice (first at {first_seen[key]}); keep one row"
                )
            first_seen[key] = row.where
            values.setdefault(row.variable, {})[level] = target
            wheres.setdefault(row.variable, row.where)
            columns.setdefault(row.variable, row.column)
            if row.share:
                shares[row.variable] = True
                tolerances[row.variable] = tolerances.get(row.variable, 0.0) + row.tolerance
            if row.written is not None and row.written != level:
                labels.setdefault(row.variable, {})[level] = row.written
        if not values:
            raise WeightingError(f"{source}: no targets found; add rows variable,level,target")
        tables: dict[str, pd.Series] = {}
        counts: dict[str, bool] = {}
        for variable, levels in values.items():
            series = pd.Series(levels, dtype="float64", name=variable)
            series.index = pd.Index(list(levels), dtype=object, name=variable)
            total = float(series.sum())
            if total <= 0:
                raise WeightingError(
                    f"{wheres[variable]}: the targets of {variable!r} sum to 0; "
                    "give positive counts or shares"
                )
            tolerance = max(SHARE_TOLERANCE, tolerances.get(variable, 0.0))
            is_share = abs(total - 1.0) <= tolerance
            if not is_share and shares.get(variable):
                raise WeightingError(
                    f"{wheres[variable]}, column {columns[variable]!r}: the shares of {variable!r} sum to {total:.6g} "
                    f"({total:.2%}), not 1 (100%) within the rounding of the figures ({tolerance:.2g}); "
                    "fix the shares or give population counts"
                )
            if not is_share and (series <= 1.0).all():
                raise WeightingError(
                    f"{wheres[variable]}, column {columns[variable]!r}: the shares of {variable!r} sum to "
                    f"{total:.6g}, not 1; fix them so they sum to 1 (within {SHARE_TOLERANCE:g}) "
                    "or give population counts"
                )
            tables[variable] = series
            counts[variable] = not is_share
        pop_total = _consistent_total(tables, counts, wheres, columns)
        return cls(tables=tables, counts=counts, source=source, _total=pop_total, labels=labels)

    # -- queries ------------------------------------------------------------------------
    @property
    def variables(self) -> list[str]:
        """Variables as listed (joint ones as ``a*b``)."""
        return list(self.tables)

    @property
    def total(self) -> float | None:
        """Population count, or None when the margins carry only shares."""
        return self._total

    def targets(self, variable: str) -> pd.Series:
        """Targets of one listed or derivable variable, as counts if the total is known,
        else as shares."""
        shares = self.shares(variable)
        return shares * self._total if self._total is not None else shares

    def shares(self, variable: str) -> pd.Series:
        """Shares of a variable (``sex``, or ``age_group*sex`` as listed), indexed by level.

        A single variable that is not listed directly is derived by summing a joint table
        that contains it.
        """
        if variable in self.tables:
            table = self.tables[variable]
            return table / table.sum()
        parts = variable.split(JOINT_SEP)
        joint = self.joint(parts)
        if len(parts) > 1:
            joint = joint.copy()
            joint.index = pd.Index(
                [JOINT_SEP.join(map(str, key)) for key in joint.index], dtype=object, name=variable
            )
        joint.name = variable
        return joint

    def joint(self, variables: Sequence[str]) -> pd.Series:
        """Shares over the combinations of ``variables``: a MultiIndex (one level per
        variable) for several variables, a plain index for one.

        Derived by summing the first listed table that contains all of them; a
        :class:`WeightingError` if no listed table does.
        """
        wanted = list(variables)
        if not wanted:
            raise WeightingError(f"{self.source}: joint() needs at least one variable")
        # The smallest table that covers them loses least to rounding.
        for name in sorted(self.tables, key=lambda n: n.count(JOINT_SEP)):
            table = self.tables[name]
            parts = name.split(JOINT_SEP)
            if not set(wanted) <= set(parts) or len(set(parts)) != len(parts):
                continue
            split = [lv.split(JOINT_SEP) for lv in table.index]
            frame = pd.DataFrame(split, columns=parts, dtype=object)
            frame["_target"] = table.to_numpy()
            summed = frame.groupby(wanted, sort=False)["_target"].sum()
            summed = summed / summed.sum()
            summed.name = JOINT_SEP.join(wanted)
            if len(wanted) == 1:
                summed.index = pd.Index(summed.index, dtype=object, name=wanted[0])
            return summed
        raise WeightingError(
            f"{self.source}: no table covers {JOINT_SEP.join(wanted)!r} jointly (tables are: "
            f"{', '.join(self.tables)}); add a joint table with variable "
            f"{JOINT_SEP.join(wanted)!r} or rake on the one-way margins instead"
        )

    def to_frame(self) -> pd.DataFrame:
        """The targets as listed, in the ``variable,level,target`` layout."""
        records = [
            {"variable": var, "level": level, "target": float(value)}
            for var, table in self.tables.items()
            for level, value in table.items()
        ]
        return pd.DataFrame(records, columns=list(COLUMNS))


def _parse_target(row: _Row) -> float:
    raw = row.raw_target
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise WeightingError(
            f"{row.where}, column {row.column!r}: {raw!r} is not a number; write a population "
            "count or a share between 0 and 1"
        ) from None
    if not math.isfinite(value):
        raise WeightingError(
            f"{row.where}, column {row.column!r}: {raw!r} is not a finite number; write a "
            "population count or a share"
        )
    if value < 0:
        raise WeightingError(
            f"{row.where}, column {row.column!r}: {raw!r} is negative; targets are counts or "
            "shares, 0 or more"
        )
    return value


def _consistent_total(
    tables: dict[str, pd.Series], counts: dict[str, bool], wheres: dict[str, str], columns: dict[str, str]
) -> float | None:
    """The population total, checked to agree (within 0.5%) across count tables."""
    totals = {var: float(tables[var].sum()) for var in tables if counts[var]}
    if not totals:
        return None
    first_var, first = next(iter(totals.items()))
    for var, total in totals.items():
        if abs(total - first) > TOTAL_TOLERANCE * first:
            raise WeightingError(
                f"{wheres[var]}, column {columns[var]!r}: the counts of {var!r} sum to {total:,.0f} but "
                f"those of {first_var!r} sum to {first:,.0f} ({abs(total / first - 1):.2%} apart, "
                f"more than {TOTAL_TOLERANCE:.1%}); use counts of the same population or give shares"
            )
        if total != first:
            logger.info("margins %r total %s differs slightly from %s", var, total, first)
    return first


# -- targets the sample contradicts -------------------------------------------------------

ZERO_TARGET_ACTIONS = ("raise", "drop")
_SHOW_ROWS = 5


@dataclass(frozen=True)
class ZeroTarget:
    """Sample rows in a level whose target is 0: a level the population lacks (a township
    merged away) that respondents still name. ``rows`` are positions in the sample."""

    variable: str
    level: str
    rows: np.ndarray


def zero_target_rows(
    variable: str, codes: np.ndarray, levels: Sequence[str], targets: np.ndarray, base: np.ndarray
) -> list[ZeroTarget]:
    """The levels of ``variable`` with target 0 that rows with a positive base weight fall
    in (``codes`` index ``levels`` and ``targets``, one code per row).

    Weighting would give those rows weight 0 without a word; callers raise
    :func:`zero_target_error` instead, unless asked to drop them.
    """
    zero = np.asarray(targets, dtype="float64") == 0
    if not zero.any():
        return []
    hit = zero[codes] & (base > 0)
    if not hit.any():
        return []
    found = []
    for code in np.unique(codes[hit]):
        found.append(ZeroTarget(variable, str(levels[int(code)]), np.flatnonzero(hit & (codes == code))))
    return found


def zero_target_error(source: str, found: Sequence[ZeroTarget], index: pd.Index, option: str) -> WeightingError:
    """One error naming every contradicted level, its variable and its first rows (by the
    sample's row labels); ``option`` says how the caller drops them instead."""
    parts = []
    for item in found:
        labels = [str(index[i]) for i in item.rows[:_SHOW_ROWS]]
        more = f", ... ({len(item.rows)} in all)" if len(item.rows) > _SHOW_ROWS else ""
        parts.append(f"{item.variable!r} level {item.level!r}: {len(item.rows)} row(s) ({', '.join(labels)}{more})")
    return WeightingError(
        f"{source}: target 0 for level(s) the sample has: {'; '.join(parts)}; the population has nobody there "
        "(a place merged away, a level coded wrongly), so those rows would silently get weight 0. Fix the target, "
        f"recode those rows (e.g. to the place it merged into), or drop them explicitly with {option}"
    )


def zero_target_levels(sample: pd.DataFrame, margins: Margins, variables: Sequence[str]) -> list[ZeroTarget]:
    """Per weighting variable (joint ones as ``a*b``), the levels with target 0 that rows of
    ``sample`` fall in, with those rows' positions; the sample's columns must hold level
    codes as the margins do. Rows outside every such level are not listed.

    For callers that drop those rows before any method (``tongxin weight
    --drop-zero-targets``); :func:`weighting.rake` does it itself with ``on_zero_target``.
    """
    found = []
    for variable in variables:
        shares = margins.shares(variable)
        zero = {str(level) for level in shares.index[shares.to_numpy() == 0]}
        if not zero:
            continue
        columns = variable.split(JOINT_SEP)
        keys = sample[columns].astype(str).agg(JOINT_SEP.join, axis=1).to_numpy()
        for level in sorted(zero):
            rows = np.flatnonzero(keys == level)
            if rows.size:
                found.append(ZeroTarget(variable, level, rows))
    return found
