"""What a report is made of: tables computed by the pipeline, rendered by :mod:`opinion.reports.render`.

Keeping the data separate from the rendering lets the HTML, Markdown, CSV and terminal
outputs show exactly the same numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from opinion.text.keywords import KEYWORD_COLUMNS

__all__ = [
    "CARRY_COLUMNS", "COVERAGE_COLUMNS", "ESTIMATE_COLUMNS", "KEYWORD_COLUMNS", "SUPPRESSION_COLUMNS",
    "WORD_COLUMNS", "ReportData",
]

ESTIMATE_COLUMNS = [
    "topic", "topic_label", "method", "estimand", "estimate", "se", "ci_low", "ci_high", "n", "ess",
]
COVERAGE_COLUMNS = [
    "variable", "level", "level_label", "population_share", "online_share", "survey_share",
    "online_n", "survey_n", "blind_spot",
]
WORD_COLUMNS = ["word", "raw_share", "raw_rank", "weighted_share", "weighted_rank", "rank_shift"]
# Added to the coverage table by small-cell suppression (opinion.reports.suppression): True where the
# count and share of that source were hidden.
SUPPRESSION_COLUMNS = ["online_suppressed", "survey_suppressed"]
CARRY_COLUMNS = ["group", "group_label", "population_share", "online_ess", "survey_ess", "survey_fraction"]


@dataclass
class ReportData:
    """Everything one report shows.

    - ``estimates``: one row per topic x method (``ESTIMATE_COLUMNS``); shares in [0, 1],
      ``estimand`` is ``agenda_share`` or ``prevalence``.
    - ``coverage``: population vs online vs survey share per level of each attribute
      (``COVERAGE_COLUMNS``); ``blind_spot`` marks levels with a real population share and
      too few voices in both sources.
    - ``words``: top words, raw vs weighted (``WORD_COLUMNS``); ``rank_shift`` > 0 means the
      word rose once the missing groups count.
    - ``carry``: per blend group, how much each source carried (``CARRY_COLUMNS``).
    - ``truth``: optional known population shares (the demo's), columns ``topic, share``.
    - ``quotes``: topic -> a few masked example texts (untrusted: always escaped).
    - ``keywords``: per group (a level of an attribute), its most distinctive words by TF-IDF
      with the number of voices using each (``KEYWORD_COLUMNS``); None when not computed.
    - ``headline``: the corrected method shown first and used to sort topics.
    - ``mode``: the sources the store holds (``both``, ``online_only``, ``survey_only``); with
      one missing the report leads with what it can say (:mod:`opinion.reports.scope`).
    - ``min_cell``: group cells with fewer voices are hidden (with complementary cells) by
      :func:`opinion.reports.suppression.ensure_suppressed` before any format renders.
    - ``notes``: provenance of the run (counts, sources, dates, methods, convergence,
      design effects, seed, version, input hashes).
    """

    title: str
    estimates: pd.DataFrame
    coverage: pd.DataFrame
    words: pd.DataFrame
    carry: pd.DataFrame | None = None
    truth: pd.DataFrame | None = None
    quotes: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    lang: str = "zh"
    headline: str = "blend"  # the corrected method whose figures lead the report
    keywords: pd.DataFrame | None = None  # KEYWORD_COLUMNS: distinctive words per group
    by_group: pd.DataFrame | None = None  # opinion.reports.bygroup.BY_GROUP_COLUMNS, with --by
    plan: pd.DataFrame | None = None  # cell, interviews, half_width_before, half_width_after (with --budget)
    min_cell: int = 5  # group cells with fewer voices are suppressed before any output
    mode: str = "both"  # sources in the store: both, online_only or survey_only (opinion.reports.scope)


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]] | None:
    if frame is None:
        return None
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: json_safe(v) for k, v in row.items()} for row in clean.to_dict("records")]


def json_safe(value: Any) -> Any:
    """``value`` with every number a JSON number: NumPy scalars as Python ones, and NaN and
    infinities (an empty cell's half-width) as None, since JSON has no such numbers and
    ``json.dumps`` would write ``NaN``/``Infinity``, which other tools refuse. Dicts, lists
    and tuples are walked."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, TypeError):  # an array of more than one element: a list
            value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value
