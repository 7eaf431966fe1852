"""Planning the next door-to-door visits: where interviews would help most.

The survey is small and expensive; the web is large and lopsided. Given what the store
already holds, the planner recommends how many interviews to do in which cells
(default region x age group x urban/rural) so that

1. every group (each level of each planning variable, and each age group x urban/rural
   group the blend mixes in) reaches a minimum precision: a 95% interval half-width of
   at most ``half_width`` (8 points by default) for a 50% share, the worst case; and
2. with what budget is left, the variance of the population-wide estimate drops most
   per unit of cost.

The model, stated so that it can be argued with:

- A cell's effective sample size is what the blend uses: online voices whose cell is
  known (each counts once, as in the blend's group post-stratification) plus the Kish
  effective sample size of the calibrated survey weights in the cell.
- An estimate over cells is post-stratified: a group's variance for a 50% share is
  ``sum_c (P_c / P_g)^2 * 0.25 / e_c`` over its cells, with population shares ``P``; the
  overall variance is the same sum with ``P_g = 1``. A cell nobody speaks for has
  infinite variance (a blind spot), so such cells are filled first.
- Cell population shares come from the margins' table over the planning variables; when
  the margins give only one-way tables, that table is estimated by raking the survey
  respondents (design weights) to them, or with no respondents taken as their product
  (:mod:`weighting.joint`), and the notes say which.
- A new interview adds ``1 / deff`` to its cell's effective sample size, where ``deff``
  is the current survey's Kish design effect (clustering and calibration cost the new
  interviews as much as the old ones).

Allocation is greedy, one interview at a time. Phase 1 takes the group with the widest
interval and adds an interview in the cell of that group whose variance reduction per
unit of cost is largest, until every group meets the target or the budget is spent.
Phase 2 spends the rest on the cell with the largest reduction of the overall variance per
unit of cost. Greedy marginal allocation is optimal for phase 2's separable convex
objective with unit steps (Fox 1966); phase 1 is a heuristic that favours the widest
interval, as a field coordinator would.

What the model ignores: bias. Online voices count as if they were a sample of their
cell; the planner says where precision is short, not whether the web is right.
"""
from __future__ import annotations

import logging
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from opinion.attributes import UNKNOWN, normalise_level
from opinion.errors import InputError
from opinion.estimates.blend import kish
from opinion.estimates.design import voice_counts
from opinion.estimates.voices import survey_joint
from opinion.files.tables import read_frame
from weighting import Margins, rake
from weighting.errors import WeightingError
from weighting.joint import GIVEN, joint_sources

__all__ = [
    "DEFAULT_BY", "Plan", "cell_shares", "current_cells", "format_plan", "load_costs", "plan_interviews", "plan_visits",
    "suppress_small",
]

log = logging.getLogger(__name__)

DEFAULT_BY = ("region", "age_group", "urban")
Z95 = 1.959963984540054
WEIGHT_VARS = ("age_group", "sex", "urban")


@dataclass
class Plan:
    """Recommended interviews per cell and the precision they buy."""

    # by..., population_share, online_ess, survey_ess, ess_before, interviews, cost_each, cost, ess_after,
    # half_width_before, half_width_after
    cells: pd.DataFrame
    # group, level, population_share, ess_before/after, half_width_before/after, empty_cells_before, meets_target
    groups: pd.DataFrame
    by: tuple[str, ...]
    budget: float
    spent: float
    half_width: float
    deff: float
    overall_before: float  # half-width of a population-wide 50% share
    overall_after: float
    notes: list[str] = field(default_factory=list)

    @property
    def interviews(self) -> int:
        return int(self.cells["interviews"].sum())

    @property
    def unmet(self) -> list[str]:
        return [f"{r.group}={r.level}" for r in self.groups.itertuples() if not r.meets_target]


def half_width(variance: float | np.ndarray) -> float | np.ndarray:
    return Z95 * np.sqrt(variance)


