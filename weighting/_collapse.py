"""Collapsing sparse post-stratification cells by a fixed, documented rule.

Rule: cells are grouped by the levels of every variable except the collapse variable
(e.g. ``sex*urban`` when collapsing ``age_group``). Within each group the collapse
variable's levels are taken in the order the margins list them (so age groups stay
adjacent), and each run of cells is extended with the next level until its sample
count reaches ``min_cell_size``; a short run left at the end joins the run before it.
A group whose whole sample is below the minimum cannot be collapsed this way and is an
error. The result is the same for the same inputs, whatever the row order.
"""
from __future__ import annotations

import numpy as np

from weighting._sample import show
from weighting.errors import WeightingError
from weighting.margins import JOINT_SEP


def collapse_cells(
    levels: list[str], columns: list[str], counts: np.ndarray, targets: np.ndarray,
    collapse: str, min_cell_size: int,
) -> tuple[np.ndarray, list[str]]:
    """A merged-cell id per cell (``levels`` are joint ``a*b`` labels in margin order) and
    one message per merge."""
    if collapse not in columns:
        raise WeightingError(
            f"collapse={collapse!r} is not one of the post-stratification variables "
            f"({', '.join(columns)})"
        )
    pos = columns.index(collapse)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, level in enumerate(levels):
        parts = level.split(JOINT_SEP)
        groups.setdefault(tuple(p for k, p in enumerate(parts) if k != pos), []).append(i)
    merged = np.arange(len(levels))
    report: list[str] = []
    for key, members in groups.items():
        members = [i for i in members if counts[i] > 0 or targets[i] > 0]
        runs: list[list[int]] = []
        current: list[int] = []
        for i in members:
            current.append(i)
            if counts[current].sum() >= min_cell_size:
                runs.append(current)
                current = []
        if current:
            if not runs:
                where = ", ".join(f"{c}={v}" for c, v in zip(
                    [c for c in columns if c != collapse], key, strict=True)) or "(all)"
                raise WeightingError(
                    f"cannot collapse {collapse!r} within {where}: its {int(counts[current].sum())} "
                    f"sample unit(s) are fewer than min_cell_size={min_cell_size} over all its "
                    "levels; post-stratify on fewer variables or lower min_cell_size"
                )
            runs[-1].extend(current)
        for run in runs:
            merged[run] = run[0]
            if len(run) > 1:
                names = [levels[i].split(JOINT_SEP)[pos] for i in run]
                where = ", ".join(f"{c}={v}" for c, v in zip(
                    [c for c in columns if c != collapse], key, strict=True))
                report.append(
                    f"{where + ': ' if where else ''}{collapse} "
                    f"{show([f'{n} (n={int(counts[i])})' for n, i in zip(names, run, strict=True)], 20, quote=False)}"
                    " merged"
                )
    return merged, report
