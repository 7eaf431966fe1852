from __future__ import annotations

import dataclasses
import functools
import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from opinion.errors import InputError
from opinion.reports.data import (
    CARRY_COLUMNS,
    COVERAGE_COLUMNS,
    ESTIMATE_COLUMNS,
    KEYWORD_COLUMNS,
    SUPPRESSION_COLUMNS,
    WORD_COLUMNS,
    ReportData,
)
from opinion.reports.datapackage import report_json
from opinion.reports.render import render_html, render_markdown, summary_table, write_tables
from tests.reports.sample_report import BLEND, JS_URL, LABELS, LONG_QUOTE, RAW, SCRIPT, estimate_rows, make_data

SORTED_TOPICS = ["eldercare", "healthcare", "transport"]


@functools.cache
def _html(lang: str = "zh") -> str:
    """The full report, rendered once per language: charts make rendering the slow part."""
    return render_html(make_data(lang))


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _interval(lo: float, hi: float) -> str:
    return f"[{lo * 100:.1f}, {hi * 100:.1f}]"


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@pytest.mark.parametrize(("lang", "headings"), [
    ("zh", ["各议题的份额", "谁的声音被听到", "各来源承担了多少", "高频词", "与已知真值对照", "方法与局限", "示例原话"]),
    ("en", ["Topic shares", "Who is heard", "How much each source carried", "Top words",
            "Against the known truth", "Method and limits", "Example quotes"]),
])
def test_html_has_every_section(lang: str, headings: list[str]) -> None:
    html = _html(lang)
    for section in ("headline", "heard", "carry", "words", "truth", "method", "quotes"):
        assert f'<section id="{section}">' in html
    h2 = re.findall(r"<h2>([^<]*)</h2>", html)
    assert len(h2) == len(headings)
    for heading, expected in zip(h2, headings, strict=True):
        assert heading.startswith(expected)
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html


def test_html_names_the_estimand() -> None:
    assert "在至少提出一项诉求的人当中" in _html("zh")
    html = _html("en")
    assert "among people who raise at least one concern, the share raising this topic" in html
    assert "Other estimand: prevalence" in html


def test_html_escapes_untrusted_text() -> None:
    html = _html()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert JS_URL in html
    assert not re.search(r"""(?:href|src|action)\s*=\s*["']?\s*javascript""", html, re.IGNORECASE)
    assert "<title>某县民意报告 &lt;测试&gt;</title>" in html
    assert "x &lt; y &amp; z" in html


def test_html_is_self_contained() -> None:
    html = _html()
    assert "http://" not in html and "https://" not in html
    lowered = html.lower()
    assert not re.search(r"url\((?!#)", lowered)  # only in-page references (SVG clip paths)
    for forbidden in ("<link", "@import", "<iframe", "<object", "<embed"):
        assert forbidden not in lowered
    assert not re.search(r"<[a-z][^>]*\s(?:src|on\w+)=", lowered)  # no tag loads or runs anything
    assert lowered.count("<style>") == 1  # the page CSS; charts carry only their own SVG styles
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', html))


def test_html_charts_keep_chinese_labels_as_text() -> None:
    html = _html()
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)
    assert len(svgs) == 3  # agenda share, prevalence, coverage
    estimate_texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", svgs[0])
    for label in LABELS.values():
        assert label in estimate_texts
    coverage_texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", svgs[2])
    assert "60岁及以上 乡村" in coverage_texts


def test_html_table_numbers_equal_the_estimates() -> None:
    data = make_data()
    html = render_html(data)
    table = re.search(r'<table class="estimates" data-estimand="agenda_share">(.*?)</table>', html, re.DOTALL)
    assert table
    rows = dict(re.findall(r'<tr data-topic="(\w+)">(.*?)</tr>', table.group(1), re.DOTALL))
    assert set(rows) == set(LABELS)
    for row in estimate_rows():
        if row["estimand"] != "agenda_share":
            continue
        cell = re.search(rf'<td data-method="{row["method"]}"[^>]*>(.*?)</td>', rows[str(row["topic"])])
        assert cell, row
        text = cell.group(1)
        assert f'<span class="est">{_pct(float(row["estimate"]))}</span>' in text  # type: ignore[arg-type]
        assert _interval(float(row["ci_low"]), float(row["ci_high"])) in text  # type: ignore[arg-type]
        assert f"n={row['n']}" in text
        assert f"ess={float(row['ess']):.0f}" in text  # type: ignore[arg-type]


def test_headline_is_sorted_by_how_much_correction_moved_each_topic() -> None:
    html = _html()
    table = re.search(r'data-estimand="agenda_share">(.*?)</table>', html, re.DOTALL)
    assert table
    assert re.findall(r'<tr data-topic="(\w+)">', table.group(1)) == SORTED_TOPICS
    assert "修正后的主要数字是“融合（修正后）”" in html


