from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opinion.errors import InputError
from opinion.files.resources import data_file
from opinion.text.segment import (
    Segmenter,
    content_hash,
    load_keep,
    load_stopwords,
    normalize,
    read_userdict,
    segment_many,
)
from opinion.text.topics import load_topics


def test_normalize() -> None:
    assert normalize("ＡＰＰ１２３　很难用") == "APP123 很难用"
    assert normalize("太差了！！！真的。。。") == "太差了！真的。"
    assert normalize("不\u200b作\u200d为") == "不作为"
    assert normalize("  多个   空格\n\t换行 ") == "多个 空格 换行"
    # Chinese clause punctuation keeps its full-width form.
    assert normalize("看病难，怎么办？（急）") == "看病难，怎么办？（急）"


def test_content_hash_is_of_normalised_text() -> None:
    assert content_hash("太差了！！！") == content_hash("太差了！")
    assert content_hash("太差了") != content_hash("太好了")
    assert len(content_hash("x")) == 64


def test_shipped_lists() -> None:
    stop, keep = load_stopwords(), load_keep()
    assert len(stop) >= 300 and "楼主" in stop and "的" in stop
    assert {"不", "没有", "问题", "反映", "希望"} <= keep
    assert len(read_userdict(data_file("lexicon", "userdict.txt"))) >= 200


def test_keep_list_survives_even_as_stopword() -> None:
    seg = Segmenter(stopwords=frozenset({"不", "没有", "的"}), keep=frozenset({"不", "没有"}))
    tokens = seg.segment("医保不报销，卫生室也没有药的")
    assert "不" in tokens and "没有" in tokens and "的" not in tokens


def test_filters(segmenter: Segmenter) -> None:
    tokens = segmenter.segment("楼主顶！电话[手机号]，见 https://www.example.com/a?b=1 花了3000元 😂 a 垃圾")
    assert "手机号" not in tokens and "[" not in tokens
    assert not any(t in tokens for t in ("楼主", "顶", "https", "example", "3000", "😂", "a", "！"))
    assert "垃圾" in tokens


def test_user_dictionary_terms_stay_whole(segmenter: Segmenter) -> None:
    tokens = segmenter.segment("希望把农村公路修好，医保报销也太慢，三会一课不能软弱涣散")
    assert {"农村公路", "医保报销", "三会一课", "软弱涣散"} <= set(tokens)
    # A segmenter without the user dictionary splits them: no state leaks between instances.
    plain = Segmenter().segment("医保报销和日间照料")
    assert "医保报销" not in plain and "日间照料" not in plain


def test_every_topic_word_is_one_token(segmenter: Segmenter) -> None:
    broken = [w for topic in load_topics() for w in topic.words if segmenter.segment(w) != [w]]
    assert broken == []


def test_segment_many_parallel_matches_sequential(segmenter: Segmenter) -> None:
    texts = [f"第{i}封信：村里的农村公路坏了，看病难，养老金太低。" if i % 2 else "物业费涨价了！！！" for i in range(40)]
    sequential = segmenter.segment_many(texts, workers=1)
    parallel = segmenter.segment_many(texts, workers=2, min_parallel=0)
    assert parallel == sequential == [segmenter.segment(t) for t in texts]
    assert segment_many(texts[:3]) == sequential[:3]


def test_bad_userdict(tmp_path: Path) -> None:
    path = tmp_path / "user.txt"
    path.write_text("# comment\n农村公路 20000 n\n坏 行 x y\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"user.txt line 3: '坏 行 x y'"):
        Segmenter(userdict=path)
    with pytest.raises(InputError, match="not found"):
        Segmenter(userdict=tmp_path / "missing.txt")


_MIXED = st.text(alphabet=st.sampled_from(list("看病难医保ＡＢＣ１２３，！？：；（）～…。、\u3000 \t!!..abcXYZ０９＠％")), max_size=40)


@settings(max_examples=300)
@given(_MIXED)
def test_normalize_folds_like_nfkc_character_by_character(text: str) -> None:
    """Reference: NFKC of each character alone, Chinese clause punctuation exempt."""
    keep = set("，！？：；（）～…")
    folded = "".join(ch if ch in keep else unicodedata.normalize("NFKC", ch) for ch in text)
    folded = re.sub(r"\s+", " ", folded).strip()
    folded = re.sub(r"([^\w\s\[\]])\1+", r"\1", folded)
    assert normalize(text) == folded


def test_extra_user_dictionaries_load_after_the_shipped_one(tmp_path: Path) -> None:
    mine = tmp_path / "mine.txt"
    mine.write_text("老破小 99999 n\n", encoding="utf-8")
    shipped = Segmenter.default()
    extended = Segmenter.default(extra_userdicts=[mine])
    assert "老破小" not in shipped.segment("老破小房子漏水")
    assert "老破小" in extended.segment("老破小房子漏水")
    assert extended.userdicts[-1] == str(mine) and len(extended.userdicts) == 2
    assert extended.fingerprint() != shipped.fingerprint()
    # Filtering is memoised per token: the same answer the second time.
    assert extended.segment("老破小房子漏水，太麻烦！") == extended.segment("老破小房子漏水，太麻烦！")
