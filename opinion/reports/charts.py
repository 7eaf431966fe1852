"""Charts for reports, as SVG text that can be inlined in one offline HTML file.

Text stays text (``svg.fonttype = none``): Chinese labels are ``<text>`` elements drawn with
the reader's own fonts, so the report needs no embedded font and stays searchable and
copyable. Figures are built with :class:`matplotlib.figure.Figure` directly (never pyplot),
so rendering leaves no global state behind and is safe inside a long-running process.
"""
from __future__ import annotations

import io
import logging
import math
import re
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

from opinion.errors import InputError
from opinion.reports import i18n

logger = logging.getLogger(__name__)

__all__ = ["coverage_chart", "estimates_chart", "METHOD_COLOURS"]

# Okabe-Ito colours (readable with colour-blindness), one per method; blend, the headline
# corrected figure, gets the strongest one.
METHOD_COLOURS: dict[str, str] = {
    "raw": "#7F7F7F",
    "poststrat": "#E69F00",
    "rake": "#56B4E9",
    "pseudo": "#CC79A7",
    "mrp": "#999933",
    "survey": "#009E73",
    "blend": "#D55E00",
}
_EXTRA_COLOURS = ("#0072B2", "#332288", "#882255", "#44AA99")
_MARKERS: dict[str, str] = {"raw": "o", "poststrat": "s", "rake": "D", "pseudo": "v", "mrp": "P",
                            "survey": "^", "blend": "o"}
_SOURCE_COLOURS = {"population_share": "#4D4D4D", "online_share": "#0072B2", "survey_share": "#009E73"}
_BLIND_SPOT_COLOUR = "#B00020"

# Fonts the reader's machine is likely to have for Chinese; the SVG names them all and the
# browser picks the first present. DejaVu Sans (shipped with matplotlib) only measures text.
_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
          "Hiragino Sans GB", "WenQuanYi Micro Hei", "SimHei", "DejaVu Sans"]

_WIDTH_IN = 7.5
_PT_PER_IN = 72.0


@contextmanager
def _chart_style(salt: str) -> Iterator[None]:
    """Settings for one chart, restored afterwards.

    ``svg.hashsalt`` makes element ids deterministic (same data, same file) and distinct
    between the charts of one page. ``text.parse_math`` is off because labels are data:
    a topic named ``$x$`` must show as typed. Glyph warnings are silenced because the text
    is not drawn by matplotlib but by the reader's fonts; it only measures it.
    """
    rc: dict[RcKeyType, Any] = {
        "svg.fonttype": "none",
        "svg.hashsalt": salt,
        "text.parse_math": False,
        "font.family": "sans-serif",
        "font.sans-serif": _FONTS,
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from font", category=UserWarning)
        yield


def _to_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element: no XML prolog, doctype or metadata, ready to inline."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    text = buf.getvalue()
    start = text.find("<svg")
    if start < 0:  # pragma: no cover - matplotlib always writes an <svg> root
        raise RuntimeError("matplotlib wrote no <svg> element")
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text[start:], flags=re.DOTALL).strip()


def _text_width_pt(text: str, size: float = 10.0) -> float:
    """Rough rendered width: CJK characters are a full em, others about 0.6 em.

    matplotlib measures with a font lacking CJK glyphs, so margins are sized from this.
    """
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.6 * size for c in text)


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what} table lacks columns {missing}; it has {list(frame.columns)}")


