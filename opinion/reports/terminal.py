"""The terminal's sections below the topic table (``tongxin report`` without ``--out``)."""
from __future__ import annotations

from typing import Any

from opinion.reports import i18n
from opinion.reports.data import ReportData
from opinion.reports.format import _pad, display_width

__all__ = ["terminal_sections"]


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(_pad(cell, widths[i], right=i > 1) for i, cell in enumerate(r)).rstrip() for r in rows]


def terminal_sections(data: ReportData, view: dict[str, Any]) -> list[str]:
    """What the terminal shows below the topic table: the breakdown by group (``--by``); with
    online voices only, who is speaking, the blind spots, what cannot be corrected and the
    interviews a correction needs; the visit plan when one was asked for."""
    text, scope, lines = view["t"], view["scope"], []
    by_group = view["by_group"]
    if by_group:
        lines += ["", f"{text['by_group']}: {by_group['variable']}"]
        rows = [[text["group"], text["topic"], *map(str, by_group["methods"])]]
        for level in by_group["levels"]:
            rows += [[level["label"], topic["label"], *map(str, topic["cells"])] for topic in level["topics"]]
        lines += _aligned(rows)
    joint = data.notes.get("joint_tables")
    sources = data.notes.get("joint_table_sources")
    if isinstance(joint, dict) and isinstance(sources, list):
        estimated = [f"  {name}: {how}" for (name, how), source in zip(joint.items(), sources, strict=False)
                     if isinstance(source, dict) and source.get("method") != "given"]
        if estimated:
            lines += [f"{i18n.note_label('joint_tables', data.lang)}:", *estimated]
    if scope["mode"] == "online_only":
        lines += ["", text["who_speaks"]]
        # the blend groups (age x urban/rural) when the coverage has them, else every attribute
        joint = [g for g in view["coverage"] if "*" in g["variable"]]
        for group in joint or view["coverage"]:
            lines.append(f"  {group['label']}")
            lines += ["    " + text["who_speaks_line"].format(label=row["label"], population=row["population"],
                                                             online=row["online"], online_n=row["online_n"])
                      for row in group["rows"]]
        if view["blind_spots"]:
            lines += ["", text["blind_spots"], *(f"  {line}" for line in view["blind_spots"])]
    if scope["cannot_correct"]:
        lines += ["", text["cannot"], scope["cannot_correct"]]
    if view["plan"]:
        lines += ["", scope["plan_needed"] or text["plan_intro"]]
        rows = [[text["plan_cell"], text["plan_interviews"], text["plan_before"], text["plan_after"]]]
        rows += [[row["cell"], row["interviews"], str(row["before"]), str(row["after"])] for row in view["plan"]]
        lines += ["  " + line for line in _aligned(rows)]
        if scope["plan_unmet"]:
            lines.append(scope["plan_unmet"])
    return lines
