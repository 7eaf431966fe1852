"""Small-cell suppression: no published cell lets a reader single out a handful of people.

A report is passed around; a cell such as "60+ x rural: 2 online voices" points at two
identifiable neighbours. Every group cell (a level of an attribute, per source) with fewer
than ``min_cell`` voices is hidden (*primary* suppression). Hiding one cell is not enough
when a published total minus the other cells gives it back, so in every set of cells that
sums to a published total, a lone hidden cell takes the smallest other cell with it
(*complementary* suppression), repeated until no set has exactly one hidden cell.

Zero cells are published: "nobody in this group spoke" names nobody, and it is the blind
spot the report exists to show. Topic figures for the whole area are not group cells and
are left alone; per-group tables (keywords, concerns by group) are, and so is the visit
plan: a cell's interval half-width "now" (1.96 x 50% / sqrt(n)) gives its effective size
back, so under ``min_cell`` it is hidden, with the half-width "after" (which, beside the
interviews planned, gives it back too).

Applied to the :class:`~opinion.reports.data.ReportData` before any format renders, so the
HTML, Markdown, CSV, JSON and terminal outputs hide the same cells.
"""
from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from opinion.attributes import UNKNOWN
from opinion.errors import InputError
from opinion.estimates.plan import Z95
from opinion.reports import i18n
from opinion.reports.bygroup import PLAN_FLAG, suppress_by_group
from opinion.reports.data import ReportData

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_MIN_CELL", "PLAN_FLAG", "SOURCES", "ensure_suppressed", "plan_sizes", "suppress_plan",
           "suppress_small_cells", "suppressed_cells"]

DEFAULT_MIN_CELL = 5
SOURCES = ("online", "survey")
NOTE_KEY = "suppression"


