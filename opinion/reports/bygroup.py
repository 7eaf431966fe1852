"""The "concerns by group" and "where to go next" sections of the report."""
from __future__ import annotations

from typing import Any

import pandas as pd

from opinion.reports import i18n
from opinion.reports.data import ReportData
from opinion.reports.format import _Safe, fmt_interval, fmt_pct

BY_GROUP_COLUMNS = [
    "variable", "level", "level_label", "topic", "topic_label", "method",
    "estimate", "se", "ci_low", "ci_high", "n",
]


def suppress_by_group(frame: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Cells resting on fewer than ``min_cell`` voices lose their figures (the count stays
    hidden too: it would reveal how few people a group has)."""
    small = frame["n"] < min_cell
    out = frame.copy()
    for column in ("estimate", "se", "ci_low", "ci_high"):
        out[column] = out[column].astype(float).where(~small)
    out["n"] = out["n"].astype(float).where(~small)
    return out


def by_group_view(data: ReportData) -> dict[str, Any] | None:
    """Rows per level, one cell per method, topics in the headline's order."""
    frame = data.by_group
    if frame is None or frame.empty:
        return None
    frame = suppress_by_group(frame, data.min_cell)
    lang = data.lang
    methods = [m for m in i18n.METHOD_ORDER if m in set(frame["method"])]
    variable = str(frame["variable"].iloc[0])
    levels = []
    for _level, rows in frame.groupby("level", sort=False):
        label = rows["level_label"].iloc[0]
        topics = []
        for _topic, cells in rows.groupby("topic", sort=False):
            by_method = {c.method: c for c in cells.itertuples()}
            topics.append({
                "label": str(cells["topic_label"].iloc[0]),
                "cells": [
                    _Safe(fmt_pct(by_method[m].estimate) + " " + fmt_interval(by_method[m].ci_low, by_method[m].ci_high))
                    if m in by_method and pd.notna(by_method[m].estimate) else i18n.strings(lang)["suppressed"]
                    for m in methods
                ],
            })
        levels.append({"label": str(label), "topics": topics})
    return {
        "variable": i18n.variable_label(variable, lang),
        "methods": [i18n.method_label(m, lang) for m in methods],
        "levels": levels,
    }


def plan_view(data: ReportData) -> list[dict[str, str]] | None:
    """The visit plan's rows, as a field coordinator reads them."""
    if data.plan is None or data.plan.empty:
        return None
    return [
        {"cell": str(r.cell), "interviews": str(int(r.interviews)),
         "before": _Safe(_points(r.half_width_before)), "after": _Safe(_points(r.half_width_after))}
        for r in data.plan.itertuples()
    ]


def _points(value: float) -> str:
    return "—" if pd.isna(value) or value == float("inf") else f"±{100 * value:.1f}"