def test_blind_spots_are_named_in_plain_words() -> None:
    unsuppressed = render_html(dataclasses.replace(make_data("zh"), min_cell=0))
    assert "60岁及以上 乡村: 人口占 14.0%，网上声音人数 1，入户受访人数 3" in unsuppressed
    assert ("60+ rural: 14.0% of the population; online voices: suppressed; survey respondents: suppressed"
            in _html("en"))
    assert '<tr class="blind"><td class="text">60岁及以上 乡村</td>' in _html("zh")


def test_optional_sections_appear_only_when_given() -> None:
    html = render_html(make_data(truth=False, carry=False))
    assert 'id="truth"' not in html and 'id="carry"' not in html
    markdown = render_markdown(make_data(truth=False, carry=False))
    assert "真值" not in markdown and "各来源承担了多少" not in markdown


def test_truth_section_says_whether_each_interval_covers() -> None:
    html = _html("en")
    section = re.search(r'<section id="truth">(.*?)</section>', html, re.DOTALL)
    assert section
    rows = re.findall(r"<tr><td class=\"text\">([^<]*)</td>(.*?)</tr>", section.group(1), re.DOTALL)
    covers = {label: re.findall(r"Covers: (yes|no)", body) for label, body in rows}
    # eldercare truth 0.30: raw [0.059, 0.143] misses, blend [0.179, 0.263] misses.
    assert covers["养老"] == ["no", "no", "no", "no"]
    # healthcare truth 0.35: raw [0.259, 0.343] misses; rake, survey, blend cover.
    assert covers["医疗"] == ["no", "yes", "yes", "yes"]
    assert re.search(r"<th>Topics whose truth is covered</th><td></td><td>1/3</td><td>2/3</td><td>2/3</td>"
                     r"<td>2/3</td>", section.group(1))


def test_words_show_rank_shift_marks_and_tiny_shares() -> None:
    html = _html()
    section = re.search(r'<section id="words">(.*?)</section>', html, re.DOTALL)
    assert section
    words = re.findall(r'<tr><td class="text">([^<]*)</td>', section.group(1))
    assert words == ["养老|金", "修路", "医院"]  # by weighted rank
    assert '<td class="up">↑2</td>' in section.group(1)
    assert '<td class="down">↓2</td>' in section.group(1)
    assert "<td>&lt;0.1%</td>" in section.group(1)  # 0.02% is not shown as 0.0%


def test_method_notes_render_known_and_other_keys() -> None:
    html = _html("en")
    section = re.search(r'<section id="method">(.*?)</section>', html, re.DOTALL)
    assert section
    text = section.group(1)
    assert "<dt>Documents crawled</dt><dd>1200</dd>" in text
    assert "<li>Age: 121</li>" in text and "<li>Sex: 40</li>" in text
    assert "<li>本地论坛</li>" in text
    assert "2024-01-01 – 2024-03-31" in text
    assert "<li>Blend (corrected): groups missing at random given age, sex and urban</li>" in text
    assert "<li>Blend (corrected): 3.38</li>" in text
    assert f"<code>{'0f' * 32}</code>" in text
    assert "<dt>analyst_remark</dt><dd>x &lt; y &amp; z</dd>" in text
    assert "<dt>Random seed</dt><dd>20240501</dd>" in text


def test_quotes_are_limited_and_truncated() -> None:
    html = _html()
    section = re.search(r'<section id="quotes">(.*?)</section>', html, re.DOTALL)
    assert section
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", section.group(1))
    assert "第四条不应出现" not in html
    assert len(quotes) == 4  # three for healthcare, one for eldercare
    long = [q for q in quotes if q.startswith("村里的路")]
    assert len(long) == 1 and long[0].endswith("…") and len(long[0]) <= 120
    assert LONG_QUOTE not in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_has_the_tables_with_escaped_cells(lang: str) -> None:
    markdown = render_markdown(make_data(lang))
    assert markdown.count("\n## ") == 7  # headline, heard, carry, words, truth, method, quotes
    assert "养老\\|金" in markdown
    assert not re.search(r"(?<!\\)<(?:script|img)", markdown)
    assert "\\<script\\>alert(1)\\</script\\>" in markdown
    lines = markdown.splitlines()
    tables: list[list[str]] = []
    current: list[str] = []
    for line in lines + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    assert len(tables) == 6  # agenda share, prevalence, coverage, carry, words, truth
    for table in tables:
        assert re.fullmatch(r"\|(?:-+:?\||:?-+:?\|)+", table[1].replace("---:", "---").replace(":---:", "---"))
        cells = [len(re.findall(r"(?<!\\)\|", row)) for row in table]
        assert len(set(cells)) == 1, table
    agenda = tables[0]
    eldercare = next(row for row in agenda if row.startswith("| 养老 "))
    assert f"**{_pct(BLEND['eldercare'])} " in eldercare
    assert _pct(RAW["eldercare"]) in eldercare


