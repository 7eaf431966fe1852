from __future__ import annotations

import logging
from pathlib import Path

import pytest

from opinion.errors import InputError
from opinion.text.segment import Segmenter
from opinion.text.topics import Topic, TopicLexicon, code_clauses, code_topics, load_topics


@pytest.fixture(scope="module")
def lexicon() -> TopicLexicon:
    return load_topics()


# The twelve codes and labels reports and the demo county depend on, then the three
# hotline classes added later.
ORIGINAL = {
    "healthcare": "医疗", "eldercare": "养老", "education": "教育", "employment": "就业", "housing": "住房",
    "transport": "交通/农村公路", "environment": "环境", "social_security": "社保/低保", "public_safety": "治安",
    "agriculture": "农业农村", "governance": "政务服务/干部作风", "prices": "物价",
}
ADDED = {"urban_construction": "城乡建设", "culture_tourism": "文体旅游", "market_regulation": "市场监管"}


def test_shipped_lexicon_has_fifteen_topics(lexicon: TopicLexicon) -> None:
    assert len(lexicon) == 15
    # The original twelve keep their codes, labels and order; the three new ones follow.
    assert {code: lexicon.topics[code].label for code in lexicon.codes[:12]} == ORIGINAL
    assert list(lexicon.codes[:12]) == list(ORIGINAL)
    assert {code: lexicon.topics[code].label for code in lexicon.codes[12:]} == ADDED
    assert all(topic.words for topic in lexicon)


def test_every_shipped_topic_has_a_hotline_category_and_a_real_vocabulary(lexicon: TopicLexicon) -> None:
    assert {t.code: t.category for t in lexicon} == {
        "healthcare": "卫生健康", "eldercare": "民政", "education": "教育", "employment": "劳动和社会保障",
        "housing": "城乡建设", "transport": "交通运输", "environment": "生态环境", "social_security": "民政",
        "public_safety": "公共安全", "agriculture": "农业农村", "governance": "政务服务", "prices": "商贸和市场监管",
        "urban_construction": "城乡建设", "culture_tourism": "文化旅游", "market_regulation": "商贸和市场监管",
    }
    assert lexicon.categories["城乡建设"] == ("housing", "urban_construction")
    # Tens of words each, colloquial and compound forms included (物价 is the narrowest:
    # its complaints mostly say 贵 or 涨, too vague to count).
    assert all(35 <= len(t.words) <= 100 for t in lexicon), {t.code: len(t.words) for t in lexicon}


@pytest.mark.parametrize("text,code", [
    ("老人独居，希望有人上门照料", "eldercare"),
    ("村里的路坑坑洼洼，一下雨就没法走", "transport"),
    ("小区三天两头停水，也不提前通知", "urban_construction"),
    ("县图书馆周一闭馆，想看书都没地方去", "culture_tourism"),
    ("办的健身卡老板卷款跑了，预付卡谁来管", "market_regulation"),
])
def test_everyday_phrasings_reach_their_topic(segmenter: Segmenter, lexicon: TopicLexicon, text: str, code: str) -> None:
    assert code in code_topics(segmenter.segment(text), lexicon)


def test_a_users_taxonomy_without_categories_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("roads:\n  label: 道路\n  label_en:\n  words: [修路, 路灯]\nwater:\n  label: 供水\n"
                    "  label_en: Water\n  category: ''\n  words: [停水]\n  exclude: [停水通知]\n", encoding="utf-8")
    mine = load_topics(path)
    assert mine.codes == ("roads", "water")
    assert mine.topics["roads"] == Topic("roads", "道路", "roads", ("修路", "路灯"))
    assert mine.topics["water"].category == "" and mine.topics["water"].exclude == ("停水通知",)
    assert mine.categories == {}
    assert code_topics(["路灯", "坏", "停水"], mine) == {"roads": ["路灯"], "water": ["停水"]}


