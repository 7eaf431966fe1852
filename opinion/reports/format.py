"""How report numbers and untrusted text become text: one place, shared by every format.

Percent with one decimal, 95% intervals in brackets, counts as whole numbers; Markdown
escaping for data text; terminal widths for Chinese characters.
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import pandas as pd


class _Safe(str):
    """Text produced here (formatted numbers) that needs no Markdown escaping."""


# --- formatting: the only place numbers become text ---------------------------------------

def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def fmt_pct(value: Any) -> str:
    """``0.321`` -> ``32.1%``; tiny non-zero shares show as ``<0.1%`` rather than ``0.0%``."""
    x = _num(value)
    if math.isnan(x):
        return _Safe("\u2014")
    if 0 < abs(x) < 0.0005:
        return _Safe("<0.1%")
    return _Safe(f"{x * 100:.1f}%")


def fmt_interval(low: Any, high: Any) -> str:
    """``[28.0, 36.2]`` in percent; ``[—]`` when the interval is unknown, so a bare number
    never passes for a certain one."""
    lo, hi = _num(low), _num(high)
    if math.isnan(lo) or math.isnan(hi):
        return _Safe("[\u2014]")
    return _Safe(f"[{lo * 100:.1f}, {hi * 100:.1f}]")


def fmt_count(value: Any) -> str:
    x = _num(value)
    return _Safe("\u2014" if math.isnan(x) else f"{x:.0f}")


def fmt_shift(value: Any) -> str:
    """Rank shift as a mark: ``↑3`` rose three places once weighted, ``↓2`` fell, ``=`` same."""
    x = _num(value)
    if math.isnan(x):
        return _Safe("\u2014")
    if x > 0:
        return _Safe(f"\u2191{x:.0f}")
    if x < 0:
        return _Safe(f"\u2193{-x:.0f}")
    return _Safe("=")


def _estimate_cell(row: pd.Series) -> dict[str, str]:
    interval = fmt_interval(row["ci_low"], row["ci_high"])
    estimate = fmt_pct(row["estimate"])
    return {
        "estimate": estimate,
        "interval": interval,
        "text": _Safe(f"{estimate} {interval}"),
        "n": fmt_count(row["n"]),
        "ess": fmt_count(row["ess"]),
    }


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&])")


def md_escape(value: Any) -> str:
    """Markdown-escape one piece of text so it shows as typed and cannot become markup,
    a link or a table cell break; newlines become spaces (they would end a table row)."""
    if isinstance(value, _Safe):
        return value
    text = "" if value is None else str(value)
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(width - display_width(text), 0)
    return fill + text if right else text + fill