def _count(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _constraint_groups(coverage: pd.DataFrame) -> list[list[int]]:
    """Sets of coverage rows whose counts add up to a published figure.

    Each attribute's levels (unknown included) sum to the source's total; each row of a
    joint attribute (``age_group*urban`` with ``age_group`` = 60+) sums, with the unknowns,
    to that level's own cell. Treating the latter as exact is the cautious choice.
    """
    groups: list[list[int]] = []
    for _, rows in coverage.groupby("variable", sort=False):
        groups.append(list(rows.index))
    marginal = {(str(v), str(lv)): i for i, v, lv in zip(coverage.index, coverage["variable"], coverage["level"], strict=True)}
    for variable, rows in coverage.groupby("variable", sort=False):
        parts = str(variable).split("*")
        if len(parts) < 2:
            continue
        for position, part in enumerate(parts):
            by_level: dict[str, list[int]] = {}
            for i, level in zip(rows.index, rows["level"].astype(str), strict=True):
                if level == UNKNOWN:
                    continue
                by_level.setdefault(level.split("*")[position], []).append(i)
            for level, members in by_level.items():
                if (part, level) in marginal:
                    groups.append([marginal[(part, level)], *members])
    return groups


def suppressed_cells(counts: pd.Series, groups: Iterable[list[int]], min_cell: int) -> tuple[set[int], set[int]]:
    """Primary and complementary suppressed cells among ``counts`` (index -> voices).

    Primary: 0 < n < ``min_cell``. Complementary: while some group has exactly one hidden
    cell, hide its smallest visible non-zero cell (a zero cell only when no other is left).
    """
    groups = [g for g in groups if len(g) > 1]
    primary = {i for i, n in counts.items() if not math.isnan(_count(n)) and 0 < _count(n) < min_cell}
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for group in groups:
            if sum(i in hidden for i in group) != 1:
                continue
            visible = [i for i in group if i not in hidden and not math.isnan(_count(counts[i]))]
            if not visible:
                continue
            non_zero = [i for i in visible if _count(counts[i]) > 0] or visible
            hidden.add(min(non_zero, key=lambda i: (_count(counts[i]), group.index(i))))
            changed = True
    return primary, hidden - primary


def suppress_small_cells(data: ReportData, min_cell: int = DEFAULT_MIN_CELL) -> ReportData:
    """A copy of ``data`` with every group cell of fewer than ``min_cell`` voices hidden,
    plus the complementary cells that would give it back; ``min_cell`` <= 1 hides nothing.

    Hidden counts and shares become NaN and are flagged in ``online_suppressed`` /
    ``survey_suppressed`` (coverage), so every format can say "suppressed" rather than
    show a blank; ``notes['suppression']`` records the rule and how many cells it hid.
    """
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 0:
        raise InputError(f"min_cell must be a whole number of voices >= 0, got {min_cell!r} (default 5)")
    coverage = data.coverage.copy().reset_index(drop=True)
    text = i18n.strings(data.lang)
    groups = _constraint_groups(coverage)
    stats = {"min_cell": min_cell, "primary": 0, "complementary": 0}
    hidden_levels: dict[str, set[tuple[str, str]]] = {}
    for source in SOURCES:
        flag = f"{source}_suppressed"
        coverage[flag] = False
        if f"{source}_n" not in coverage.columns:
            continue
        primary, complementary = suppressed_cells(coverage[f"{source}_n"], groups, min_cell) \
            if min_cell > 1 else (set(), set())
        stats["primary"] += len(primary)
        stats["complementary"] += len(complementary)
        hidden = sorted(primary | complementary)
        coverage.loc[hidden, flag] = True
        coverage[f"{source}_n"] = coverage[f"{source}_n"].astype(float)
        coverage.loc[hidden, [f"{source}_n", f"{source}_share"]] = np.nan
        hidden_levels[source] = {(str(coverage.at[i, "variable"]), str(coverage.at[i, "level"])) for i in hidden}

    carry = data.carry
    if carry is not None and not carry.empty:
        carry = carry.copy()
        joint = "*".join(data.notes.get("blend_groups") or ("age_group", "urban"))
        online_hidden = carry["group"].astype(str).map(lambda g: (joint, g) in hidden_levels.get("online", set()))
        survey_hidden = carry["group"].astype(str).map(lambda g: (joint, g) in hidden_levels.get("survey", set()))
        carry["online_ess"] = carry["online_ess"].astype(float).where(~online_hidden)
        carry["survey_ess"] = carry["survey_ess"].astype(float).where(~survey_hidden)
        carry["survey_fraction"] = carry["survey_fraction"].astype(float).where(~(online_hidden | survey_hidden))

    keywords = data.keywords
    if keywords is not None and min_cell > 1:
        # A word few people in a group used can identify them: drop it rather than hide a count.
        keep = keywords["voices"].map(_count) >= min_cell
        stats["keywords_dropped"] = int((~keep).sum())
        keywords = keywords[keep].reset_index(drop=True)

    plan = data.plan
    if plan is not None and min_cell > 1:
        plan = suppress_plan(plan, min_cell)
        stats["plan_cells"] = int(plan[PLAN_FLAG].sum())
    by_group = data.by_group
    if by_group is not None and min_cell > 1:
        by_group = suppress_by_group(by_group, min_cell)

    notes = dict(data.notes)
    unknown = notes.get("unknown")
    if isinstance(unknown, dict):
        notes["unknown"] = {attr: (text["suppressed"] if (attr, UNKNOWN) in hidden_levels.get("online", set()) else n)
                            for attr, n in unknown.items()}
    notes[NOTE_KEY] = stats
    if stats["primary"]:
        logger.info("suppressed %d cells under %d voices and %d complementary cells",
                    stats["primary"], min_cell, stats["complementary"])
    return dataclasses.replace(data, coverage=coverage, carry=carry, keywords=keywords, plan=plan,
                               by_group=by_group, notes=notes, min_cell=min_cell)


def plan_sizes(half_widths: pd.Series) -> pd.Series:
    """The effective sample size each 95% half-width of a 50% share stands for:
    ``(1.96 * 0.5 / h)^2`` (:mod:`opinion.estimates.plan`); 0 for an infinite half-width
    (nobody in the cell), NaN for a missing one."""
    h = pd.to_numeric(half_widths, errors="coerce").astype(float)
    with np.errstate(divide="ignore"):
        return (Z95 * 0.5 / h) ** 2


def suppress_plan(plan: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """The visit plan with the half-widths of cells of fewer than ``min_cell`` (effective)
    voices now hidden (NaN), flagged in ``half_width_suppressed``.

    The half-width "now" is a function of the cell's effective size, so it is hidden on the
    count it gives back, whatever that count was computed from; the half-width "after" goes
    with it, since beside the interviews planned it gives the same count back. A cell with
    nobody in it keeps its marks (an empty cell names nobody)."""
    out = plan.copy()
    size = plan_sizes(out["half_width_before"])
    # within 0.01 of min_cell counts as min_cell: five respondents of nearly equal weights are 4.9999
    hidden = (size > 0) & (size < min_cell - 0.01)
    out[PLAN_FLAG] = hidden.to_numpy(dtype=bool)
    for column in ("half_width_before", "half_width_after"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float).where(~hidden)
    return out


def ensure_suppressed(data: ReportData) -> ReportData:
    """``data`` suppressed with its own ``min_cell``, unless that was already done."""
    if NOTE_KEY in data.notes:
        return data
    return suppress_small_cells(data, data.min_cell)
