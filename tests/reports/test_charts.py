from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib
import pandas as pd
import pytest

from opinion.errors import InputError
from opinion.reports.charts import METHOD_COLOURS, coverage_chart, estimates_chart


def _estimates(methods: tuple[str, ...] = ("raw", "rake", "blend")) -> pd.DataFrame:
    rows = []
    for topic, label, base in [("healthcare", "医疗", 0.3), ("transport", "交通/农村公路", 0.2)]:
        for i, method in enumerate(methods):
            value = base + 0.02 * i
            rows.append({"topic": topic, "topic_label": label, "method": method, "estimand": "agenda_share",
                         "estimate": value, "se": 0.02, "ci_low": value - 0.04, "ci_high": value + 0.04,
                         "n": 500, "ess": 300})
    return pd.DataFrame(rows)


def _coverage(survey: bool = True) -> pd.DataFrame:
    return pd.DataFrame([
        {"variable": "age_group", "level": "18-29", "level_label": "18-29岁", "population_share": 0.2,
         "online_share": 0.5, "survey_share": 0.15 if survey else float("nan"), "online_n": 400,
         "survey_n": 45, "blind_spot": False},
        {"variable": "age_group", "level": "60+", "level_label": "60岁及以上", "population_share": 0.25,
         "online_share": 0.01, "survey_share": 0.02 if survey else float("nan"), "online_n": 1,
         "survey_n": 2, "blind_spot": True},
        {"variable": "urban", "level": "rural", "level_label": "乡村", "population_share": 0.36,
         "online_share": 0.1, "survey_share": 0.5 if survey else float("nan"), "online_n": 80,
         "survey_n": 150, "blind_spot": False},
    ])


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)


def test_estimates_chart_is_bare_svg_that_parses() -> None:
    svg = estimates_chart(_estimates(), "zh")
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<metadata" not in svg
    ET.fromstring(svg)


def test_estimates_chart_keeps_chinese_topic_labels_as_text() -> None:
    texts = _texts(estimates_chart(_estimates(), "zh"))
    assert "医疗" in texts
    assert "交通/农村公路" in texts
    assert "融合（修正后）" in texts


def test_estimates_chart_uses_one_colour_per_method() -> None:
    svg = estimates_chart(_estimates(("raw", "survey", "blend")), "en").lower()
    for method in ("raw", "survey", "blend"):
        assert METHOD_COLOURS[method].lower() in svg
    assert METHOD_COLOURS["rake"].lower() not in svg


def test_estimates_chart_shows_labels_as_typed() -> None:
    frame = _estimates()
    frame["topic_label"] = frame["topic_label"].where(frame["topic"] != "healthcare", "<b>$x$ & 医疗</b>")
    svg = estimates_chart(frame, "zh")
    assert "<b>" not in svg
    assert "&lt;b&gt;$x$ &amp; 医疗&lt;/b&gt;" in svg


def test_charts_are_deterministic_and_do_not_share_ids() -> None:
    first, again = estimates_chart(_estimates(), "zh"), estimates_chart(_estimates(), "zh")
    assert first == again
    ids = set(re.findall(r'id="([^"]+)"', first))
    cover_ids = set(re.findall(r'id="([^"]+)"', coverage_chart(_coverage(), "zh")))
    generated = {i for i in ids | cover_ids if re.fullmatch(r"[mp][0-9a-f]{8,}", i)}
    assert generated, "expected hashed marker or clip-path ids"
    assert not (ids & cover_ids & generated)


def test_charts_leave_global_settings_alone() -> None:
    before = (matplotlib.rcParams["svg.fonttype"], matplotlib.rcParams["text.parse_math"])
    estimates_chart(_estimates(), "zh")
    coverage_chart(_coverage(), "zh")
    assert (matplotlib.rcParams["svg.fonttype"], matplotlib.rcParams["text.parse_math"]) == before


def test_coverage_chart_labels_levels_and_attributes() -> None:
    texts = _texts(coverage_chart(_coverage(), "zh"))
    for label in ("18-29岁", "60岁及以上", "乡村", "年龄", "城乡", "人口占比", "网上占比", "调查占比"):
        assert label in texts


def test_coverage_chart_marks_blind_spots_in_red() -> None:
    svg = coverage_chart(_coverage(), "zh")
    blind = re.search(r"<text\b([^>]*)>60岁及以上</text>", svg)
    normal = re.search(r"<text\b([^>]*)>18-29岁</text>", svg)
    assert blind and normal
    assert "#b00020" in blind.group(1).lower()
    assert "#b00020" not in normal.group(1).lower()


def test_coverage_chart_omits_a_source_without_data() -> None:
    texts = _texts(coverage_chart(_coverage(survey=False), "en"))
    assert "Population" in texts and "Online" in texts
    assert "Survey" not in texts
    assert "Age" in texts


def test_charts_reject_unknown_language_and_missing_columns() -> None:
    with pytest.raises(InputError, match="'fr'"):
        estimates_chart(_estimates(), "fr")
    with pytest.raises(InputError, match="ci_high"):
        estimates_chart(_estimates().drop(columns="ci_high"), "zh")
    with pytest.raises(InputError, match="online_share"):
        coverage_chart(_coverage().drop(columns="online_share"), "zh")
