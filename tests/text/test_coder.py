"""The topic coders: a model learned from labelled texts, the lexicon behind the same interface."""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opinion.errors import InputError
from opinion.text.coder import (
    LearnedCoder,
    LexiconCoder,
    Scores,
    TopicCoder,
    as_coder,
    load_coder,
    read_examples,
    score_coder,
    train_coder,
)
from opinion.text.measures import topic_matrix
from opinion.text.segment import Segmenter
from opinion.text.topics import code_topics, load_topics
from tests.helpers import TEST_DATA

BLIND = TEST_DATA / "blind" / "topics"

# Three topics told apart by their own words, written the way people write them.
PHRASES = {
    "healthcare": ["医院挂号排队太久", "看病报销比例太低", "卫生院没有医生坐诊", "药费太贵吃不起药", "住院押金交不起"],
    "transport": ["马路坑坑洼洼没法走", "路灯坏了晚上很黑", "公交车班次太少", "村里的路一下雨全是泥", "红绿灯时间太短"],
    "education": ["孩子上学太远", "学校收费不合理", "幼儿园学位不够", "老师布置作业太多", "校车接送不安全"],
}
NONE = ["谢谢领导的关心", "今天天气不错", "请问办公时间是几点", "祝大家新年快乐", "感谢工作人员的帮助"]
OPENERS = ["反映一下，", "我想说，", "", "领导您好，", "大家评评理，"]
CLOSERS = ["，希望解决。", "，请尽快处理！", "。", "，真的很着急。", "，谢谢。"]


def write_labelled(path: Path, n: int = 90, seed: int = 3) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    rows = []
    codes = list(PHRASES)
    for i in range(n):
        kind = i % 5
        if kind == 4:
            text, topics = rng.choice(NONE), ""
        elif kind == 3:  # two concerns in one text
            a, b = rng.sample(codes, 2)
            text, topics = f"{rng.choice(PHRASES[a])}，还有{rng.choice(PHRASES[b])}", f"{a};{b}"
        else:
            code = codes[kind]
            text, topics = rng.choice(PHRASES[code]), code
        rows.append((f"{rng.choice(OPENERS)}{text}{rng.choice(CLOSERS)}", topics))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text", "topics"])
        writer.writerows((f"r{i}", text, topics) for i, (text, topics) in enumerate(rows))
    return rows


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[LearnedCoder, Scores, Path]:
    path = tmp_path_factory.mktemp("coder") / "labelled.csv"
    write_labelled(path)
    coder, scores = train_coder(read_examples(path), folds=3)
    return coder, scores, path


def test_training_learns_separable_topics(trained: tuple[LearnedCoder, Scores, Path], segmenter: Segmenter) -> None:
    coder, scores, _ = trained
    assert coder.codes == ("healthcare", "education", "transport")  # in the shipped lexicon's order
    assert scores.folds == 3 and scores.texts == 90 and scores.note == ""
    assert scores.micro.f1 is not None and scores.micro.f1 >= 0.9, scores
    for topic in scores.topics:
        assert (topic.precision or 0) >= 0.8 and (topic.recall or 0) >= 0.8, topic
    # Texts never seen, phrased differently.
    assert set(coder.code_text("镇医院看病太贵了", segmenter)) == {"healthcare"}
    assert set(coder.code_text("门口的马路坑坑洼洼，路灯也不亮", segmenter)) == {"transport"}
    assert set(coder.code_text("孩子的学校太远了，上学不方便", segmenter)) == {"education"}
    assert coder.code_text("谢谢领导，祝新年快乐", segmenter) == {}
    # Labels come from the shipped lexicon for codes it knows.
    assert coder.topics["healthcare"].label == load_topics().topics["healthcare"].label


def test_json_round_trip_codes_identically(trained: tuple[LearnedCoder, Scores, Path], tmp_path: Path,
                                           segmenter: Segmenter) -> None:
    coder, _, path = trained
    saved = coder.save(tmp_path / "model.coder.json")
    loaded = load_coder(saved)
    assert isinstance(loaded, LearnedCoder)
    assert loaded.fingerprint == coder.fingerprint and loaded.codes == coder.codes
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["format"] == "tongxin-topic-coder" and "pickle" not in saved.read_text(encoding="utf-8")
    assert {"vocabulary", "idf", "topics", "segmenter", "fingerprint", "validation"} <= set(document)
    assert {"coef", "intercept", "threshold", "label", "label_en"} <= set(document["topics"][0])
    assert document["segmenter"]["fingerprint"] == segmenter.fingerprint()
    texts = [row[1] for row in csv.reader(path.read_text(encoding="utf-8").splitlines())][1:]
    texts += ["医院门口的路灯坏了", "学校旁边的公交车太挤", ""]
    for text in texts:
        tokens = segmenter.segment(text)
        assert np.array_equal(loaded.scores(tokens), coder.scores(tokens))
        assert loaded.code_tokens(tokens) == coder.code_tokens(tokens)