def _number(value: Any) -> float:
    """A float, NaN for anything missing (None, NaN, pd.NA)."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return math.nan
    return result


def _series_colour(method: str, index: int) -> str:
    return METHOD_COLOURS.get(method, _EXTRA_COLOURS[index % len(_EXTRA_COLOURS)])


def estimates_chart(estimates: pd.DataFrame, lang: str = "zh") -> str:
    """Dot-and-whisker chart: one row per topic, one coloured dot (estimate) and whisker
    (95% interval) per method, in percent.

    Topics are drawn top to bottom in the order they first appear in ``estimates``, so the
    caller decides the order (the report sorts by how much correction moved each topic).
    If rows of several estimands are given, each method x estimand is its own series.
    """
    i18n.check_lang(lang)
    _require(estimates, ["topic", "topic_label", "method", "estimand", "estimate", "ci_low", "ci_high"],
             "estimates")
    topics = list(dict.fromkeys(estimates["topic"]))
    labels = {t: str(estimates.loc[estimates["topic"] == t, "topic_label"].iloc[0]) for t in topics}
    pairs = list(dict.fromkeys(zip(estimates["method"], estimates["estimand"], strict=True)))
    pairs.sort(key=lambda p: (i18n.method_sort_key(p[0]), p[1]))
    several_estimands = len({p[1] for p in pairs}) > 1

    with _chart_style("tongxin-estimates"):
        n_topics = max(len(topics), 1)
        height = 1.4 + 0.32 * n_topics * max(1.0, len(pairs) / 3)
        fig = Figure(figsize=(_WIDTH_IN, height))
        left_pt = max([_text_width_pt(t) for t in labels.values()] + [30.0]) + 24
        legend_rows = math.ceil(len(pairs) / 3) if pairs else 0
        bottom_pt = 40 + 16 * legend_rows
        fig.subplots_adjust(left=min(left_pt / (_WIDTH_IN * _PT_PER_IN), 0.45),
                            right=0.97, top=1 - 10 / (height * _PT_PER_IN),
                            bottom=bottom_pt / (height * _PT_PER_IN))
        ax = fig.add_subplot()
        band = 0.7
        step = band / max(len(pairs), 1)
        top_value = 0.0
        for index, (method, estimand) in enumerate(pairs):
            rows = estimates[(estimates["method"] == method) & (estimates["estimand"] == estimand)]
            ys, xs, low_err, high_err = [], [], [], []
            for _, row in rows.iterrows():
                est = _number(row["estimate"]) * 100
                if math.isnan(est):
                    continue
                low, high = _number(row["ci_low"]) * 100, _number(row["ci_high"]) * 100
                ys.append(topics.index(row["topic"]) - band / 2 + step * (index + 0.5))
                xs.append(est)
                low_err.append(0.0 if math.isnan(low) else max(est - low, 0.0))
                high_err.append(0.0 if math.isnan(high) else max(high - est, 0.0))
                top_value = max(top_value, est, 0.0 if math.isnan(high) else high)
            label = i18n.method_label(method, lang)
            if several_estimands:
                label = f"{label} · {i18n.estimand_label(estimand, lang)}"
            ax.errorbar(xs, ys, xerr=[low_err, high_err], fmt=_MARKERS.get(method, "o"),
                        color=_series_colour(method, index), markersize=7 if method == "blend" else 5,
                        elinewidth=1.6 if method == "blend" else 1.0, capsize=2, label=label)
        ax.set_yticks(range(len(topics)), [labels[t] for t in topics])
        ax.set_ylim(n_topics - 0.5, -0.5)
        ax.set_xlim(0, min(100.0, max(top_value * 1.1, 5.0)))
        ax.set_xlabel(i18n.strings(lang)["share_axis"])
        ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)
        if pairs:
            fig.legend(loc="lower center", ncol=min(len(pairs), 3), frameon=False, fontsize=9)
        svg = _to_svg(fig)
    logger.debug("estimates chart: %d topics, %d series", len(topics), len(pairs))
    return svg


def coverage_chart(coverage: pd.DataFrame, lang: str = "zh") -> str:
    """Grouped bars: for each level of each attribute, its share of the population, of the
    online voices and of the survey respondents, in percent.

    Blind spots (``blind_spot`` True) have their labels in red, so the eye finds the groups
    the figures cannot speak for. A source absent from the table (all NaN) gets no bars.
    """
    i18n.check_lang(lang)
    _require(coverage, ["variable", "level", "population_share", "online_share", "survey_share"],
             "coverage")
    text = i18n.strings(lang)
    rows = coverage.reset_index(drop=True)
    positions: list[float] = []
    position = 0.0
    groups: list[tuple[str, float, float]] = []  # variable, first position, last position
    previous: str | None = None
    for _, row in rows.iterrows():
        variable = str(row["variable"])
        if previous is not None and variable != previous:
            position += 0.8
        if variable != previous:
            groups.append((variable, position, position))
        groups[-1] = (groups[-1][0], groups[-1][1], position)
        positions.append(position)
        position += 1.0
        previous = variable

    sources = [s for s in ("population_share", "online_share", "survey_share")
               if rows[s].map(_number).notna().any()]
    with _chart_style("tongxin-coverage"):
        width_in = max(_WIDTH_IN, 1.0 + 0.55 * len(rows))
        height = 4.2
        fig = Figure(figsize=(width_in, height))
        fig.subplots_adjust(left=0.08, right=0.98, top=0.86, bottom=0.26)
        ax = fig.add_subplot()
        bar = 0.8 / max(len(sources), 1)
        for index, source in enumerate(sources):
            values = [_number(v) * 100 for v in rows[source]]
            xs = [p - 0.4 + bar * (index + 0.5) for p, v in zip(positions, values, strict=True)
                  if not math.isnan(v)]
            ys = [v for v in values if not math.isnan(v)]
            ax.bar(xs, ys, width=bar * 0.92, color=_SOURCE_COLOURS[source], label=text[source])
        tick_labels = []
        for _, row in rows.iterrows():
            given = row.get("level_label")
            tick_labels.append(str(given) if isinstance(given, str) and given
                               else i18n.level_label(str(row["variable"]), str(row["level"]), lang))
        ax.set_xticks(positions, tick_labels, rotation=30 if len(rows) > 8 else 0,
                      ha="right" if len(rows) > 8 else "center")
        if "blind_spot" in rows.columns:
            for tick, flag in zip(ax.get_xticklabels(), rows["blind_spot"], strict=True):
                if bool(flag) and not pd.isna(flag):
                    tick.set_color(_BLIND_SPOT_COLOUR)
                    tick.set_fontweight("bold")
        for variable, first, last in groups:
            ax.text((first + last) / 2, 1.02, i18n.variable_label(variable, lang), ha="center",
                    va="bottom", transform=ax.get_xaxis_transform(), fontsize=10, fontweight="bold")
        ax.set_ylabel(text["share_axis"])
        ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)
        legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16 if len(rows) <= 8 else -0.3),
                           ncol=len(sources) + 1, frameon=False, fontsize=9)
        if "blind_spot" in rows.columns and rows["blind_spot"].fillna(False).astype(bool).any():
            legend.set_title(text["blind_spot_legend"], prop=FontProperties(size=9))
            legend.get_title().set_color(_BLIND_SPOT_COLOUR)
        svg = _to_svg(fig)
    logger.debug("coverage chart: %d levels, sources %s", len(rows), sources)
    return svg
