from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from opinion.errors import InputError
from opinion.text.segment import Segmenter
from opinion.text.tone import (
    ToneLexicon,
    evaluate_tone,
    load_tone_lexicon,
    tone_of_text,
    tone_of_tokens,
    tone_summary,
    tone_table,
)
from tests.helpers import TEST_DATA

SAMPLE = TEST_DATA / "tone_labelled.csv"


@pytest.fixture(scope="module")
def lexicon() -> ToneLexicon:
    return load_tone_lexicon()


def small() -> ToneLexicon:
    return ToneLexicon(
        positive={"满意": 1.0, "方便": 1.0}, negative={"贵": 1.0, "担心": 1.0},
        negators={"不": 1.0}, degree={"太": 2.0, "有点": 0.5}, window=2,
        negated_positive=0.8, negated_negative=0.5,
        excess=frozenset({"多"}), excess_triggers=frozenset({"太"}), reversers=frozenset({"减轻"}),
        contrast=frozenset({"就是"}), contrast_weight=2.0,
    )


def test_polar_words_degree_and_negation() -> None:
    lex = small()
    assert tone_of_tokens(["看病", "方便"], lex).score == 1.0
    assert tone_of_tokens(["药", "太", "贵"], lex).score == -2.0
    assert tone_of_tokens(["药", "有点", "贵"], lex).score == -0.5
    assert tone_of_tokens(["不", "满意"], lex).score == pytest.approx(-0.8)
    assert tone_of_tokens(["不", "担心"], lex).score == pytest.approx(0.5)
    assert tone_of_tokens(["不", "不", "满意"], lex).score == 1.0  # two negators cancel
    assert tone_of_tokens([], lex).label == "neutral"


def test_negator_stays_in_its_window_and_clause() -> None:
    lex = small()
    # 不 three tokens before 满意 is outside a window of 2.
    assert tone_of_tokens(["不", "知道", "现在", "满意"], lex).score == 1.0
    # A clause break stops the negator.
    assert tone_of_tokens(["不", "，", "满意"], lex).score == 1.0
    # A negator applies to one polar word only.
    assert tone_of_tokens(["不", "满意", "方便"], lex).score == pytest.approx(0.2)


def test_glued_modifiers_excess_reversers_and_contrast() -> None:
    lex = small()
    assert tone_of_tokens(["太贵"], lex).score == -2.0  # 太贵 read as 太 + 贵
    assert tone_of_tokens(["人", "太", "多"], lex).score == -2.0
    assert tone_of_tokens(["人", "多"], lex).score == 0.0  # 多 alone is not a complaint
    assert tone_of_tokens(["减轻", "担心"], lex).score == pytest.approx(0.5)
    tone = tone_of_tokens(["方便", "就是", "贵"], lex)
    assert tone.score == -1.0 and tone.label == "negative"
    assert [h.word for h in tone.hits] == ["方便", "贵"]


def test_shipped_lexicon_reads_typical_sentences(segmenter: Segmenter, lexicon: ToneLexicon) -> None:
    assert tone_of_text("医保报销手续太麻烦了，跑了三趟还没办下来。", segmenter, lexicon).label == "negative"
    assert tone_of_text("办事大厅的工作人员很热情，一次就帮我办好了。", segmenter, lexicon).label == "positive"
    assert tone_of_text("请问幼儿园什么时候开始报名？", segmenter, lexicon).label == "neutral"
    assert tone_of_text("不满意，看病太贵了。", segmenter, lexicon).label == "negative"


def test_tone_table_and_summary(lexicon: ToneLexicon) -> None:
    index = pd.Index(["a", "b", "c"])
    table = tone_table([["很", "满意"], ["太", "麻烦"], ["请问"]], lexicon, index)
    assert table["tone"].tolist() == ["positive", "negative", "neutral"]
    assert table.loc["b", "tone_words"] == "麻烦"
    summary = tone_summary(table, pd.Series(["online", "online", "survey"], index=index))
    assert summary["online"] == {"voices": 2, "positive": 0.5, "neutral": 0.0, "negative": 0.5}
    assert summary["survey"]["neutral"] == 1.0


def test_bad_lexicon(tmp_path: Path) -> None:
    path = tmp_path / "tone.yaml"
    path.write_text("positive: {好: 1}\nnegative: {好: 1}\nnegators: {不: 1}\ndegree: {很: 1.5}\n", encoding="utf-8")
    with pytest.raises(InputError, match="both positive and negative"):
        load_tone_lexicon(path)
    path.write_text("positive: {好: -1}\nnegative: {差: 1}\nnegators: {不: 1}\ndegree: {很: 1.5}\n", encoding="utf-8")
    with pytest.raises(InputError, match="weight -1"):
        load_tone_lexicon(path)
    with pytest.raises(InputError, match="not found"):
        load_tone_lexicon(tmp_path / "missing.yaml")


def test_labelled_sample_is_large_and_from_both_sources() -> None:
    with SAMPLE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 200
    for source in ("online", "survey"):
        mine = [r for r in rows if r["source"] == source]
        assert len(mine) >= 100
        assert {r["label"] for r in mine} == {"positive", "neutral", "negative"}


# Floors a little under the figures in data/lexicon/README.md. The dev rows were used to
# tune the lexicon (their score is optimistic); the holdout rows never were.
@pytest.mark.parametrize(("split", "min_accuracy", "min_precision_negative", "min_precision_positive"),
                         [("dev", 0.90, 0.93, 0.95), ("holdout", 0.62, 0.70, 0.85)])
def test_accuracy_on_labelled_sample(
    segmenter: Segmenter, lexicon: ToneLexicon, split: str, min_accuracy: float,
    min_precision_negative: float, min_precision_positive: float,
) -> None:
    scores = evaluate_tone(SAMPLE, segmenter, lexicon, split=split)
    assert scores["accuracy"] >= min_accuracy, scores
    assert scores["precision_negative"] >= min_precision_negative, scores
    assert scores["precision_positive"] >= min_precision_positive, scores
