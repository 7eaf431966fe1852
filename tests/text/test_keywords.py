from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from opinion.errors import InputError
from opinion.reports.data import KEYWORD_COLUMNS
from opinion.text.keywords import group_keywords, jieba_idf

IDF = ({"网络": 4.0, "房价": 6.0, "种地": 8.0, "化肥": 8.0}, 5.0)


def voices() -> pd.DataFrame:
    return pd.DataFrame({
        "urban": ["urban", "urban", "rural", "rural", "unknown"],
        "age_group": ["18-29", "18-29", "60+", "60+", "unknown"],
    })


TOKENS = [["网络", "网络", "房价"], ["房价", "网络"], ["种地", "化肥"], ["种地", "化肥", "化肥", "房价"], []]


def test_scores_by_hand() -> None:
    table = group_keywords(voices(), TOKENS, variables=("urban",), idf=IDF)
    assert list(table.columns) == KEYWORD_COLUMNS
    urban = table[table["level"] == "urban"]
    # tf: mean of per-voice shares; idf: mean of the given IDF and ln(4 voices / df).
    assert urban["word"].tolist() == ["网络", "房价"]
    assert urban["score"].tolist() == pytest.approx([
        (2 / 3 + 1 / 2) / 2 * (4.0 + math.log(4 / 2)) / 2,
        (1 / 3 + 1 / 2) / 2 * (6.0 + math.log(4 / 3)) / 2,
    ], abs=1e-6)
    rural = table[table["level"] == "rural"]
    # 房价 is used by one rural voice only: never listed.
    assert rural["word"].tolist() == ["化肥", "种地"]
    assert rural["voices"].tolist() == [2, 2]
    assert rural["score"].iloc[0] == pytest.approx((1 / 2 + 1 / 2) / 2 * (8 + math.log(2)) / 2, abs=1e-6)
    assert set(table["level_label"]) == {"城镇", "乡村"}
    assert "unknown" not in set(table["level"])


def test_prolific_voice_weighs_as_one() -> None:
    frame = pd.DataFrame({"sex": ["male", "male"]})
    table = group_keywords(frame, [["房价"] * 300 + ["网络"] * 300, ["网络"]], variables=("sex",), idf=IDF)
    # 网络: shares 0.5 and 1 -> tf 0.75; 房价 has one voice only.
    assert table["word"].tolist() == ["网络"]
    assert table["score"].iloc[0] == pytest.approx(0.75 * (4.0 + math.log(2 / 2)) / 2)


def test_single_characters_are_not_keywords() -> None:
    frame = pd.DataFrame({"sex": ["female", "female"]})
    table = group_keywords(frame, [["太", "房价"], ["太", "房价"]], variables=("sex",), idf=IDF)
    assert table["word"].tolist() == ["房价"]


def test_top_min_voices_and_missing_variable() -> None:
    table = group_keywords(voices(), TOKENS, variables=("urban", "sex"), idf=IDF, top=1, min_voices=1)
    assert table.groupby("level").size().to_dict() == {"rural": 1, "urban": 1}
    english = group_keywords(voices(), TOKENS, variables=("age_group",), idf=IDF, lang="en")
    assert set(english["level_label"]) == {"18-29", "60+"}
    with pytest.raises(ValueError, match="one per voice"):
        group_keywords(voices(), TOKENS[:2], idf=IDF)


def test_shipped_jieba_idf_and_median_for_unknown_words() -> None:
    idf, median = jieba_idf()
    assert len(idf) > 100_000
    assert idf["问题"] < idf["低保"]  # an everyday word is less rare than a policy term
    assert median == sorted(idf.values())[len(idf) // 2]
    frame = pd.DataFrame({"urban": ["rural", "rural"]})
    table = group_keywords(frame, [["问题", "新农合", "某某词"], ["问题", "新农合", "某某词"]], variables=("urban",))
    # Every voice uses every word: corpus IDF is 0, so the package IDF orders them, the
    # median standing in for a word jieba does not list.
    expected = {w: idf.get(w, median) / 2 / 3 for w in ("问题", "新农合", "某某词")}
    assert "某某词" not in idf
    assert dict(zip(table["word"], table["score"], strict=True)) == pytest.approx(expected)
    assert table["word"].tolist() == sorted(expected, key=lambda w: -expected[w])


def test_bad_idf_file(tmp_path: Path) -> None:
    path = tmp_path / "idf.txt"
    path.write_text("房价 x\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        jieba_idf(str(path))
    with pytest.raises(InputError, match="not found"):
        jieba_idf(str(tmp_path / "none.txt"))
