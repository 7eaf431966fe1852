"""The report's tables as files other tools read: CSV or JSON plus a ``datapackage.json``.

The descriptor follows the Frictionless Data Package layout (resources, each with a path,
format and a table schema of typed fields), so a spreadsheet, R, or another platform can
load the files with the right types without guessing. Column names are the stable ones of
:mod:`opinion.reports.data`; small cells are suppressed first (:mod:`opinion.reports.suppression`),
and a suppressed count is an empty value (CSV) or ``null`` (JSON), flagged in the
``*_suppressed`` columns. No free text leaves here: no quotes, no notes prose.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from opinion.errors import InputError
from opinion.reports.bygroup import BY_GROUP_COLUMNS, PLAN_FLAG
from opinion.reports.data import (
    CARRY_COLUMNS,
    COVERAGE_COLUMNS,
    ESTIMATE_COLUMNS,
    KEYWORD_COLUMNS,
    SUPPRESSION_COLUMNS,
    WORD_COLUMNS,
    ReportData,
    _records,
    json_safe,
)
from opinion.reports.suppression import ensure_suppressed

logger = logging.getLogger(__name__)

__all__ = ["FIELDS", "FORMATS", "descriptor", "report_json", "table_frames", "write_tables"]

FORMATS = ("csv", "json")

# Every published column: (Table Schema type, description). One place, so the descriptor
# and the files cannot disagree.
FIELDS: dict[str, tuple[str, str]] = {
    "topic": ("string", "topic code (data/lexicon/topics.yaml)"),
    "topic_label": ("string", "topic name shown to readers"),
    "method": ("string", "estimator: raw, rake, survey, blend, ..."),
    "estimand": ("string", "agenda_share (among people raising a concern) or prevalence (among all)"),
    "estimate": ("number", "share in [0, 1]"),
    "se": ("number", "standard error of the estimate"),
    "ci_low": ("number", "lower end of the 95% interval"),
    "ci_high": ("number", "upper end of the 95% interval"),
    "n": ("integer", "people behind the estimate"),
    "ess": ("number", "effective sample size (Kish)"),
    "variable": ("string", "attribute: age_group, sex, urban, region, or a joint one such as age_group*urban"),
    "level": ("string", "level of the attribute (joint levels joined by *)"),
    "level_label": ("string", "level name shown to readers"),
    "population_share": ("number", "share of the population (census margins)"),
    "online_share": ("number", "share of online voices with a known value; empty when suppressed"),
    "survey_share": ("number", "share of survey respondents with a known value; empty when suppressed"),
    "online_n": ("integer", "online voices; empty when suppressed"),
    "survey_n": ("integer", "survey respondents; empty when suppressed"),
    "blind_spot": ("boolean", "real population share but too few voices in both sources"),
    "online_suppressed": ("boolean", "online count and share hidden (small cell or its complement)"),
    "survey_suppressed": ("boolean", "survey count and share hidden (small cell or its complement)"),
    "word": ("string", "word (jieba token)"),
    "raw_share": ("number", "mean per-voice share of the word, online voices unweighted"),
    "raw_rank": ("integer", "rank by raw_share"),
    "weighted_share": ("number", "mean per-voice share of the word, blended to the population"),
    "weighted_rank": ("integer", "rank by weighted_share"),
    "rank_shift": ("integer", "raw_rank - weighted_rank: > 0 rose once weighted"),
    "group": ("string", "blend group (age_group*urban level)"),
    "group_label": ("string", "group name shown to readers"),
    "online_ess": ("number", "effective sample size of online voices in the group; empty when suppressed"),
    "survey_ess": ("number", "effective sample size of survey respondents in the group; empty when suppressed"),
    "survey_fraction": ("number", "share of the group's figure carried by the survey; empty when suppressed"),
    "score": ("number", "TF-IDF score of the word within the group"),
    "voices": ("integer", "voices in the group using the word"),
    "cell": ("string", "cell to visit (levels of the planning variables)"),
    "interviews": ("integer", "door-to-door interviews recommended in the cell"),
    "half_width_before": ("number", "95% interval half-width of a 50% share in the cell now; empty when suppressed"),
    "half_width_after": ("number", "95% interval half-width of a 50% share after the interviews; empty when suppressed"),
    PLAN_FLAG: ("boolean", "half-widths hidden: they would give back a cell of fewer voices than the smallest shown"),
}
PLAN_COLUMNS = ["cell", "interviews", "half_width_before", "half_width_after"]

_TITLES = {
    "estimates": "Topic estimates with 95% intervals, by method",
    "coverage": "Population vs online vs survey share of each group (the data divide)",
    "words": "Top words, raw vs weighted, with rank shifts",
    "carry": "How much each source carried in the blend, per group",
    "keywords": "Distinctive words per group",
    "plan": "Door-to-door interviews recommended per cell (with online voices only: what a correction needs)",
    "by_group": "Topic estimates with 95% intervals within each level of the --by attribute, by method",
}


def table_frames(data: ReportData) -> list[tuple[str, pd.DataFrame]]:
    """The published tables, suppressed, with their stable columns and typed values."""
    data = ensure_suppressed(data)
    tables = [("estimates", data.estimates, ESTIMATE_COLUMNS),
              ("coverage", data.coverage, COVERAGE_COLUMNS + [c for c in SUPPRESSION_COLUMNS
                                                             if c in data.coverage.columns])]
    if "cells" not in data.notes:  # a report on cells has no words (its provenance says why)
        tables.append(("words", data.words, WORD_COLUMNS))
    if data.by_group is not None:
        left_out = data.notes.get("left_out")
        dropped = list(left_out) if isinstance(left_out, dict) else []  # as in the estimates table
        tables.append(("by_group", data.by_group[~data.by_group["method"].isin(dropped)], BY_GROUP_COLUMNS))
    if data.carry is not None:
        tables.append(("carry", data.carry, CARRY_COLUMNS))
    if data.keywords is not None:
        tables.append(("keywords", data.keywords, KEYWORD_COLUMNS))
    if data.plan is not None:
        tables.append(("plan", data.plan, PLAN_COLUMNS + [c for c in (PLAN_FLAG,) if c in data.plan.columns]))
    frames = []
    for name, frame, columns in tables:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InputError(f"report {name} table lacks columns {missing}; it has {list(frame.columns)}")
        typed = frame[columns].copy()
        for column in columns:
            kind = FIELDS[column][0]
            if kind == "integer":
                typed[column] = pd.to_numeric(typed[column], errors="coerce").round().astype("Int64")
            elif kind == "number":
                typed[column] = pd.to_numeric(typed[column], errors="coerce").astype(float)
            elif kind == "boolean":
                typed[column] = typed[column].map(lambda v: None if pd.isna(v) else bool(v)).astype("boolean")
        frames.append((name, typed))
    return frames


def descriptor(data: ReportData, resources: list[tuple[str, pd.DataFrame]], fmt: str) -> dict[str, Any]:
    """The ``datapackage.json`` content describing ``resources`` written as ``fmt``."""
    notes = data.notes
    return {
        "profile": "tabular-data-package",
        "name": "tongxin-report",
        "title": data.title,
        "resources": [{
            "profile": "tabular-data-resource",
            "name": name,
            "path": f"{name}.{fmt}",
            "title": _TITLES.get(name, name),
            "format": fmt,
            "mediatype": "text/csv" if fmt == "csv" else "application/json",
            "encoding": "utf-8",
            "schema": {
                "fields": [{"name": c, "type": FIELDS[c][0], "description": FIELDS[c][1]} for c in frame.columns],
                "missingValues": [""],
            },
        } for name, frame in resources],
        # Provenance beside the data (a custom property, which Data Packages allow).
        "provenance": {
            **{key: notes[key] for key in ("version", "seed", "replicates", "inputs", "suppression",
                                           "weighting_variables", "blend_groups") if key in notes},
            **({"coding": _coding_figures(notes["coding"])} if isinstance(notes.get("coding"), dict) else {}),
            **_scope_figures(data),
        },
    }


def _scope_figures(data: ReportData) -> dict[str, Any]:
    """What the figures could rest on: the sources in the store (``both``, ``online_only``,
    ``survey_only``), whether they are corrected, the methods left out (with why), the joint
    population tables given or estimated (and from what), and the visit plan's aim."""
    notes = data.notes
    figures: dict[str, Any] = {"sources": data.mode, "corrected": data.mode != "online_only"}
    for key, name in (("left_out", "left_out"), ("joint_table_sources", "joint_tables"), ("visit_plan", "visit_plan"),
                      ("cells", "cells"), ("convergence", "convergence")):
        if key in notes:
            figures[name] = notes[key]
    return figures