def test_write_tables_uses_stable_columns(tmp_path: Path) -> None:
    data = make_data()
    paths = write_tables(data, tmp_path / "out")
    assert [p.name for p in paths] == ["estimates.csv", "coverage.csv", "words.csv", "carry.csv", "datapackage.json"]
    expected = {"estimates.csv": ESTIMATE_COLUMNS, "coverage.csv": COVERAGE_COLUMNS + SUPPRESSION_COLUMNS,
                "words.csv": WORD_COLUMNS, "carry.csv": CARRY_COLUMNS}
    for path in paths[:-1]:
        assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
        frame = pd.read_csv(path, encoding="utf-8")
        assert list(frame.columns) == expected[path.name]
    estimates = pd.read_csv(tmp_path / "out" / "estimates.csv")
    assert estimates["estimate"].tolist() == pytest.approx([float(r["estimate"]) for r in estimate_rows()])  # type: ignore[arg-type]
    assert "养老|金" in pd.read_csv(tmp_path / "out" / "words.csv")["word"].tolist()


def test_write_tables_without_carry(tmp_path: Path) -> None:
    assert [p.name for p in write_tables(make_data(carry=False), tmp_path)] == [
        "estimates.csv", "coverage.csv", "words.csv", "datapackage.json"]


def test_summary_table_aligns_wide_characters() -> None:
    table = summary_table(make_data("zh"))
    lines = table.splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("---")) - 1
    assert lines[header_at].startswith("议题 ")
    block = lines[header_at:header_at + 2 + len(LABELS)]
    assert {_display_width(line) for line in block} == {_display_width(block[1])}
    separator_ends = []
    column = 0
    for dashes in block[1].split("  "):
        column += len(dashes)
        separator_ends.append(column)
        column += 2
    for line in block[2:]:
        topic = next(t for t, label in LABELS.items() if line.startswith(label))
        raw_row = next(r for r in estimate_rows() if r["topic"] == topic and r["method"] == "raw")
        raw_text = f"{_pct(RAW[topic])} {_interval(float(raw_row['ci_low']), float(raw_row['ci_high']))}"  # type: ignore[arg-type]
        end = line.index(raw_text) + len(raw_text)
        assert _display_width(line[:end]) == separator_ends[1], line
        assert line.rstrip().endswith(_pct({"healthcare": 0.35, "eldercare": 0.30, "transport": 0.26}[topic]))
    assert [line.split()[0] for line in block[2:]] == [LABELS[t] for t in SORTED_TOPICS]
    assert "n=300" in table and "ess=241" in table


def test_invalid_input_is_rejected_with_a_clear_message() -> None:
    data = make_data()
    data.lang = "fr"
    with pytest.raises(InputError, match="'fr'.*zh, en"):
        render_html(data)
    data = make_data()
    data.estimates = data.estimates.drop(columns="ess")
    with pytest.raises(InputError, match=r"estimates table lacks columns \['ess'\]"):
        render_markdown(data)
    data = make_data()
    data.estimates = pd.concat([data.estimates, data.estimates.iloc[[0]]])
    with pytest.raises(InputError, match="'healthcare' 'raw' 'agenda_share'"):
        summary_table(data)


def test_raw_only_report_shows_missing_intervals_plainly() -> None:
    data = make_data("en", truth=False)
    raw = data.estimates[data.estimates["method"] == "raw"].copy()
    raw.loc[raw["topic"] == "healthcare", ["ci_low", "ci_high", "ess"]] = float("nan")
    data.estimates = raw
    html = render_html(data)
    assert "This report has raw figures only" in html
    table = re.search(r'data-estimand="agenda_share">(.*?)</table>', html, re.DOTALL)
    assert table
    # No corrected figure: largest raw share first.
    assert re.findall(r'<tr data-topic="(\w+)">', table.group(1)) == ["healthcare", "transport", "eldercare"]
    assert '<span class="est">30.0%</span> <span class="ci">[—]</span><span class="size">n=812 · ess=—</span>' in html
    assert "| 医疗 | 30.0% [—] (n=812, ess=—) |" in render_markdown(data)


