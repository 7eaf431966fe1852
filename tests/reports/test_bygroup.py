"""The "concerns by group" section: what was computed, what was hidden, and nothing else."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from opinion.reports import i18n
from opinion.reports.bygroup import by_group_view
from opinion.reports.data import ReportData
from opinion.reports.render import render_html, render_markdown, summary_table
from tests.reports.sample_report import make_data

LEFT_OUT = {"survey": "需要入户调查受访者，库中没有", "blend": "需要入户调查受访者，库中没有"}


def by_group_rows() -> pd.DataFrame:
    """Online-only figures by urban/rural: raw and rake computed, survey and blend not (no
    respondents: no figure and nobody behind it); rural rake rests on 3 voices."""
    rows = []
    for level, n in (("rural", 42), ("urban", 176)):
        for method in ("raw", "rake", "survey", "blend"):
            computed = method in ("raw", "rake")
            small = level == "rural" and method == "rake"
            rows.append({"variable": "urban", "level": level, "level_label": "乡村" if level == "rural" else "城镇",
                         "topic": "healthcare", "topic_label": "医疗", "method": method,
                         "estimate": 0.12 if computed else float("nan"), "se": 0.03 if computed else float("nan"),
                         "ci_low": 0.06 if computed else float("nan"), "ci_high": 0.2 if computed else float("nan"),
                         "n": (3 if small else n) if computed else 0})
    return pd.DataFrame(rows)


def online_only(lang: str = "zh") -> ReportData:
    data = make_data(lang, carry=False)
    estimates = data.estimates[data.estimates["method"].isin(["raw", "rake"])].reset_index(drop=True)
    return dataclasses.replace(data, estimates=estimates, by_group=by_group_rows(), mode="online_only",
                               headline="raw", notes={**data.notes, "left_out": LEFT_OUT})


def _section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_methods_left_out_of_the_report_are_not_columns_of_the_by_group_table(lang: str) -> None:
    data = online_only(lang)
    text = i18n.strings(lang)
    absent = [i18n.method_label(m, lang) for m in LEFT_OUT]
    view = by_group_view(data)
    assert view is not None and view["methods"] == [i18n.method_label(m, lang) for m in ("raw", "rake")]
    md = _section(render_markdown(data), f"## {text['by_group']}", "\n## ")
    html = _section(render_html(data), '<section id="by-group">', "</section>")
    terminal = _section(summary_table(data), f"{text['by_group']}:", "\n\n")
    for part in (md, html, terminal):
        assert not any(name in part for name in absent), part
        assert i18n.method_label("rake", lang) in part


def test_a_hidden_figure_says_suppressed_and_one_never_computed_says_missing() -> None:
    data = online_only()
    rows = by_group_rows()
    rows.loc[(rows["level"] == "urban") & (rows["method"] == "rake"), ["estimate", "ci_low", "ci_high"]] = float("nan")
    view = by_group_view(dataclasses.replace(data, by_group=rows))
    assert view is not None
    cells = {level["label"]: level["topics"][0]["cells"] for level in view["levels"]}
    assert cells["乡村"] == ["12.0% [6.0, 20.0]", "隐去"]  # 3 voices < 5
    assert cells["城镇"] == ["12.0% [6.0, 20.0]", "—"]  # 176 voices, but no figure: nothing was hidden


def test_a_method_with_no_figure_anywhere_is_no_column_even_when_not_named_as_left_out() -> None:
    data = dataclasses.replace(online_only(), notes=make_data().notes)
    view = by_group_view(data)
    assert view is not None and view["methods"] == [i18n.method_label(m, "zh") for m in ("raw", "rake")]
