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
    to_simplified,
)
from opinion.text.topics import code_clauses, load_topics


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
    # As texts are: normalised (traditional characters simplified) and lower-cased.
    broken = [w for topic in load_topics() for w in topic.words if segmenter.segment(w) != [normalize(w).lower()]]
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


# -- inputs as users write them: full-width dictionaries, spaces, traditional characters ------

FILES = Path(__file__).resolve().parents[1] / "data" / "files"


def test_to_simplified_converts_by_phrase_and_leaves_simplified_alone() -> None:
    assert to_simplified("養老院床位不夠，看病難，醫保報銷麻煩") == "养老院床位不够，看病难，医保报销麻烦"
    assert to_simplified("天氣乾燥，乾隆年間") == "天气干燥，乾隆年间"
    assert to_simplified("村里的路太烂了，看病要跑到县里「急」") == "村里的路太烂了，看病要跑到县里「急」"
    assert to_simplified("ASCII only") == "ASCII only"


def test_normalize_simplifies_and_the_store_keeps_what_was_written() -> None:
    original = "城關鎮的５Ｇ基站！！！"
    assert normalize(original) == "城关镇的5G基站！"
    assert original == "城關鎮的５Ｇ基站！！！"  # normalising makes a copy
    assert content_hash("養老院") == content_hash("养老院")


def test_full_width_dictionary_entry_matches_both_widths_and_cases(tmp_path: Path) -> None:
    userdict = tmp_path / "user.txt"
    userdict.write_text("# a user dictionary as a user wrote it\n５Ｇ基站 20000 n\n政务小程序 20000 n\n", encoding="utf-8")
    assert read_userdict(userdict) == [("5G基站", 20000, "n"), ("政务小程序", 20000, "n")]
    seg = Segmenter(userdict=userdict)
    assert seg.segment("村里的５Ｇ基站信号不好，５Ｇ基站要多建").count("5g基站") == 2
    assert "5g基站" in seg.segment("5G基站太少，网速慢")
    assert "5g基站" in seg.segment("5g基站太少")


def test_a_term_with_a_space_without_a_tab_is_refused_with_file_and_line() -> None:
    # c19_userdict.txt line 3 is "Color OS": jieba would read the word Color tagged OS.
    with pytest.raises(InputError) as info:
        read_userdict(FILES / "c19_userdict.txt")
    assert str(info.value) == (f"{FILES / 'c19_userdict.txt'} line 3: 'Color OS' is not 'word [freq] [pos]' (e.g. "
                               "'农村公路 20000 n'); a word with a space goes before a tab: 'Color OS<TAB>' or "
                               "'Color OS<TAB>20000<TAB>nz'")


def test_a_term_with_a_space_before_a_tab_is_kept_whole(tmp_path: Path) -> None:
    userdict = tmp_path / "user.txt"
    userdict.write_text("５Ｇ基站 20000 n\nColor OS\t\n政务小程序 20000 n\n", encoding="utf-8")
    seg = Segmenter(userdict=userdict)
    assert seg.segment("希望开通Color OS政务小程序") == ["希望", "开通", "color os", "政务小程序"]
    assert "color os" in seg.segment("COLOR  OS 好用")  # spaces collapse, case folds
    assert "color os" not in seg.segment("Color OSX 好用")  # not inside a longer word
    assert "color os" in seg.segment_clauses("装了Color OS，很好用")[0]


@pytest.mark.parametrize(("line", "entry"), [
    ("Color OS\t", ("Color OS", None, None)),
    ("Color OS\t2000\tnz", ("Color OS", 2000, "nz")),
    ("Windows 10\t300", ("Windows 10", 300, None)),
    ("云计算 n", ("云计算", None, "n")),
    ("云计算 500", ("云计算", 500, None)),
    ("云计算 500 nz", ("云计算", 500, "nz")),
    ("iPhone 15 x", ("iPhone", 15, "x")),  # jieba's own reading: word, frequency, tag
    ("養老院 20000 n", ("养老院", 20000, "n")),
    ("ＡＰＰ 100 eng", ("APP", 100, "eng")),
])
def test_user_dictionary_lines(tmp_path: Path, line: str, entry: tuple[str, int | None, str | None]) -> None:
    path = tmp_path / "d.txt"
    path.write_text(f"# mine\n{line}\n", encoding="utf-8")
    assert read_userdict(path) == [entry]