def cell_shares(margins: Margins, by: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Population share of every cell of ``by``, and notes on any independence assumed.

    A table covering all of ``by`` jointly is used when the margins have one; otherwise the
    cells are built from the widest tables that cover parts of ``by``, assuming those parts
    independent (e.g. region x (age group x urban/rural)), and the notes say so.
    """
    by = list(by)
    try:
        return _frame(margins.joint(by), by), []
    except WeightingError:
        pass
    remaining, parts = list(by), []
    while remaining:
        covers = [[v for v in remaining if v in name.split("*")] for name in margins.variables]
        best = max(covers, key=len, default=[])
        if not best:
            raise InputError(
                f"{margins.source}: the margins have no table for {', '.join(remaining)}; add one, or plan "
                f"by other variables with --by (tables are: {', '.join(margins.variables)})"
            )
        parts.append(best)
        remaining = [v for v in remaining if v not in best]
    frame = _frame(margins.joint(parts[0]), parts[0])
    for part in parts[1:]:
        other = _frame(margins.joint(part), part)
        frame = frame.merge(other, how="cross", suffixes=("", "_other"))
        frame["share"] = frame["share"] * frame.pop("share_other")
    note = (f"no joint population table for {' x '.join(by)}: cell shares assume "
            f"{' and '.join(' x '.join(p) for p in parts)} independent")
    return frame[[*by, "share"]], [note]


def _frame(shares: pd.Series, by: Sequence[str]) -> pd.DataFrame:
    frame = shares.rename("share").reset_index()
    frame.columns = [*by, "share"]
    for column in by:
        frame[column] = frame[column].astype(str)
    return frame


def current_cells(voices: pd.DataFrame, margins: Margins, by: Sequence[str]) -> tuple[pd.DataFrame, float, list[str]]:
    """Per cell: population share, online and survey effective sample sizes; plus the survey deff.

    Online voices are counted with their rows' ``count`` (a row standing for several
    identical voices; :func:`opinion.estimates.design.voice_counts`).

    Raises:
        InputError: a bad ``count``.
    """
    by = list(by)
    count = voice_counts(voices)
    # The part of the cells the margins cover: its joint table is estimated from the survey
    # when the margins lack it (weighting.joint); the rest is crossed by cell_shares.
    covered = [v for v in by if any(v in name.split("*") for name in margins.variables)]
    margins = survey_joint(margins, voices, covered)
    cells, notes = cell_shares(margins, by)
    notes = [j.describe() for j in joint_sources(margins) if j.method != GIVEN] + notes
    known = voices[by].notna().all(axis=1) & voices[by].ne(UNKNOWN).all(axis=1)
    is_online = ((voices["source"] == "online") & known).to_numpy()
    online = voices[is_online]
    survey = voices[voices["source"] == "survey"]
    weights = survey["design_weight"].astype(float)
    deff = 1.0
    if len(survey):
        calibrable = survey[survey[list(WEIGHT_VARS)].ne(UNKNOWN).all(axis=1) & survey[list(WEIGHT_VARS)].notna().all(axis=1)]
        try:
            result = rake(calibrable, margins, variables=list(WEIGHT_VARS), base_weights=weights.loc[calibrable.index])
            weights = result.weights.reindex(survey.index, fill_value=0.0)
        except WeightingError as exc:
            notes.append(f"survey weights could not be calibrated ({exc}); design weights used")
        w = weights.to_numpy()
        deff = max(1.0, float((w > 0).sum()) / kish(w)) if kish(w) > 0 else 1.0
    def key(frame: pd.DataFrame) -> pd.Series:
        if not len(frame):
            return pd.Series(dtype=str)
        joined = frame[by[0]].astype(str)
        for variable in by[1:]:
            joined = joined + "*" + frame[variable].astype(str)
        return joined

    online_ess = (pd.Series(count[is_online]).groupby(key(online).to_numpy()).sum() if len(online)
                  else pd.Series(dtype=float))
    placed = survey[known.loc[survey.index]] if len(survey) else survey
    survey_ess = pd.Series(dtype=float)
    if len(placed):
        w = pd.Series(weights.loc[placed.index].to_numpy(), index=key(placed).to_numpy())
        survey_ess = w.groupby(level=0).agg(lambda s: kish(s.to_numpy()))
    cell_key = key(cells)
    cells["online_ess"] = cell_key.map(online_ess).fillna(0.0).astype(float).to_numpy()
    cells["survey_ess"] = cell_key.map(survey_ess).fillna(0.0).astype(float).to_numpy()
    unplaced = int(round(float(count[~known.to_numpy()].sum())))
    if unplaced:
        notes.append(f"{unplaced} voices with unknown {' / '.join(by)} are in no cell and not counted")
    outside = sorted(set(key(voices[known])) - set(cell_key))
    if outside:
        notes.append(f"voices in cells the margins do not list are not counted: {', '.join(outside[:5])}")
    return cells.rename(columns={"share": "population_share"}), deff, notes


def default_groups(by: Sequence[str]) -> list[str]:
    groups = list(by)
    if "age_group" in by and "urban" in by:
        groups.append("age_group*urban")
    return groups


def plan_interviews(
    cells: pd.DataFrame,
    budget: float,
    *,
    by: Sequence[str] = DEFAULT_BY,
    half_width_target: float = 0.08,
    costs: Sequence[float] | np.ndarray | None = None,
    deff: float = 1.0,
    groups: Sequence[str] | None = None,
    spend_rest: bool = True,
) -> Plan:
    """Greedy allocation of ``budget`` (interviews, or cost units when ``costs`` are given).

    ``spend_rest=False`` stops once every group meets the target (phase 1 only): with a
    large budget, the interviews a correction needs at the least."""
    if budget < 0 or not math.isfinite(budget):
        raise InputError(f"budget {budget!r} must be a non-negative number")
    if not 0 < half_width_target < 0.5:
        raise InputError(f"half-width {half_width_target!r} must be between 0 and 0.5 (e.g. 0.08 for 8 points)")
    by = tuple(by)
    share = cells["population_share"].to_numpy(dtype=float)
    ess0 = (cells["online_ess"] + cells["survey_ess"]).to_numpy(dtype=float)
    cost = np.ones(len(cells)) if costs is None else np.asarray(costs, dtype=float)
    if (cost <= 0).any() or not np.isfinite(cost).all():
        raise InputError("every cell's cost must be a positive number")
    step = 1.0 / max(deff, 1.0)
    group_names, membership, group_share = _groups(cells, groups or default_groups(by))
    # weights[g, c] = (P_c / P_g)^2: a group's variance is weights @ (0.25 / ess)
    weights = membership * share[None, :]
    weights = (weights / np.where(group_share > 0, group_share, 1.0)[:, None]) ** 2
    target = (half_width_target / Z95) ** 2
    ess = ess0.copy()
    interviews = np.zeros(len(cells), dtype=int)
    left = float(budget)

    def unit_var(e: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.where(e > 0, 0.25 / np.where(e > 0, e, 1.0), np.inf)

    def add(c: int) -> None:
        nonlocal left
        ess[c] += step
        interviews[c] += 1
        left -= cost[c]

    live = group_share > 0
    gave_up = np.zeros(len(group_names), dtype=bool)
    while True:  # phase 1: the widest interval first
        v = _group_var(weights, unit_var(ess))
        short = live & ~gave_up & (v > target)
        if not short.any():
            break
        g = int(np.argmax(np.where(short, v, -1.0)))
        affordable = (membership[g] > 0) & (cost <= left + 1e-9) & (share > 0)
        if not affordable.any():
            gave_up[g] = True
            continue
        gain = _gain(weights[g], ess, step) / cost
        add(int(np.argmax(np.where(affordable, gain, -1.0))))
    while spend_rest:  # phase 2: the overall variance, per unit of cost
        affordable = (cost <= left + 1e-9) & (share > 0)
        if not affordable.any():
            break
        gain = _gain(share ** 2, ess, step) / cost
        add(int(np.argmax(np.where(affordable, gain, -1.0))))

    out = cells.copy()
    out["ess_before"] = ess0
    out["interviews"] = interviews
    out["cost_each"] = cost
    out["cost"] = interviews * cost
    out["ess_after"] = ess
    out["half_width_before"] = half_width(unit_var(ess0))
    out["half_width_after"] = half_width(unit_var(ess))
    v0, v1 = _group_var(weights, unit_var(ess0)), _group_var(weights, unit_var(ess))
    group_table = pd.DataFrame({
        "group": [g for g, _ in group_names], "level": [lv for _, lv in group_names],
        "population_share": group_share,
        "ess_before": membership @ ess0, "ess_after": membership @ ess,
        "half_width_before": half_width(v0), "half_width_after": half_width(v1),
        "empty_cells_before": (membership * (share > 0)[None, :]) @ (ess0 <= 0).astype(float),
        "meets_target": (v1 <= target) | ~live,
    })
    overall0 = float(half_width(_group_var((share ** 2)[None, :], unit_var(ess0))[0]))
    overall1 = float(half_width(_group_var((share ** 2)[None, :], unit_var(ess))[0]))
    return Plan(cells=out, groups=group_table, by=by, budget=float(budget), spent=float(budget) - left,
                half_width=half_width_target, deff=max(deff, 1.0), overall_before=overall0, overall_after=overall1)


def _group_var(weights: np.ndarray, unit: np.ndarray) -> np.ndarray:
    # 0 * inf is a cell with no population in the group: it adds nothing.
    with np.errstate(invalid="ignore"):
        terms = np.where(weights > 0, weights * unit[None, :], 0.0)
    return np.asarray(terms.sum(axis=1))


def _gain(weight: np.ndarray, ess: np.ndarray, step: float) -> np.ndarray:
    """Variance reduction of one more interview in each cell (infinite for an empty cell)."""
    with np.errstate(divide="ignore"):
        before = np.where(ess > 0, 0.25 / np.where(ess > 0, ess, 1.0), np.inf)
    after = 0.25 / (ess + step)
    with np.errstate(invalid="ignore"):
        gain = np.where(np.isinf(before), 1e12 * (1.0 + weight), weight * (before - after))
    return np.where(weight > 0, gain, 0.0)


def _groups(cells: pd.DataFrame, groups: Sequence[str]) -> tuple[list[tuple[str, str]], np.ndarray, np.ndarray]:
    names: list[tuple[str, str]] = []
    rows = []
    for group in groups:
        parts = group.split("*")
        missing = [p for p in parts if p not in cells.columns]
        if missing:
            raise InputError(
                f"group {group!r}: {', '.join(missing)} is not a planning variable "
                f"(plan --by {','.join(c for c in cells.columns if c not in _NUMERIC)})"
            )
        level = cells[parts].astype(str).agg("*".join, axis=1)
        for value in dict.fromkeys(level):
            names.append((group, value))
            rows.append((level == value).to_numpy(dtype=float))
    membership = np.vstack(rows) if rows else np.zeros((0, len(cells)))
    share = membership @ cells["population_share"].to_numpy(dtype=float)
    return names, membership, share


_NUMERIC = ("population_share", "online_ess", "survey_ess")


def load_costs(path: str | Path, cells: pd.DataFrame, by: Sequence[str]) -> np.ndarray:
    """Per-cell cost of one interview from a CSV with some of the ``by`` columns and ``cost``.

    A blank or ``*`` matches any level, so ``region,cost`` rows price whole towns; the most
    specific matching row wins. Every cell must be priced.
    """
    source = Path(path)
    table = read_frame(source).fillna("")
    keys = [c for c in table.columns if c != "cost"]
    unknown = [c for c in keys if c not in by]
    if "cost" not in table.columns or unknown:
        raise InputError(f"{source}: expected columns from {', '.join(by)} plus 'cost'; "
                         f"got {', '.join(table.columns)}")
    rules: list[tuple[int, dict[str, str], float]] = []
    for i, row in table.iterrows():
        try:
            value = float(row["cost"])
        except ValueError:
            value = float("nan")
        if not value > 0:
            raise InputError(f"{source} line {int(i) + 2}: cost {row['cost']!r} must be a positive number")
        pattern = {}
        for column in keys:
            text = row[column].strip()
            if text and text != "*":
                pattern[column] = normalise_level(column, text) or text
        rules.append((len(pattern), pattern, value))
    rules.sort(key=lambda r: -r[0])
    costs = []
    for cell in cells[list(by)].astype(str).to_dict("records"):
        match = next((value for _, pattern, value in rules if all(cell[k] == v for k, v in pattern.items())), None)
        if match is None:
            raise InputError(f"{source}: no cost for the cell {' / '.join(cell.values())}; add a row for it "
                             "(or a row with * in the columns that do not matter)")
        costs.append(match)
    return np.array(costs)


def plan_visits(
    voices: pd.DataFrame,
    margins: Margins,
    budget: float,
    *,
    by: Sequence[str] = DEFAULT_BY,
    half_width_target: float = 0.08,
    costs_path: str | Path | None = None,
    groups: Sequence[str] | None = None,
    deff: float | None = None,
    spend_rest: bool = True,
) -> Plan:
    """The library entry behind ``tongxin plan``: voices from the store to a plan
    (``spend_rest``: see :func:`plan_interviews`)."""
    cells, survey_deff, notes = current_cells(voices, margins, by)
    costs = load_costs(costs_path, cells, by) if costs_path else None
    plan = plan_interviews(cells, budget, by=by, half_width_target=half_width_target, costs=costs,
                           deff=deff if deff is not None else survey_deff, groups=groups, spend_rest=spend_rest)
    plan.notes = notes
    log.info("planned %d interviews over %d cells (spent %.1f of %.1f)", plan.interviews,
             int((plan.cells["interviews"] > 0).sum()), plan.spent, plan.budget)
    return plan


def _points(value: float) -> str:
    return "—" if not math.isfinite(value) else f"±{100 * value:.1f}"


def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(_text_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(v + " " * (w - _text_width(v)) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows]


SMALL_CELL_COLUMNS = ("online_ess", "survey_ess", "ess_before", "ess_after", "half_width_before", "half_width_after")


def suppress_small(table: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """``table`` (:attr:`Plan.cells` or :attr:`Plan.groups`) with the sizes and half-widths of
    rows holding fewer than ``min_cell`` effective voices now (but some) blanked (NaN) and
    flagged in ``suppressed``: a half-width of a 50% share gives its effective size back, and
    a size under ``min_cell`` is a small cell a report does not publish. A source's own size
    (``online_ess``, ``survey_ess``) under ``min_cell`` is blanked too, even in a row shown.
    Sizes within 0.01 of ``min_cell`` count as ``min_cell`` (five respondents of nearly equal
    weights have an effective size of 4.9999). Empty rows (nobody now) stay shown;
    ``min_cell`` 0 or 1 hides nothing."""
    out = table.copy()

    def is_small(column: str) -> pd.Series:
        size = pd.to_numeric(out[column], errors="coerce").astype(float)
        return (size > 0) & (size < min_cell - 0.01)

    small = is_small("ess_before")
    out["suppressed"] = small.to_numpy(dtype=bool)
    for column in ("online_ess", "survey_ess"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float).where(~is_small(column))
    for column in SMALL_CELL_COLUMNS:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float).where(~small)
    return out


def format_plan(plan: Plan, min_cell: int = 5) -> str:
    """The plan as a field coordinator reads it: where to go, how many, what it buys. Cells
    and groups of fewer than ``min_cell`` effective voices now show ``<min_cell`` and no
    half-widths (:func:`suppress_small`)."""
    cells, groups = suppress_small(plan.cells, min_cell), suppress_small(plan.groups, min_cell)
    hidden = f"<{min_cell}"

    def size(value: float, small: bool) -> str:
        return hidden if small else f"{value:.0f}"

    lines = [f"recommended interviews: {plan.interviews} in {int((plan.cells['interviews'] > 0).sum())} cells "
             f"(budget {plan.budget:g}, cost {plan.spent:g})"]
    todo = cells[cells["interviews"] > 0].sort_values(list(plan.by))
    if len(todo):
        rows = [[*plan.by, "interviews", "cost", "ess now", "now", "after"]]
        for _, r in todo.iterrows():
            small = bool(r["suppressed"])
            rows.append([*(str(r[v]) for v in plan.by), str(int(r["interviews"])), f"{r['cost']:g}",
                         size(r["ess_before"], small), "suppressed" if small else _points(r["half_width_before"]),
                         "suppressed" if small else _points(r["half_width_after"])])
        lines += ["  " + line for line in _aligned(rows)]
    lines.append(f"precision per group (95% interval half-width, points, for a 50% share; target ±{100 * plan.half_width:.1f}):")
    rows = [["group", "level", "population", "ess now", "ess after", "now", "after", "target"]]
    for r in groups.itertuples():
        small = bool(r.suppressed)
        now = "suppressed" if small else _points(r.half_width_before)
        if r.empty_cells_before:
            now += f" ({int(r.empty_cells_before)} cells with no voice)"
        rows.append([r.group, r.level, f"{100 * r.population_share:.1f}%", size(r.ess_before, small),
                     size(r.ess_after, small), now, "suppressed" if small else _points(r.half_width_after),
                     "met" if r.meets_target else "SHORT"])
    lines += ["  " + line for line in _aligned(rows)]
    lines.append(f"population-wide: {_points(plan.overall_before)} now, {_points(plan.overall_after)} after")
    lines.append(f"a new interview counts as {1 / plan.deff:.2f} of an effective respondent "
                 f"(current survey design effect {plan.deff:.2f})")
    if plan.unmet:
        lines.append(f"still short of the target after this budget: {', '.join(plan.unmet)}; a larger budget is needed")
    lines += [f"note: {note}" for note in plan.notes]
    if cells["suppressed"].any() or groups["suppressed"].any():
        lines.append(f"note: cells and groups of fewer than {min_cell} effective voices now show {hidden} and no "
                     "half-widths (--min-cell)")
    return "\n".join(lines)
