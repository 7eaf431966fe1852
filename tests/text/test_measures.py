from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from opinion.store.db import open_store, segment_cache
from opinion.text.measures import cache_key, topic_matrix, voice_tokens, word_matrix
from opinion.text.segment import Segmenter
from opinion.text.topics import load_topics


class CountingSegmenter(Segmenter):
    """A real segmenter that also counts the texts it was asked to segment."""

    calls = 0

    def segment(self, text: str, *, normalized: bool = False) -> list[str]:
        type(self).calls += 1
        return super().segment(text, normalized=normalized)


def test_cache_segments_each_text_once_per_configuration(tmp_path: Path) -> None:
    texts = [["看病难，医保报销慢", "看病难，医保报销慢"], ["老破小房子漏水"], []]
    seg = CountingSegmenter(userdict=None)
    with open_store(tmp_path / "m.db") as store:
        first = voice_tokens(store, texts, seg)
        assert CountingSegmenter.calls == 2  # the repeated text once
        again = voice_tokens(store, texts, seg)
        assert again == first and CountingSegmenter.calls == 2
        assert first[0] == first[0][: len(first[0]) // 2] * 2 and first[2] == []
        userdict = tmp_path / "u.txt"
        userdict.write_text("老破小 99999 n\n", encoding="utf-8")
        other = CountingSegmenter(userdict=userdict)
        tokens = voice_tokens(store, texts, other)
        assert CountingSegmenter.calls == 4  # new configuration: segmented again
        assert "老破小" in tokens[1] and "老破小" not in first[1]
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(segment_cache)).scalar_one() == 4


def test_fingerprint_follows_content(tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_text("老破小 99999 n\n", encoding="utf-8")
    before = Segmenter(userdict=path).fingerprint()
    assert Segmenter(userdict=path).fingerprint() == before
    path.write_text("老破小 99999 n\n新农合 20000 n\n", encoding="utf-8")
    assert Segmenter(userdict=path).fingerprint() != before
    assert Segmenter(stopwords=frozenset({"的"})).fingerprint() != Segmenter().fingerprint()
    assert cache_key("太差了！！！", before) == cache_key("太差了！", before)  # keyed on normalised text
    assert cache_key("太差了", before) != cache_key("太差了", Segmenter().fingerprint())


def test_word_matrix_normalises_per_voice() -> None:
    index = pd.Index(["a", "b", "c"])
    matrix = word_matrix([["路", "路", "路", "灯"], ["路", "灯"], ["水"]], index)
    assert list(matrix.columns) == ["路", "灯"]  # 水: one voice only
    assert matrix.loc["a"].tolist() == [0.75, 0.25]
    assert matrix.loc["b"].tolist() == [0.5, 0.5]
    assert matrix.loc["c"].sum() == 0


def test_topic_matrix_keeps_the_audit_trail() -> None:
    lexicon = load_topics()
    index = pd.Index(["a", "b"])
    topics, matched = topic_matrix([["看病", "贵"], ["房价", "太高"]], lexicon, index)
    assert topics.shape == (2, len(lexicon))
    assert topics.loc["a"].sum() >= 1 and topics.loc["b"].sum() >= 1
    for voice in index:
        for code, words in matched[voice].items():
            assert topics.loc[voice, code] and words


def test_progress_follows_uncached_texts(tmp_path: Path) -> None:
    texts = [[f"第{i}条：村里的路太烂了"] for i in range(450)]
    seen: list[tuple[int, int]] = []
    with open_store(tmp_path / "p.db") as store:
        voice_tokens(store, texts, Segmenter(), progress=lambda done, total: seen.append((done, total)))
        assert seen[-1] == (450, 450) and len(seen) >= 3
        assert all(a[0] < b[0] for a, b in itertools.pairwise(seen))
        seen.clear()
        voice_tokens(store, texts, Segmenter(), progress=lambda done, total: seen.append((done, total)))
        assert seen == []  # everything cached: nothing to segment
