"""The report tables from a store: reproducible, complete, honest about what they rest on."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from opinion.reports.build import ReportOptions, build_report
from opinion.reports.data import ReportData
from opinion.store.db import open_store, upsert_document
from opinion.surveys.importer import import_survey
from opinion.text.cues import load_gazetteer
from tests.helpers import DEMO
from weighting.targets import load_margins

POSTS = [
    ("v1", "房价太高，买房难", {"sex": "female", "age": 28, "place": "城关镇滨河社区"}),
    ("v2", "孩子上学难，学位紧张", {"sex": "male", "age": 36, "place": "城关镇滨河社区"}),
    ("v3", "村里的养老院太少，留守老人没人管", {"sex": "male", "age": 71}),
    ("v4", "看病难，医保报销慢", {"sex": "female", "age": 52}),
    ("v5", "<script>alert(1)</script>物价涨得厉害", {"sex": "female", "age": 24}),
    ("v6", "找工作难，工资低", {"sex": "male", "age": 31}),
]


def build(tmp_path: Path, name: str, order: list[int], replicates: int = 20, *, workers: int = 1,
          unique_texts: bool = False, segment_progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    gazetteer = load_gazetteer(DEMO / "gazetteer.csv")
    rural = next(p for p, (_, u) in gazetteer.places.items() if u == "rural")
    urban = next(p for p, (_, u) in gazetteer.places.items() if u == "urban")
    with open_store(tmp_path / f"{name}.db") as store:
        with store.engine.begin() as conn:
            for i in order:
                author, text, attrs = POSTS[i % len(POSTS)]
                attrs = {**attrs, "place": attrs.get("place") or (rural if i % 2 else urban)}
                upsert_document(conn, {
                    "url": f"http://forum.example/t{i}", "source": "forum", "kind": "post",
                    "content_hash": str(i), "author": f"{author}-{i % 9}",
                    "text": f"{text}，第{i}次反映" if unique_texts else text,
                    "fetched_at": "2026-11-27T00:00:00",
                    "attributes": {k: {"value": v, "provenance": "site"} for k, v in attrs.items()},
                })
        import_survey(store, DEMO / "survey.csv", interview_year=2026)
        data = build_report(
            store, load_margins(DEMO / "margins.csv"), gazetteer=gazetteer, today=date(2026, 11, 27),
            options=ReportOptions(replicates=replicates, seed=11, workers=workers), segment_progress=segment_progress,
        )
    return data


def test_same_inputs_and_seed_give_identical_estimates_whatever_the_arrival_order(tmp_path: Path) -> None:
    first = build(tmp_path, "a", list(range(60)))
    second = build(tmp_path, "b", list(reversed(range(60))))
    pd.testing.assert_frame_equal(first.estimates, second.estimates)
    pd.testing.assert_frame_equal(first.words, second.words)


def test_report_tables_say_what_they_rest_on(tmp_path: Path) -> None:
    data = build(tmp_path, "c", list(range(60)))
    # a method that could not be computed for any topic is left out, with its reason
    shown = set(data.estimates["method"]) | set(data.notes.get("left_out", {}))
    assert {"raw", "rake", "survey", "blend", "mrp"} <= shown
    assert {"raw", "survey", "blend"} <= set(data.estimates["method"])
    authors = {f"{POSTS[i % len(POSTS)][0]}-{i % 9}" for i in range(60)}
    assert data.notes["respondents"] == 394 and data.notes["voices_online"] == len(authors)
    assert data.notes["replicates"] == 20 and data.notes["seed"] == 11
    coverage = data.coverage.set_index(["variable", "level"])
    elderly = {a for a in authors if a.startswith("v3-")}  # the only post written at 71
    assert coverage.loc[("age_group", "60+"), "online_n"] == len(elderly)
    assert coverage.loc[("urban", "rural"), "survey_n"] > 0
    assert data.carry is not None and data.carry["survey_fraction"].between(0, 1).all()


def test_the_online_rake_is_reported_not_estimable_when_a_level_has_no_voice(tmp_path: Path) -> None:
    data = build(tmp_path, "d", list(range(60)))
    rake = data.estimates[data.estimates["method"] == "rake"]
    if data.notes["not_estimable"].get("rake"):
        # no column of dashes: the method is left out and the reason given
        assert rake.empty
        assert data.notes["left_out"]["rake"] == data.notes["not_estimable"]["rake"]
    else:
        assert rake["estimate"].notna().all()
    assert data.estimates.loc[data.estimates["method"] == "blend", "estimate"].notna().all()


def _online_without_the_elderly(tmp_path: Path, lang: str) -> ReportData:
    """An online-only store where nobody of 60 or more writes: raking cannot reach the 60+ margin."""
    gazetteer = load_gazetteer(DEMO / "gazetteer.csv")
    with open_store(tmp_path / f"young-{lang}.db") as store:
        with store.engine.begin() as conn:
            for i in range(40):
                author, text, attrs = [post for post in POSTS if post[0] != "v3"][i % 5]
                upsert_document(conn, {
                    "url": f"http://forum.example/y{i}", "source": "forum", "kind": "post", "content_hash": str(i),
                    "author": f"{author}-{i % 7}", "text": text, "fetched_at": "2026-11-27T00:00:00",
                    "attributes": {k: {"value": v, "provenance": "site"} for k, v in attrs.items()},
                })
        return build_report(store, load_margins(DEMO / "margins.csv"), gazetteer=gazetteer, today=date(2026, 11, 27),
                            options=ReportOptions(replicates=5, seed=3, lang=lang, mrp=False))


def test_a_method_that_cannot_be_weighted_says_why_in_the_report_language(tmp_path: Path) -> None:
    from opinion.reports.render import render_markdown

    zh, en = (_online_without_the_elderly(tmp_path, lang) for lang in ("zh", "en"))
    assert en.notes["left_out"]["rake"] == (
        "'age_group': target level(s) '60+' have no sample unit with a positive weight, so nobody can speak for "
        "them; collect voices in those groups, or merge those levels with a neighbour in both the margins and "
        "the sample")
    assert zh.notes["left_out"]["rake"] == (
        "年龄：'60+' 这些组在样本中没有一个权重为正的人，没有人能代表他们；请在这些组中收集声音，"
        "或在边际表和样本中把这些组与相邻的组合并")
    markdown = render_markdown(zh)
    assert markdown.count("没有人能代表他们") == 2  # the note under the table and the methods left out, once each
    labels = re.findall(r"^- \*\*(.+?)\*\*", markdown, re.MULTILINE)
    assert "未能计算的方法" in labels and "加权变量" in labels and "有效样本量（Kish）" in labels
    assert [label for label in labels if re.fullmatch(r"[a-z\\_]+", label)] == []  # no key shown raw
    english = [line for line in markdown.splitlines() if re.search(r"[A-Za-z]{3,}(?: [A-Za-z,;()']{2,}){4,}", line)]
    assert english == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_method_notes_in_the_report_language(tmp_path: Path, lang: str) -> None:
    with open_store(tmp_path / "e.db") as store:
        import_survey(store, DEMO / "survey.csv", interview_year=2026)
        data = build_report(store, load_margins(DEMO / "margins.csv"), options=ReportOptions(replicates=5, lang=lang))
    assert set(data.notes["method_notes"]) == {"raw", "rake", "survey", "blend", "pseudo", "mrp"}
    assert data.notes["voices_online"] == 0


def test_by_group_breaks_each_topic_down_with_intervals_and_renders(tmp_path: Path) -> None:
    from opinion.reports.render import render_html, render_markdown

    gazetteer = load_gazetteer(DEMO / "gazetteer.csv")
    with open_store(tmp_path / "g.db") as store:
        import_survey(store, DEMO / "survey.csv", interview_year=2026)
        data = build_report(store, load_margins(DEMO / "margins.csv"), gazetteer=gazetteer,
                            options=ReportOptions(replicates=10, by="urban", mrp=False))
    table = data.by_group
    assert table is not None
    assert set(table["level"]) == {"urban", "rural"}
    assert set(table["method"]) == {"raw", "rake", "survey", "blend"}
    survey = table[(table["method"] == "survey") & (table["topic"] == "eldercare")].set_index("level")
    assert survey.loc["rural", "estimate"] > survey.loc["urban", "estimate"]  # the demo's elderly are rural
    assert (survey["ci_low"] <= survey["estimate"]).all() and (survey["estimate"] <= survey["ci_high"]).all()
    assert "分群体的议题份额" in render_markdown(data) and 'id="by-group"' in render_html(data)


def test_by_group_rejects_an_unknown_attribute(tmp_path: Path) -> None:
    from opinion.errors import InputError

    with open_store(tmp_path / "h.db") as store, pytest.raises(InputError, match="'shoe' is not a voice attribute"):
        build_report(store, load_margins(DEMO / "margins.csv"), options=ReportOptions(by="shoe"))


def test_a_budget_adds_the_visit_plan_to_the_report(tmp_path: Path) -> None:
    from opinion.reports.render import render_markdown

    with open_store(tmp_path / "p.db") as store:
        import_survey(store, DEMO / "survey.csv", interview_year=2026)
        data = build_report(store, load_margins(DEMO / "margins.csv"),
                            options=ReportOptions(replicates=5, mrp=False, budget=100, plan_by=("age_group", "urban")))
    assert data.plan is not None and 0 < data.plan["interviews"].sum() <= 100
    assert (data.plan["half_width_after"] <= data.plan["half_width_before"]).all()
    assert "下一步去哪里入户" in render_markdown(data)


def test_texts_segmented_over_worker_processes_give_the_same_report(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    # 300 distinct posts + the survey's answers: above the size where worker processes start
    parallel = build(tmp_path, "w2", list(range(300)), replicates=5, workers=2, unique_texts=True,
                     segment_progress=lambda done, total: seen.append((done, total)))
    single = build(tmp_path, "w1", list(range(300)), replicates=5, unique_texts=True)
    pd.testing.assert_frame_equal(parallel.estimates, single.estimates)
    pd.testing.assert_frame_equal(parallel.words, single.words)
    total = seen[-1][1]
    assert total >= 500 and seen[-1][0] == total  # every text segmented once, the bar reaches the end


def test_the_coding_note_says_how_many_hand_coded_voices_changed_after_the_draw() -> None:
    import numpy as np

    from opinion.estimates.correction import HandSample
    from opinion.reports.build import coding_note
    from opinion.text.coder import load_coder

    coder = load_coder()
    topics = pd.DataFrame({code: [False, True, False] for code in coder.codes})
    hand = HandSample(rows=np.array([1]), codes=np.ones((1, len(coder.codes))), probability=np.array([0.4]),
                      stratum=np.array(["online"]), topics=list(coder.codes), sample="s", changed=2)
    zh = coding_note(topics, topics.any(axis=1), hand, coder, "zh")
    en = coding_note(topics, topics.any(axis=1), hand, coder, "en")
    assert zh["changed_after_draw"] == en["changed_after_draw"] == 2
    assert "另有 2 个人工编码的声音在抽样之后有了新的或改动的文档" in str(zh["correction"])
    assert " 2 hand-coded voices gained or changed documents after the draw" in str(en["correction"])
    hand.changed = 0
    assert "after the draw" not in str(coding_note(topics, topics.any(axis=1), hand, coder, "en")["correction"])