@pytest.mark.parametrize("entry,message", [
    ("  label: 123\n  words: [看病]\n", r"topics.yaml: topic 'healthcare' 'label' must be non-empty text, got 123"),
    ("  label: 医疗\n  category: [卫生, 健康]\n  words: [看病]\n",
     r"topics.yaml: topic 'healthcare' 'category' must be non-empty text, got \['卫生', '健康'\]"),
    ("  label: 医疗\n  label_en: {en: Health}\n  words: [看病]\n",
     r"topics.yaml: topic 'healthcare' 'label_en' must be non-empty text, got \{'en': 'Health'\}"),
    ("  label: 医疗\n  words: [看病, 12345]\n",
     r"topics.yaml: topic 'healthcare' word 12345 is not a non-empty string; YAML read it as a number"),
    ("  label: 医疗\n  words: [看病]\n  exclude: 医院门口\n",
     r"topics.yaml: topic 'healthcare' 'exclude' must be a list of words, got '医院门口'"),
    ("  label: 医疗\n  words: [看病]\n  exclude: [yes]\n",
     r"topics.yaml: topic 'healthcare' exclude word True is not a non-empty string; YAML read it as a number or true"),
])
def test_a_value_of_the_wrong_kind_is_one_line_naming_file_topic_and_value(tmp_path: Path, entry: str,
                                                                          message: str) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text("healthcare:\n" + entry, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_topics(path)
    assert "\n" not in str(caught.value)


def test_words_are_read_as_texts_are(tmp_path: Path, segmenter: Segmenter) -> None:
    # Texts are simplified and lower-cased before they are cut, so words are too.
    path = tmp_path / "topics.yaml"
    path.write_text("eldercare:\n  label: 养老\n  words: [養老院, 养老院, ＥＴＣ]\n", encoding="utf-8")
    lexicon = load_topics(path)
    assert lexicon.topics["eldercare"].words == ("养老院", "etc")
    assert code_topics(segmenter.segment("養老院太貴了"), lexicon) == {"eldercare": ["养老院"]}


def test_an_unknown_key_is_loaded_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text("healthcare:\n  label: 医疗\n  words: [看病]\n  exlude: [医院门口]\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="opinion.text.topics"):
        assert load_topics(path).topics["healthcare"].exclude == ()
    assert "ignoring unknown key(s) exlude" in caplog.text


def test_words_are_found_wherever_they_sit_in_the_text() -> None:
    # The prefix index must find one-character words and words at the very end.
    lex = TopicLexicon({"transport": Topic("transport", "交通", "Transport", ("桥", "红绿灯")),
                        "prices": Topic("prices", "物价", "Prices", ("菜价",))})
    assert lex.words_by_prefix["桥"] == ((0, "桥"),) and lex.words_by_prefix["红绿"] == ((1, "红绿灯"),)
    assert code_topics(["桥", "塌"], lex) == {"transport": ["桥"]}
    assert code_topics(["路口", "没有", "红绿灯"], lex) == {"transport": ["红绿灯"]}
    assert code_topics(["菜价", "桥"], lex) == {"transport": ["桥"], "prices": ["菜价"]}


def test_matched_words_are_kept_for_audit(segmenter: Segmenter, lexicon: TopicLexicon) -> None:
    tokens = segmenter.segment("村里的农村公路坏了，看病要去县医院，医院太远")
    coded = code_topics(tokens, lexicon)
    assert coded == {"transport": ["农村公路"], "healthcare": ["看病", "医院"]}


def test_negation_before_and_after(segmenter: Segmenter, lexicon: TopicLexicon) -> None:
    assert code_clauses(segmenter.segment_clauses("看病没问题"), lexicon) == {}
    assert code_clauses(segmenter.segment_clauses("医疗不担心"), lexicon) == {}
    assert code_clauses(segmenter.segment_clauses("我不担心养老"), lexicon) == {}
    # Plain 没有 is a complaint, not a negation.
    assert "healthcare" in code_clauses(segmenter.segment_clauses("村里没有卫生室"), lexicon)


def test_negation_stays_in_its_clause(segmenter: Segmenter, lexicon: TopicLexicon) -> None:
    coded = code_clauses(segmenter.segment_clauses("看病没问题，就是修路太难"), lexicon)
    assert coded == {"transport": ["修路"]}
    # Flat tokens with punctuation tokens split clauses too.
    assert code_topics(["医院", "，", "修路", "没问题"], lexicon) == {"healthcare": ["医院"]}


def test_phrase_across_tokens_aligned_only() -> None:
    lex = TopicLexicon({"eldercare": Topic("eldercare", "养老", "Elderly care", ("老人没人照顾",)),
                        "healthcare": Topic("healthcare", "医疗", "Healthcare", ("医生",))})
    assert code_topics(["家里", "老人", "没人", "照顾"], lex) == {"eldercare": ["老人没人照顾"]}
    assert code_topics(["卫生室", "生意"], lex) == {}


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text("healthcare:\n  label: 医疗\n  words: [看病\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"topics.yaml line \d+: not valid YAML"):
        load_topics(path)


def test_topic_without_words(tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text("healthcare:\n  label: 医疗\n  label_en: Healthcare\n  words: []\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"topics.yaml: topic 'healthcare' has no words"):
        load_topics(path)


def test_compound_tokens_carry_their_topic_word_unless_excluded() -> None:
    lexicon = load_topics()
    assert "transport" in code_topics(["公交车", "太", "少"], lexicon)
    assert "eldercare" in code_topics(["社区", "养老服务", "跟不上"], lexicon)
    assert "employment" not in code_topics(["工作人员", "态度", "差"], lexicon)


def test_a_token_that_is_a_lexicon_word_is_not_also_read_as_its_parts() -> None:
    lexicon = load_topics()
    coded = code_topics(["养老保险", "断缴"], lexicon)
    assert "social_security" in coded and "eldercare" not in coded