@pytest.mark.parametrize(("line", "message"), [
    ("Color OS", r"d.txt line 2: 'Color OS' is not 'word \[freq\] \[pos\]'"),
    ("Color os", r"d.txt line 2: 'Color os' is not"),  # os is not one of jieba's tags
    ("Color OS 2000 nz", r"a word with a space goes before a tab: 'Color OS<TAB>2000<TAB>nz'$"),
    ("Windows 10 300", r"a word with a space goes before a tab: 'Windows 10<TAB>300'$"),
    ("Color OS\tmany\tnz", r"d.txt line 2: frequency 'many' is not a whole number"),
    ("Color OS\t20\tNZ", r"d.txt line 2: part-of-speech tag 'NZ' is not lower-case letters"),
    ("a\tb\tc\td", r"d.txt line 2: 'a\\tb\\tc\\td' is not 'word<TAB>freq<TAB>pos'"),
])
def test_user_dictionary_lines_refused_with_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "d.txt"
    path.write_text(f"# mine\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_userdict(path)


def test_traditional_answer_is_coded_like_its_simplified_twin(segmenter: Segmenter) -> None:
    import csv

    with (FILES / "c19_survey_texts.csv").open(encoding="utf-8") as fh:
        texts = {row["编号"]: row["最关心的问题"] for row in csv.DictReader(fh)}
    lexicon = load_topics()
    traditional = code_clauses(segmenter.segment_clauses(texts["J03"]), lexicon)
    simplified = code_clauses(segmenter.segment_clauses(texts["J04"]), lexicon)
    assert traditional == simplified
    assert {"养老", "医疗"} <= {lexicon.topics[code].label for code in traditional}
    assert segmenter.segment(texts["J03"]) == segmenter.segment(texts["J04"])


def test_fingerprint_names_the_tokenisation_version() -> None:
    assert Segmenter().fingerprint() != Segmenter().fingerprint().replace("0", "1")
    assert Segmenter().fingerprint() == Segmenter().fingerprint()


# --- the rjieba engine ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rjieba_segmenter() -> Segmenter:
    return Segmenter.default(engine="rjieba")


def test_rjieba_engine_loads_the_user_dictionary(tmp_path: Path) -> None:
    userdict = tmp_path / "dict.txt"
    userdict.write_text("# county words\n村村通公交 20000 n\n老旧小区改造\nColor OS\t2000\tnz\n", encoding="utf-8")
    text = "村村通公交什么时候开，老旧小区改造拖了三年，Color OS 也不好用"
    bare = Segmenter(engine="rjieba")
    loaded = Segmenter(userdict=userdict, engine="rjieba")
    for word in ("村村通公交", "老旧小区改造", "Color OS"):
        assert word not in bare.cut(text)
        assert word in loaded.cut(text)
    assert loaded.cut(text) == Segmenter(userdict=userdict, engine="jieba").cut(text)


def test_rjieba_cuts_dates_and_ranges_where_jieba_does(rjieba_segmenter: Segmenter, segmenter: Segmenter) -> None:
    text = "2026-08-13上午反映，房租涨了3.5-4.0万，wi-fi和a_b也不行"
    assert rjieba_segmenter.cut(text) == segmenter.cut(text)
    assert "2026" not in rjieba_segmenter.segment(text)  # numbers are dropped, whichever engine cut them


def test_rjieba_agrees_with_jieba_on_the_blind_texts(segmenter: Segmenter, rjieba_segmenter: Segmenter) -> None:
    import csv

    with (Path(__file__).parents[1] / "data" / "blind" / "topics" / "holdout.csv").open(encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    same = sum(segmenter.segment(t) == rjieba_segmenter.segment(t) for t in texts)
    assert same >= 0.99 * len(texts)


def test_engines_have_their_own_fingerprints_and_workers_keep_the_engine(rjieba_segmenter: Segmenter,
                                                                          segmenter: Segmenter) -> None:
    assert rjieba_segmenter.fingerprint() != segmenter.fingerprint()
    texts = ["我们村的路灯坏了三天", "看病太贵，挂号难"] * 3
    assert rjieba_segmenter.segment_many(texts, workers=2, min_parallel=2) == [
        rjieba_segmenter.segment(t) for t in texts]


def test_engine_comes_from_the_environment_and_an_unknown_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGXIN_SEGMENTER", "rjieba")
    assert Segmenter().engine == "rjieba"
    assert Segmenter(engine="jieba").engine == "jieba"
    monkeypatch.setenv("TONGXIN_SEGMENTER", "thulac")
    with pytest.raises(InputError, match=r"^segmentation engine 'thulac' is not one of jieba, rjieba \(set by "
                                         r"engine= or TONGXIN_SEGMENTER\)$"):
        Segmenter()
