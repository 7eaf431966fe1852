"""The "concerns by group" and "where to go next" sections of the report."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from opinion.reports import i18n
from opinion.reports.data import ReportData
from opinion.reports.format import _Safe, fmt_interval, fmt_pct

# Added to the visit plan by small-cell suppression: True where the cell's half-widths were hidden.
PLAN_FLAG = "half_width_suppressed"

BY_GROUP_COLUMNS = [
    "variable", "level", "level_label", "topic", "topic_label", "method",
    "estimate", "se", "ci_low", "ci_high", "n",
]


def suppress_by_group(frame: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Cells resting on fewer than ``min_cell`` voices lose their figures (the count stays
    hidden too: it would reveal how few people a group has). A cell of no voices keeps its
    0: it names nobody, and its figure was never computed, not hidden."""
    n = pd.to_numeric(frame["n"], errors="coerce")
    small = (n > 0) & (n < min_cell)
    out = frame.copy()
    for column in ("estimate", "se", "ci_low", "ci_high"):
        out[column] = out[column].astype(float).where(~small)
    out["n"] = out["n"].astype(float).where(~small)
    return out


def _computed(frame: pd.DataFrame, left_out: Any) -> list[str]:
    """The methods the table shows, in :data:`~opinion.reports.i18n.METHOD_ORDER`: not those
    the report left out, nor those with no figure in any cell that were not hidden (no
    column says "suppressed" for a figure that was never computed)."""
    dropped = set(left_out) if isinstance(left_out, dict) else set()
    shown = frame["estimate"].notna() | frame["n"].isna()  # a figure, or one hidden
    present = set(frame.loc[shown, "method"].astype(str))
    return [m for m in i18n.METHOD_ORDER if m in present and m not in dropped]


def by_group_view(data: ReportData) -> dict[str, Any] | None:
    """Rows per level, one cell per method, topics in the headline's order; a hidden figure
    shows the suppressed mark, a figure not computed the missing mark."""
    frame = data.by_group
    if frame is None or frame.empty:
        return None
    frame = suppress_by_group(frame, data.min_cell)
    lang = data.lang
    text = i18n.strings(lang)
    methods = _computed(frame, data.notes.get("left_out"))
    if not methods:
        return None
    variable = str(frame["variable"].iloc[0])
    levels = []
    for _level, rows in frame.groupby("level", sort=False):
        label = rows["level_label"].iloc[0]
        topics = []
        for _topic, cells in rows.groupby("topic", sort=False):
            by_method = {c.method: c for c in cells.itertuples()}
            topics.append({
                "label": str(cells["topic_label"].iloc[0]),
                "cells": [_by_group_cell(by_method.get(m), text) for m in methods],
            })
        levels.append({"label": str(label), "topics": topics})
    return {
        "variable": i18n.variable_label(variable, lang),
        "methods": [i18n.method_label(m, lang) for m in methods],
        "levels": levels,
    }


def _by_group_cell(cell: Any, text: Mapping[str, str]) -> str:
    if cell is None:
        return _Safe(text["missing"])
    if pd.notna(cell.estimate):
        return _Safe(fmt_pct(cell.estimate) + " " + fmt_interval(cell.ci_low, cell.ci_high))
    return text["suppressed"] if pd.isna(cell.n) else _Safe(text["missing"])


def plan_view(data: ReportData) -> list[dict[str, str]] | None:
    """The visit plan's rows, as a field coordinator reads them; the half-widths of a cell
    too small to publish show the suppressed mark (:func:`opinion.reports.suppression.suppress_plan`)."""
    if data.plan is None or data.plan.empty:
        return None
    hidden = i18n.strings(data.lang)["suppressed"]
    flags = data.plan.get(PLAN_FLAG, pd.Series(False, index=data.plan.index)).fillna(False).astype(bool)
    return [
        {"cell": str(r.cell), "interviews": str(int(r.interviews)),
         "before": hidden if flag else _Safe(_points(r.half_width_before)),
         "after": hidden if flag else _Safe(_points(r.half_width_after))}
        for r, flag in zip(data.plan.itertuples(), flags, strict=True)
    ]


def _points(value: float) -> str:
    return "—" if pd.isna(value) or value == float("inf") else f"±{100 * value:.1f}"
