"""Render a :class:`~opinion.reports.data.ReportData` as what people read: one offline HTML
file, Markdown, CSV tables, or a compact terminal table.

Nothing here computes a statistic: every number shown is one of the table's, formatted
(percent with one decimal, 95% interval in brackets, n and effective sample size beside it
so no figure looks more certain than it is). All text that comes from data (topic labels,
quotes, words, notes) is escaped: HTML through Jinja2's autoescape, Markdown through an
escaping ``finalize`` hook that plays the same role. The HTML carries no JavaScript and
loads nothing from anywhere: CSS is inline and charts are inline SVG.
"""
from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from opinion.errors import InputError
from opinion.reports import charts, datapackage, i18n
from opinion.reports.bygroup import by_group_view, plan_view
from opinion.reports.data import (
    CARRY_COLUMNS,
    COVERAGE_COLUMNS,
    ESTIMATE_COLUMNS,
    KEYWORD_COLUMNS,
    WORD_COLUMNS,
    ReportData,
)
from opinion.reports.format import (
    _estimate_cell,
    _num,
    _pad,
    _Safe,
    display_width,
    fmt_count,
    fmt_pct,
    fmt_shift,
    md_escape,
)
from opinion.reports.scope import scope_view
from opinion.reports.suppression import ensure_suppressed
from opinion.reports.terminal import terminal_sections

logger = logging.getLogger(__name__)

__all__ = ["render_html", "render_markdown", "summary_table", "write_tables"]

QUOTES_PER_TOPIC = 3
QUOTE_CHARS = 120
HEADLINE_ESTIMAND = "agenda_share"


# --- validation, once, at the boundary ----------------------------------------------------