def _coding_figures(coding: dict[str, Any]) -> dict[str, Any]:
    """What the topic figures rest on, without prose: voices coded to no topic, voices coded
    by a person, and the coder's precision and recall per topic against that person."""
    return {key: coding[key] for key in ("voices", "uncoded", "hand_coded", "sample", "changed_after_draw", "accuracy")
            if key in coding}


def write_tables(data: ReportData, out_dir: str | Path, fmt: str = "csv") -> list[Path]:
    """Write each table as ``NAME.csv`` (UTF-8, no BOM) or ``NAME.json`` (an array of row
    objects), then ``datapackage.json`` describing them; returns the paths written."""
    if fmt not in FORMATS:
        raise InputError(f"table format {fmt!r} is not supported: use one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames = table_frames(data)
    paths = []
    for name, frame in frames:
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False, encoding="utf-8")
        else:
            path.write_text(json.dumps(_records(frame), ensure_ascii=False, indent=1, allow_nan=False),
                            encoding="utf-8")
        paths.append(path)
    package = out / "datapackage.json"
    package.write_text(json.dumps(json_safe(descriptor(ensure_suppressed(data), frames, fmt)), ensure_ascii=False,
                                  indent=2, default=str, allow_nan=False) + "\n", encoding="utf-8")
    paths.append(package)
    logger.info("wrote %d report tables and datapackage.json to %s", len(frames), out)
    return paths


def report_json(data: ReportData) -> str:
    """The report's tables and provenance as JSON for other tools (no free text, no quotes),
    small cells suppressed."""
    data = ensure_suppressed(data)
    payload = {
        "title": data.title,
        "lang": data.lang,
        "estimates": _records(data.estimates),
        "coverage": _records(data.coverage),
        "words": _records(data.words),
        "carry": _records(data.carry),
        "truth": _records(data.truth),
        "keywords": _records(data.keywords),
        "plan": _records(data.plan),
        "scope": _scope_figures(data),
        "notes": data.notes,
    }
    return json.dumps(json_safe(payload), ensure_ascii=False, indent=2, default=str, allow_nan=False)
