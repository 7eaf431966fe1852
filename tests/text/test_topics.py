from __future__ import annotations

from pathlib import Path

import pytest

from opinion.errors import InputError
from opinion.text.segment import Segmenter
from opinion.text.topics import Topic, TopicLexicon, code_clauses, code_topics, load_topics


@pytest.fixture(scope="module")
def lexicon() -> TopicLexicon:
    return load_topics()


def test_shipped_lexicon_has_twelve_topics(lexicon: TopicLexicon) -> None:
    assert len(lexicon) == 12
    assert lexicon.topics["transport"].label == "交通/农村公路"
    assert all(topic.words for topic in lexicon)


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