def _require(frame: Any, columns: list[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"report {name} table must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"report {name} table lacks columns {missing}; it has {list(frame.columns)} "
                         f"(expected {columns})")


def _validate(data: ReportData) -> None:
    i18n.check_lang(data.lang)
    _require(data.estimates, ESTIMATE_COLUMNS, "estimates")
    keys = data.estimates[["topic", "method", "estimand"]].astype(str)
    duplicated = keys[keys.duplicated()]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        raise InputError(f"report estimates table has {len(duplicated)} repeated topic x method x estimand "
                         f"rows, e.g. {first['topic']!r} {first['method']!r} {first['estimand']!r}: "
                         "keep one row per combination")
    _require(data.coverage, COVERAGE_COLUMNS, "coverage")
    _require(data.words, WORD_COLUMNS, "words")
    if data.carry is not None:
        _require(data.carry, CARRY_COLUMNS, "carry")
    if data.truth is not None:
        _require(data.truth, ["topic", "share"], "truth")
    if data.keywords is not None:
        _require(data.keywords, KEYWORD_COLUMNS, "keywords")


# --- what the report shows, independent of the output format -----------------------------

def headline_method(estimates: pd.DataFrame, preferred: str = "blend") -> str | None:
    """The corrected method whose figures lead the report: ``preferred`` when present, else
    the first corrected method in :data:`opinion.reports.i18n.METHOD_ORDER`; None if only raw exists."""
    corrected = sorted({str(m) for m in estimates["method"]} - {"raw"}, key=i18n.method_sort_key)
    if preferred in corrected:
        return preferred
    return corrected[0] if corrected else None


def _ordered_topics(rows: pd.DataFrame, corrected: str | None) -> list[str]:
    """Topics sorted by how far correction moved them (|corrected - raw|), largest first;
    topics lacking either figure go last, largest share first (corrected, else raw)."""
    def value(topic: str, method: str | None) -> float:
        hit = rows.loc[(rows["topic"].astype(str) == topic) & (rows["method"] == method), "estimate"]
        return _num(hit.iloc[0]) if not hit.empty else math.nan

    def key(topic: str) -> tuple[bool, float, float, str]:
        gap = abs(value(topic, corrected) - value(topic, "raw"))
        lead = value(topic, corrected)
        lead = value(topic, "raw") if math.isnan(lead) else lead
        return (math.isnan(gap), 0.0 if math.isnan(gap) else -gap, 0.0 if math.isnan(lead) else -lead,
                labels.get(topic, topic))

    labels = _topic_labels(rows)
    return sorted(dict.fromkeys(str(t) for t in rows["topic"]), key=key)


def _topic_labels(estimates: pd.DataFrame) -> dict[str, str]:
    labels: dict[str, str] = {}
    for topic, label in zip(estimates["topic"], estimates["topic_label"], strict=True):
        labels.setdefault(str(topic), str(label) if isinstance(label, str) and label else str(topic))
    return labels


def _estimand_blocks(data: ReportData, with_charts: bool) -> list[dict[str, Any]]:
    lang, estimates = data.lang, data.estimates
    estimands = list(dict.fromkeys(str(e) for e in estimates["estimand"]))
    estimands.sort(key=lambda e: e != HEADLINE_ESTIMAND)
    blocks = []
    for estimand in estimands:
        rows = estimates[estimates["estimand"].astype(str) == estimand]
        # With online voices only the raw shares lead: nothing corrects them (opinion.reports.scope).
        corrected = None if data.headline == "raw" else headline_method(rows, data.headline)
        topics = _ordered_topics(rows, corrected)
        methods = sorted({str(m) for m in rows["method"]}, key=i18n.method_sort_key)
        labels = _topic_labels(rows)
        table = []
        for topic in topics:
            cells = []
            for method in methods:
                hit = rows[(rows["topic"].astype(str) == topic) & (rows["method"].astype(str) == method)]
                cells.append(_estimate_cell(hit.iloc[0]) if not hit.empty else None)
            table.append({"topic": topic, "label": labels[topic], "cells": cells})
        chart = None
        if with_charts and not rows.empty:
            ordered = rows.assign(_order=rows["topic"].astype(str).map(topics.index)).sort_values(
                "_order", kind="stable")
            chart = Markup(_inline_svg(charts.estimates_chart(ordered.drop(columns="_order"), lang)))
        blocks.append({
            "estimand": estimand,
            "label": i18n.estimand_label(estimand, lang),
            "definition": i18n.estimand_definition(estimand, lang, both_sources=data.mode == "both"),
            "corrected": corrected,
            "sorted": corrected is not None and "raw" in methods,
            "corrected_label": i18n.method_label(corrected, lang) if corrected else None,
            "methods": [{"code": m, "label": i18n.method_label(m, lang)} for m in methods],
            "rows": table,
            "chart": chart,
        })
    return blocks


def _inline_svg(svg: str) -> str:
    """Drop namespace declarations: inline SVG in HTML needs none, and the page then names
    no outside address at all."""
    return re.sub(r'\s+xmlns(?::\w+)?="[^"]*"', "", svg, count=3)


def _coverage(data: ReportData) -> tuple[list[dict[str, Any]], list[str]]:
    lang, text = data.lang, i18n.strings(data.lang)
    groups: list[dict[str, Any]] = []
    blind: list[str] = []
    for _, row in data.coverage.iterrows():
        variable = str(row["variable"])
        given = row["level_label"]
        label = given if isinstance(given, str) and given else i18n.level_label(variable, str(row["level"]), lang)
        flag = row["blind_spot"]
        is_blind = bool(flag) and not pd.isna(flag)
        if not groups or groups[-1]["variable"] != variable:
            groups.append({"variable": variable, "label": i18n.variable_label(variable, lang), "rows": []})
        shown = {}
        for source in ("online", "survey"):
            hidden = bool(row.get(f"{source}_suppressed", False) is True)
            shown[source] = _Safe(text["suppressed"]) if hidden else fmt_pct(row[f"{source}_share"])
            shown[f"{source}_n"] = _Safe(text["suppressed"]) if hidden else fmt_count(row[f"{source}_n"])
        groups[-1]["rows"].append({
            "label": label,
            "population": fmt_pct(row["population_share"]),
            **shown,
            "blind_spot": is_blind,
        })
        if is_blind:
            blind.append(text["blind_spot_line"].format(
                label=label, population=fmt_pct(row["population_share"]),
                online_n=shown["online_n"], survey_n=shown["survey_n"]))
    return groups, blind


def _carry(data: ReportData) -> list[dict[str, str]] | None:
    if data.carry is None or data.carry.empty:
        return None
    hidden = _Safe(i18n.strings(data.lang)["suppressed"])
    return [{
        "label": str(row["group_label"]) if isinstance(row["group_label"], str) and row["group_label"]
        else str(row["group"]),
        "population": fmt_pct(row["population_share"]),
        "online_ess": hidden if pd.isna(row["online_ess"]) else fmt_count(row["online_ess"]),
        "survey_ess": hidden if pd.isna(row["survey_ess"]) else fmt_count(row["survey_ess"]),
        "survey_fraction": hidden if pd.isna(row["survey_fraction"]) else fmt_pct(row["survey_fraction"]),
    } for _, row in data.carry.iterrows()]


def _words(data: ReportData) -> list[dict[str, str]]:
    words = data.words.assign(_rank=data.words["weighted_rank"].map(_num)).sort_values(
        "_rank", kind="stable", na_position="last")
    return [{
        "word": str(row["word"]),
        "raw_rank": fmt_count(row["raw_rank"]), "raw_share": fmt_pct(row["raw_share"]),
        "weighted_rank": fmt_count(row["weighted_rank"]), "weighted_share": fmt_pct(row["weighted_share"]),
        "shift": fmt_shift(row["rank_shift"]),
        "direction": "up" if _num(row["rank_shift"]) > 0 else "down" if _num(row["rank_shift"]) < 0 else "",
    } for _, row in words.iterrows()]


def _truth(data: ReportData, block: dict[str, Any] | None) -> dict[str, Any] | None:
    if data.truth is None or block is None:
        return None
    text = i18n.strings(data.lang)
    known = {str(t): s for t, s in zip(data.truth["topic"], data.truth["share"], strict=True)}
    rows = data.estimates[data.estimates["estimand"].astype(str) == block["estimand"]]
    counts = {m["code"]: [0, 0] for m in block["methods"]}
    table = []
    for entry in block["rows"]:
        if entry["topic"] not in known:
            continue
        share = _num(known[entry["topic"]])
        cells: list[dict[str, Any] | None] = []
        for method in block["methods"]:
            hit = rows[(rows["topic"].astype(str) == entry["topic"]) & (rows["method"].astype(str) == method["code"])]
            if hit.empty:
                cells.append(None)
                continue
            low, high = _num(hit.iloc[0]["ci_low"]), _num(hit.iloc[0]["ci_high"])
            covers: bool | None = None if math.isnan(low) or math.isnan(high) or math.isnan(share) \
                else low <= share <= high
            if covers is not None:
                counts[method["code"]][1] += 1
                counts[method["code"]][0] += int(covers)
            cell: dict[str, Any] = _estimate_cell(hit.iloc[0])
            cell["covers"] = covers
            cell["covers_text"] = text["missing"] if covers is None else text["yes"] if covers else text["no"]
            cells.append(cell)
        table.append({"label": entry["label"], "known": fmt_pct(share), "cells": cells})
    return {"methods": block["methods"], "rows": table,
            "counts": [_Safe(f"{counts[m['code']][0]}/{counts[m['code']][1]}") for m in block["methods"]]}


def _plain(value: Any, lang: str) -> str:
    """Any note value as one line of text (escaped later like all data text)."""
    text = i18n.strings(lang)
    if value is None:
        return text["missing"]
    if isinstance(value, bool):
        return text["yes"] if value else text["no"]
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return "; ".join(f"{i18n.note_key_label(str(k), lang)}: {_plain(v, lang)}" for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_plain(v, lang) for v in value)
    return str(value)


def _notes(data: ReportData) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Known provenance keys, each in its own shape, then any other keys generically."""
    lang, notes = data.lang, data.notes
    given = notes.get("left_out")
    left_out: dict[str, Any] = given if isinstance(given, dict) else {}
    blended = "blend" in set(data.estimates["method"].astype(str))
    known: list[dict[str, Any]] = []
    for key in i18n.KNOWN_NOTES:
        if key not in notes or _says_nothing(key, notes[key]) or (key in _ABOUT_THE_BLEND and not blended):
            continue
        value = notes[key]
        if key in _PER_METHOD and isinstance(value, dict):  # methods left out are named once, with why
            value = {m: v for m, v in value.items() if m not in left_out}
            if not value:
                continue
        entry: dict[str, Any] = {"key": key, "label": i18n.note_label(key, lang)}
        if key == "unknown" and isinstance(value, dict):
            entry.update(kind="pairs", value=[(i18n.variable_label(str(k), lang), _plain(v, lang))
                                              for k, v in value.items()])
        elif key in ("method_notes", "convergence", "left_out") and isinstance(value, dict):
            entry.update(kind="pairs", value=[(i18n.method_label(str(k), lang), _plain(v, lang))
                                              for k, v in value.items()])
        elif key in ("deff", "ess") and isinstance(value, dict):
            digits = 2 if key == "deff" else 1
            entry.update(kind="pairs", value=[(i18n.method_label(str(k), lang), f"{_num(v):,.{digits}f}"
                                               if not math.isnan(_num(v)) else _plain(v, lang))
                                              for k, v in value.items()])
        elif key == "not_estimable" and isinstance(value, dict):
            entry.update(kind="pairs", value=[(i18n.method_label(str(k), lang), _plain(v, lang))
                                              for k, v in value.items()])
        elif key in ("weighting_variables", "blend_groups") and isinstance(value, (list, tuple)):
            entry.update(kind="text", value=("、" if lang == "zh" else ", ").join(
                i18n.variable_label(str(v), lang) for v in value))
        elif key == "parameters" and isinstance(value, dict):  # as typed on the command line
            entry.update(kind="pairs", value=[(str(k), _plain(v, lang)) for k, v in value.items()])
        elif key == "coding" and isinstance(value, dict):
            entry.update(kind="pairs", value=i18n.coding_lines(value, lang))
        elif key == "inputs" and isinstance(value, dict):
            entry.update(kind="hashes", value=[(str(k), str(v)) for k, v in value.items()])
        elif key == "sources" and isinstance(value, (list, tuple)):
            entry.update(kind="list", value=[_plain(v, lang) for v in value])
        elif key == "crawl_dates" and isinstance(value, (list, tuple)) and len(value) == 2:
            entry.update(kind="text", value=f"{value[0]} \u2013 {value[1]}")
        elif isinstance(value, dict):
            entry.update(kind="pairs", value=[(i18n.note_key_label(str(k), lang), _plain(v, lang))
                                              for k, v in value.items()])
        else:
            entry.update(kind="text", value=f"{value:.2f}" if key == "deff" and isinstance(value, float)
                         else _plain(value, lang))
        known.append(entry)
    other = []
    for key, value in notes.items():
        if key in i18n.KNOWN_NOTES or key in _SHOWN_ELSEWHERE:
            continue
        if isinstance(value, dict):
            other.append({"label": str(key), "kind": "pairs",
                          "value": [(str(k), _plain(v, lang)) for k, v in value.items()]})
        else:
            other.append({"label": str(key), "kind": "text", "value": _plain(value, lang)})
    return known, other


# Notes keyed by method: a method left out of the report is named once, under left_out, with why.
_PER_METHOD = ("deff", "ess", "not_estimable", "method_notes", "convergence")

# Notes on how the blend was done: shown only when the report has a blend.
_ABOUT_THE_BLEND = ("blend_mix", "blend_groups")


def _says_nothing(key: str, value: Any) -> bool:
    """A note with nothing in it: empty, or a comparison of the sources that compared nothing
    (a store with one source)."""
    if value is None or (isinstance(value, (str, list, tuple, dict)) and not value):
        return True
    return key == "source_agreement" and isinstance(value, dict) and not value.get("comparisons")

# Notes the report shows in their own place (or, as data, only in the CSV/JSON outputs).
_SHOWN_ELSEWHERE = ("mode", "joint_table_sources", "visit_plan", "cannot_correct", "cells")


def _quotes(data: ReportData, order: list[str]) -> list[dict[str, Any]]:
    labels = _topic_labels(data.estimates)
    topics = [t for t in order if t in data.quotes] + sorted(t for t in data.quotes if t not in order)
    result = []
    for topic in topics:
        texts = []
        for quote in list(data.quotes[topic])[:QUOTES_PER_TOPIC]:
            flat = " ".join(str(quote).split())
            texts.append(flat if len(flat) <= QUOTE_CHARS else flat[:QUOTE_CHARS - 1].rstrip() + "\u2026")
        if texts:
            result.append({"label": labels.get(topic, topic), "texts": texts})
    return result


def _keywords(data: ReportData) -> list[dict[str, Any]] | None:
    """Distinctive words per group, groups in coverage order, best-scoring words first."""
    if data.keywords is None or data.keywords.empty:
        return None
    lang, frame = data.lang, data.keywords
    order = {(str(v), str(lv)): i
             for i, (v, lv) in enumerate(zip(data.coverage["variable"], data.coverage["level"], strict=True))}
    frame = frame.assign(_order=[order.get((str(v), str(lv)), len(order)) for v, lv in
                                 zip(frame["variable"], frame["level"], strict=True)],
                         _score=frame["score"].map(_num))
    frame = frame.sort_values(["_order", "variable", "level", "_score"], ascending=[True, True, True, False],
                              kind="stable")
    groups: list[dict[str, Any]] = []
    for (variable, level), rows in frame.groupby(["variable", "level"], sort=False):
        given = rows["level_label"].iloc[0]
        label = given if isinstance(given, str) and given else i18n.level_label(str(variable), str(level), lang)
        groups.append({
            "variable": i18n.variable_label(str(variable), lang),
            "label": label,
            "words": [{"word": str(r["word"]), "score": _Safe(f"{_num(r['score']):.3f}"),
                       "voices": fmt_count(r["voices"])} for _, r in rows.iterrows()],
        })
    return groups


def _view(data: ReportData, with_charts: bool) -> dict[str, Any]:
    _validate(data)
    data = ensure_suppressed(data)
    lang = data.lang
    blocks = _estimand_blocks(data, with_charts)
    headline = blocks[0] if blocks else None
    coverage, blind = _coverage(data)
    notes, other_notes = _notes(data)
    coverage_svg = None
    if with_charts and not data.coverage.empty:
        coverage_svg = Markup(_inline_svg(charts.coverage_chart(data.coverage, lang)))
    # the carry section says how the blend actually mixed the sources, the plan what it started from
    texts = {**i18n.strings(lang), "carry_intro": i18n.carry_intro(i18n.blend_mix_code(data.notes.get("blend_mix")), lang)}
    if data.mode == "online_only":
        texts["plan_intro"] = texts["plan_intro_online"]
        texts["blind_spots"] = texts["blind_spots_online"]
    return {
        "t": texts,
        "lang": lang,
        "title": data.title,
        "blocks": blocks,
        "headline": headline,
        "coverage": coverage,
        "coverage_chart": coverage_svg,
        "blind_spots": blind,
        "carry": _carry(data),
        "words": _words(data),
        "keywords": _keywords(data),
        "by_group": by_group_view(data),
        "plan": plan_view(data),
        "min_cell": data.min_cell,
        "truth": _truth(data, headline),
        "notes": notes,
        "other_notes": other_notes,
        "quotes": _quotes(data, [r["topic"] for r in headline["rows"]] if headline else []),
        "scope": scope_view(data),
        "cells_note": _cells_note(data),
    }


def _cells_note(data: ReportData) -> str | None:
    """What a report on cells rests on and leaves out (:mod:`opinion.reports.cellpath`)."""
    note = data.notes.get("cells")
    return str(note["text"]) if isinstance(note, dict) and note.get("text") else None


# --- output formats -----------------------------------------------------------------------

def _environment(markdown: bool) -> jinja2.Environment:
    loader = jinja2.PackageLoader("opinion.reports", "templates")
    if markdown:
        return jinja2.Environment(loader=loader, autoescape=False, finalize=md_escape,
                                  undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                  keep_trailing_newline=True)
    return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page: inline CSS and SVG charts, no script,
    nothing fetched, so it opens offline and can be mailed as a single file."""
    html = _environment(markdown=False).get_template("report.html.j2").render(**_view(data, with_charts=True))
    logger.debug("rendered HTML report %r (%d characters)", data.title, len(html))
    return html


def render_markdown(data: ReportData) -> str:
    """The report's content as Markdown tables (no charts), every piece of data text escaped."""
    return _environment(markdown=True).get_template("report.md.j2").render(**_view(data, with_charts=False))


def write_tables(data: ReportData, out_dir: str | Path, fmt: str = "csv") -> list[Path]:
    """Write the report's tables (CSV or JSON) and ``datapackage.json`` describing them,
    with the stable column names of :mod:`opinion.reports.data`; small cells suppressed."""
    _validate(data)
    return datapackage.write_tables(data, out_dir, fmt)


def summary_table(data: ReportData) -> str:
    """A compact fixed-width table for the terminal: each topic's headline-estimand figure by
    method (``32.1% [28.0, 36.2]``), the truth when known, and the n/ess ranges below."""
    view = _view(data, with_charts=False)
    text, block = view["t"], view["headline"]
    if block is None:
        return ""
    truth = {}
    if data.truth is not None:
        truth = {str(t): fmt_pct(s) for t, s in zip(data.truth["topic"], data.truth["share"], strict=True)}
    header = [text["topic"]] + [m["label"] for m in block["methods"]] + ([text["known_share"]] if truth else [])
    body = []
    for row in block["rows"]:
        cells = [c["text"] if c else text["missing"] for c in row["cells"]]
        body.append([row["label"]] + cells + ([truth.get(row["topic"], text["missing"])] if truth else []))
    widths = [max(display_width(r[i]) for r in [header] + body) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, widths[i], right=i > 0) for i, cell in enumerate(r)) for r in [header] + body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    rows = data.estimates[data.estimates["estimand"].astype(str) == block["estimand"]]
    sizes = []
    for method in block["methods"]:
        per = rows[rows["method"].astype(str) == method["code"]]
        parts = []
        for column in ("n", "ess"):
            values = per[column].map(_num).dropna()
            if not values.empty:
                low, high = fmt_count(values.min()), fmt_count(values.max())
                parts.append(f"{column}={low}" if low == high else f"{column}={low}\u2013{high}")
        sizes.append(f"{method['label']} {' '.join(parts)}".strip())
    coding = data.notes.get("coding")
    coding_text = [f"{label}: {value}" for label, value in i18n.coding_lines(coding, data.lang)[:2]] \
        if isinstance(coding, dict) else []
    scope = view["scope"]
    lead = [scope["heading"], scope["main"]] if scope["main"] else []
    left = [scope["left_out"]] if scope["left_out"] else []
    return "\n".join([*lead, f"{block['label']}: {block['definition']}", *lines, text["interval_note"],
                      "; ".join(sizes), *left, *coding_text, *terminal_sections(data, view)]) + "\n"