def test_keywords_section_lists_each_group_escaped() -> None:
    keywords = pd.DataFrame([
        {"variable": "age_group", "level": "60+", "level_label": "60岁及以上", "word": "<b>养老</b>", "score": 0.52,
         "voices": 9},
        {"variable": "urban", "level": "rural", "level_label": "乡村", "word": "修路", "score": 0.31, "voices": 14},
    ], columns=KEYWORD_COLUMNS)
    data = dataclasses.replace(make_data(), keywords=keywords)
    html, md = render_html(data), render_markdown(data)
    assert '<section id="keywords">' in html and '<a href="#keywords">' in html
    assert "<tr><th class=\"group\" colspan=\"4\">年龄: 60岁及以上</th></tr>" in html
    assert "<td class=\"text\">&lt;b&gt;养老&lt;/b&gt;</td><td>0.520</td><td>9</td>" in html
    assert "| 城乡: 乡村 | 修路 | 0.310 | 14 |" in md
    assert '<section id="keywords">' not in _html("zh")  # absent when not computed


# --- the report describes what was computed, and only that -------------------------------

MIX_LABELS = {"composite": {"zh": "composite：逐议题按均方误差合并（Elliott & Haviland 2007）",
                            "en": "composite: by mean squared error, topic by topic (Elliott & Haviland 2007)"},
              "ess": {"zh": "ess：按有效样本量合并", "en": "ess: by effective sample size"}}
BY_ESS = {"zh": "按有效样本量共同承担", "en": "in proportion to their effective sample sizes"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_carry_intro_describes_the_mix_the_blend_used(lang: str) -> None:
    for mix in ("composite", "ess"):
        data = make_data(lang)
        data.notes["blend_mix"] = MIX_LABELS[mix][lang]
        md = render_markdown(data)
        heading = "各来源承担了多少" if lang == "zh" else "How much each source carried"
        carry = md.split(f"## {heading}")[1].split("\n## ")[0]
        assert (BY_ESS[lang] in carry) == (mix == "ess"), carry
        assert ("Elliott" in carry) == (mix == "composite")


def online_only_data(lang: str = "zh") -> ReportData:
    """The sample report as a store without respondents leaves it: raw and rake only, the
    survey methods left out, and the notes the pipeline writes all the same."""
    data = make_data(lang, carry=False, truth=False)
    notes = {**data.notes, "respondents": 0,
             "left_out": {"survey": "needs survey respondents", "blend": "needs survey respondents",
                          "pseudo": "needs survey respondents"},
             "method_notes": {"raw": "each author once", "rake": "raked to the population",
                              "survey": "design weights calibrated", "blend": "mixed by mean squared error",
                              "pseudo": "participation model"},
             "blend_mix": MIX_LABELS["composite"][lang], "blend_groups": ["age_group", "urban"],
             "source_agreement": {"groups_tested": 0, "comparisons": 0, "differ": 0, "expected_by_chance": 0.0}}
    estimates = data.estimates[data.estimates["method"].isin(["raw", "rake"])].reset_index(drop=True)
    return dataclasses.replace(data, estimates=estimates, notes=notes, mode="online_only", headline="raw")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_online_only_provenance_names_nothing_that_was_not_computed(lang: str, tmp_path: Path) -> None:
    data = online_only_data(lang)
    md, html, terminal = render_markdown(data), render_html(data), summary_table(data)
    method = md.split(f"## {'方法与局限' if lang == 'zh' else 'Method and limits'}")[1]
    for text in ("design weights calibrated", "mixed by mean squared error", "participation model",
                 MIX_LABELS["composite"][lang].split("（")[0].split(" (")[0],
                 "比较的组数" if lang == "zh" else "Groups compared",
                 "融合分组" if lang == "zh" else "Blend groups"):
        assert text not in method and text not in html, text
    assert "each author once" in method and "raked to the population" in method
    # one source: the estimand is not said to be blendable
    blendable = "因此可以融合两类来源" if lang == "zh" else "so the two sources can be blended"
    assert blendable not in md + html + terminal
    assert blendable in render_markdown(make_data(lang))  # with both sources it is
    # the data outputs keep the notes as they are
    assert json.loads(report_json(data))["notes"]["blend_mix"] == MIX_LABELS["composite"][lang]


def test_a_source_comparison_that_compared_something_is_shown() -> None:
    data = make_data()
    data.notes["source_agreement"] = {"groups_tested": 2, "comparisons": 30, "differ": 1, "expected_by_chance": 1.5}
    assert "比较次数: 30" in render_markdown(data)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_online_only_visit_plan_does_not_claim_two_sources(lang: str) -> None:
    plan = pd.DataFrame({"cell": ["城关镇"], "interviews": [8], "half_width_before": [0.2], "half_width_after": [0.15]})
    both = "两类来源" if lang == "zh" else "both sources"
    heading = "## 下一步去哪里入户" if lang == "zh" else "## Where to knock next"

    def section(data: ReportData) -> str:
        return render_markdown(dataclasses.replace(data, plan=plan)).split(heading)[1].split("\n## ")[0]

    online = section(online_only_data(lang))
    assert "| 城关镇 | 8 | ±20.0 | ±15.0 |" in online and both not in online
    assert both in section(make_data(lang))