def test_evidence_words_are_tokens_of_the_text(trained: tuple[LearnedCoder, Scores, Path], segmenter: Segmenter) -> None:
    coder, _, _ = trained
    text = "反映一下，卫生院没有医生坐诊，还有村里的路一下雨全是泥，希望解决。"
    tokens = segmenter.segment(text)
    coded = coder.code_tokens(tokens)
    assert set(coded) == {"healthcare", "transport"}
    for code, evidence in coded.items():
        assert evidence and len(evidence) <= 5 and len(set(evidence)) == len(evidence)
        assert set(evidence) <= set(tokens), (code, evidence, tokens)
    assert {"医生", "卫生院"} & set(coded["healthcare"])
    assert not {"医生", "卫生院"} & set(coded["transport"])


def test_the_lexicon_is_a_coder_that_codes_as_before(segmenter: Segmenter) -> None:
    lexicon = load_topics()
    coder: TopicCoder = as_coder(lexicon)
    assert isinstance(coder, LexiconCoder) and coder.codes == lexicon.codes
    assert coder.topics["healthcare"].label == lexicon.topics["healthcare"].label
    assert as_coder(None).fingerprint == coder.fingerprint == load_coder().fingerprint
    for text in ("看病难，医保报销慢", "看病没问题，就是修路太难", "谢谢"):
        tokens = segmenter.segment(text)
        assert coder.code_tokens(tokens) == code_topics(tokens, lexicon)
    index = pd.Index(["a", "b"])
    by_lexicon = topic_matrix([["看病", "贵"], ["房价", "太高"]], lexicon, index)
    by_coder = topic_matrix([["看病", "贵"], ["房价", "太高"]], coder, index)
    pd.testing.assert_frame_equal(by_lexicon[0], by_coder[0])
    assert by_lexicon[1].tolist() == by_coder[1].tolist()


def test_topic_matrix_takes_a_learned_coder(trained: tuple[LearnedCoder, Scores, Path], segmenter: Segmenter) -> None:
    coder, _, _ = trained
    tokens = [segmenter.segment("看病报销比例太低"), segmenter.segment("谢谢领导的关心")]
    topics, evidence = topic_matrix(tokens, coder, pd.Index(["a", "b"]))
    assert list(topics.columns) == list(coder.codes)
    assert topics.loc["a"].tolist() == [code == "healthcare" for code in coder.codes] and not topics.loc["b"].any()
    assert set(evidence["a"]) == {"healthcare"} and evidence["b"] == {}


def test_zero_one_columns_and_excel_encodings_are_read(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    rows = write_labelled(tmp_path / "long.csv", n=30)
    lines = ["text\thealthcare\ttransport"] + [
        f"{text}\t{int('healthcare' in topics)}\t{'1' if 'transport' in topics else ''}" for text, topics in rows
    ]
    path.write_bytes("\n".join(lines).encode("gbk"))
    examples = read_examples(path, labels="healthcare,transport")
    assert examples.codes == ("healthcare", "transport") and len(examples) == 30
    assert examples.labels[:, 0].sum() == sum("healthcare" in t for _, t in rows)
    assert examples.lines[0] == 2


def _one_line_error(path: Path, match: str, **kwargs: object) -> str:
    with pytest.raises(InputError, match=match) as info:
        read_examples(path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def test_bad_files_are_one_line_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    _one_line_error(empty, "the file is empty")
    header = tmp_path / "header.csv"
    header.write_text("text,topics\n", encoding="utf-8")
    _one_line_error(header, "no labelled rows")
    no_text = tmp_path / "no_text.csv"
    no_text.write_text("内容,topics\n看病难,healthcare\n", encoding="utf-8")
    assert "missing column(s) text" in _one_line_error(no_text, "missing column")
    _one_line_error(no_text, "missing column", labels="healthcare,transport", text_column="内容")
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("text,topics\n看病难,healthcare\n看病贵,healthcare\n路不好,医疗;transport\n", encoding="utf-8")
    assert "line 4" in _one_line_error(unknown, "'医疗' is not a topic code")
    zero_one = tmp_path / "zero_one.csv"
    zero_one.write_text("text,healthcare,transport\n看病难,1,0\n路不好,yes,1\n", encoding="utf-8")
    assert "line 3" in _one_line_error(zero_one, "column healthcare holds 'yes'", labels="healthcare,transport")
    typo = tmp_path / "typo.csv"
    typo.write_text("text,topics\n看病难,healthcare\n看病贵,healthcare\n路不好,transprot\n天气好,\n", encoding="utf-8")
    assert "line 4" in _one_line_error(typo, "topic 'transprot' labels 1 text", min_examples=2)
    # scoring needs no minimum; training does
    with pytest.raises(InputError, match=r"typo.csv: topic 'transprot' labels 1 of 4 texts; learning it needs at least 2"):
        train_coder(read_examples(typo))
    blank = tmp_path / "blank.csv"
    blank.write_text("text,topics\n看病难,healthcare\n,healthcare\n", encoding="utf-8")
    assert "line 3" in _one_line_error(blank, "the text cell is blank")
    _one_line_error(tmp_path / "missing.csv", "no such file")


def test_few_examples_mean_fewer_folds_and_say_so(tmp_path: Path) -> None:
    path = tmp_path / "few.csv"
    rows = write_labelled(tmp_path / "base.csv", n=40)
    rows = [(t, c) for t, c in rows if "education" not in c] + [("孩子上学太远", "education")] * 3
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("text", "topics"), *rows])
    _, scores = train_coder(read_examples(path), folds=5)
    assert scores.folds == 3 and "only 3 texts with topic 'education'" in scores.note


def test_malformed_model_files_are_one_line_errors(trained: tuple[LearnedCoder, Scores, Path], tmp_path: Path) -> None:
    coder, _, _ = trained
    cases = {
        "missing.json": None,
        "not_json.json": "{not json",
        "other.json": json.dumps({"format": "something else"}),
    }
    document = json.loads(coder.to_json())
    document["topics"][0]["coef"][0] += 1.0
    cases["edited.json"] = json.dumps(document)
    document = json.loads(coder.to_json())
    del document["idf"]
    cases["no_idf.json"] = json.dumps(document)
    document = json.loads(coder.to_json())
    document["topics"][0]["coef"] = document["topics"][0]["coef"][:-1]
    cases["short.json"] = json.dumps(document)
    expected = {"missing.json": "no such coder file", "not_json.json": "invalid JSON at line 1",
                "other.json": "not a topic coder file", "edited.json": "do not match the file's fingerprint",
                "no_idf.json": "field 'idf' missing", "short.json": "must be a list of"}
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=expected[name]) as info:
            load_coder(path)
        assert "\n" not in str(info.value) and str(path) in str(info.value)
    relabelled = json.loads(coder.to_json())
    relabelled["topics"][0]["label"] = "看病"
    (tmp_path / "relabelled.json").write_text(json.dumps(relabelled, ensure_ascii=False), encoding="utf-8")
    loaded = load_coder(tmp_path / "relabelled.json")
    assert loaded.topics[coder.codes[0]].label == "看病" and loaded.fingerprint == coder.fingerprint


def test_a_lexicon_file_is_a_coder_too(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("roads:\n  label: 道路\n  label_en: Roads\n  words: [修路, 路灯]\n", encoding="utf-8")
    coder = load_coder(path)
    assert isinstance(coder, LexiconCoder) and coder.codes == ("roads",) and coder.name == "lexicon mine.yaml"
    assert coder.code_tokens(["路灯", "不亮"]) == {"roads": ["路灯"]}


# Holdout micro-F1 measured once with the settings chosen on dev (docs/coder.md); the
# floor leaves room for other platforms' floating point and small library changes.
HOLDOUT_MICRO_F1 = 0.707
MARGIN = 0.03


@pytest.mark.slow
def test_blind_holdout_score_stays_where_it_was_measured(segmenter: Segmenter) -> None:
    coder, _ = train_coder(read_examples(BLIND / "dev.csv"), segmenter=segmenter)
    scores = score_coder(coder, read_examples(BLIND / "holdout.csv"), segmenter)
    assert scores.texts == 605
    assert scores.micro.f1 is not None and scores.micro.f1 >= HOLDOUT_MICRO_F1 - MARGIN, scores.micro
