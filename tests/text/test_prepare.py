"""``segment_store``: texts segmented ahead of reports, in batches, processes and shards."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from opinion.errors import InputError
from opinion.estimates.voices import all_voices
from opinion.store.db import Store, open_store, segment_cache, upsert_document
from opinion.surveys.importer import import_survey
from opinion.text.measures import cache_key, voice_tokens
from opinion.text.prepare import count_voice_texts, parse_shard, segment_store, voice_texts
from opinion.text.segment import Segmenter, normalize
from tests.helpers import write_small_survey

COMPLAINTS = ["村里的路灯坏了很久没人修", "看病太贵，医保报销太慢", "孩子上学要走很远的山路",
              "養老院床位太少，老人排不上", "小区垃圾没人清运，夏天很臭", "工资被拖欠了三个月"]


def fill(store: Store, tmp_path: Path, n: int = 40) -> None:
    """``n`` documents by a few authors (posts, titled letters, an article nobody voices, the
    same text written twice with other punctuation) and a survey's answers."""
    with store.engine.begin() as conn:
        for i in range(n):
            kind = ("letter", "post", "post")[i % 3]
            upsert_document(conn, {
                "url": f"http://x.cn/{i}", "source": "县长信箱", "kind": kind, "content_hash": f"h{i}",
                "author": f"v_{i % 7:014d}", "title": "反映问题" if kind == "letter" and i % 2 else None,
                "text": f"{COMPLAINTS[i % len(COMPLAINTS)]}，第{i}次反映！！", "fetched_at": "2026-11-27T12:00:00",
            })
        upsert_document(conn, {"url": "http://x.cn/again", "source": "县长信箱", "kind": "post", "content_hash": "h-a",
                               "author": "v_again", "text": f"{COMPLAINTS[1]}，第1次反映！",
                               "fetched_at": "2026-11-27T12:00:00"})
        upsert_document(conn, {"url": "http://x.cn/article", "source": "县政府", "kind": "article",
                               "content_hash": "h-art", "author": None, "text": "县政府召开专题会议部署道路改造",
                               "fetched_at": "2026-11-27T12:00:00"})
    survey = tmp_path / "survey.csv"
    write_small_survey(survey)
    import_survey(store, survey, wave="2026")


def report_texts(store: Store) -> list[list[str]]:
    """The texts a report segments: those of the voices it builds."""
    return list(all_voices(store)["texts"])


def distinct_keys(texts: list[list[str]], segmenter: Segmenter) -> set[str]:
    fingerprint = segmenter.fingerprint()
    return {cache_key(normalize(t), fingerprint, normalized=True) for voice in texts for t in voice}


def cached_keys(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(segment_cache.c.content_hash)).scalars())


class CountingSegmenter(Segmenter):
    """A real segmenter that also counts the texts it was asked to segment."""

    calls = 0

    def segment(self, text: str, *, normalized: bool = False) -> list[str]:
        type(self).calls += 1
        return super().segment(text, normalized=normalized)


def test_after_store_segment_a_report_segments_nothing(
    store: Store, tmp_path: Path, segmenter: Segmenter, caplog: pytest.LogCaptureFixture
) -> None:
    fill(store, tmp_path)
    summary = segment_store(store, segmenter, workers=2, batch=9)
    texts = report_texts(store)
    wanted = distinct_keys(texts, segmenter)
    assert summary.texts == sum(len(t) for t in texts) == count_voice_texts(store)
    # two processes may both meet a text repeated in two batches under way at once
    assert len(wanted) <= summary.segmented and summary.cached == summary.texts - summary.segmented
    assert sorted(cached_keys(store)) == sorted(wanted)  # each text once, and only the texts reports read

    CountingSegmenter.calls = 0
    counting = CountingSegmenter.default()
    with caplog.at_level(logging.INFO, logger="opinion.text.measures"):
        tokens = voice_tokens(store, texts, counting, workers=2)
    assert CountingSegmenter.calls == 0
    assert not [r for r in caplog.records if r.getMessage().startswith("segmenting")]
    assert tokens == voice_tokens(None, texts, counting)  # as a report that segments itself
    assert CountingSegmenter.calls == len(wanted)
    assert any("医保报销" in voice for voice in tokens) and any("养老院" in voice for voice in tokens)  # 養老院 simplified

    again = segment_store(store, segmenter, batch=9)
    assert (again.texts, again.cached, again.segmented) == (summary.texts, summary.texts, 0)


def test_voice_texts_reads_in_pages_what_reports_read(store: Store, tmp_path: Path) -> None:
    fill(store, tmp_path, n=10)
    pages = list(voice_texts(store, batch=4))
    assert [len(p) for p in pages[:3]] == [4, 4, 3]  # 11 documents (not the article), then 48 answers
    read = [t for page in pages for t in page]
    assert sorted(read) == sorted(t for voice in report_texts(store) for t in voice)
    assert "反映问题。村里的路灯坏了很久没人修，第0次反映！！" not in read  # letter 0 has no title
    assert "反映问题。孩子上学要走很远的山路，第8次反映！！" not in read  # 8 is a post
    assert "反映问题。看病太贵，医保报销太慢，第7次反映！！" not in read  # 7: post
    assert "反映问题。養老院床位太少，老人排不上，第3次反映！！" in read  # 3: letter with a title
    assert "县政府召开专题会议部署道路改造" not in read


def test_an_interrupted_run_keeps_its_batches_and_a_rerun_finishes(
    store: Store, tmp_path: Path, segmenter: Segmenter
) -> None:
    fill(store, tmp_path)
    wanted = distinct_keys(report_texts(store), segmenter)

    class Stop(Exception):
        pass

    def stop_after_first(read: int, segmented: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        segment_store(store, segmenter, batch=5, on_batch=stop_after_first)
    first = cached_keys(store)
    assert len(first) == 5 and set(first) <= wanted  # the first five documents, all distinct
    rerun = segment_store(store, segmenter, batch=5)
    assert rerun.segmented == len(wanted) - 5
    assert sorted(cached_keys(store)) == sorted(wanted)


def test_two_shards_cover_every_text_once(store: Store, tmp_path: Path, segmenter: Segmenter) -> None:
    fill(store, tmp_path)
    wanted = distinct_keys(report_texts(store), segmenter)
    zero = segment_store(store, segmenter, shard=(0, 2), batch=8)
    after_zero = set(cached_keys(store))
    assert after_zero and all(int(k, 16) % 2 == 0 for k in after_zero)
    one = segment_store(store, segmenter, shard=(1, 2), batch=8)
    keys = cached_keys(store)
    assert zero.segmented + one.segmented == len(keys) == len(wanted) and set(keys) == wanted
    assert zero.texts + one.texts == zero.texts + zero.other_shards == count_voice_texts(store)
    assert one.cached == one.texts - one.segmented and one.other_shards == zero.texts


def test_concurrent_runs_over_one_store_write_each_text_once(
    store_url: str, tmp_path: Path, segmenter: Segmenter
) -> None:
    with open_store(store_url) as store:
        fill(store, tmp_path, n=120)
        wanted = distinct_keys(report_texts(store), segmenter)
    failures: list[BaseException] = []
    done: list[int] = []

    def run() -> None:
        try:
            with open_store(store_url) as own:
                done.append(segment_store(own, segmenter, batch=10).segmented)
        except BaseException as exc:  # a thread's failure must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(done) == 2 and max(done) <= len(wanted) <= sum(done)
    with open_store(store_url) as store:
        assert sorted(cached_keys(store)) == sorted(wanted)


def test_a_user_dictionary_gets_its_own_cache_entries(sqlite_store: Store, tmp_path: Path) -> None:
    fill(sqlite_store, tmp_path, n=12)
    userdict = tmp_path / "u.txt"
    userdict.write_text("床位太少 20000 n\n", encoding="utf-8")
    shipped, own = Segmenter.default(), Segmenter.default(extra_userdicts=[userdict])
    first = segment_store(sqlite_store, shipped)
    second = segment_store(sqlite_store, own, workers=2)
    assert second.segmented == first.segmented  # another fingerprint: every text again
    texts = report_texts(sqlite_store)
    CountingSegmenter.calls = 0
    tokens = voice_tokens(sqlite_store, texts, CountingSegmenter.default(extra_userdicts=[userdict]))
    assert CountingSegmenter.calls == 0 and any("床位太少" in voice for voice in tokens)


@pytest.mark.parametrize("text,expected", [("0/2", (0, 2)), ("3/4", (3, 4)), (" 1 / 2 ", (1, 2))])
def test_parse_shard(text: str, expected: tuple[int, int]) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize("text", ["2/2", "1", "-1/2", "a/b", "1/0", "1/2/3"])
def test_parse_shard_refuses(text: str) -> None:
    with pytest.raises(InputError, match=r"is not I/K with 0 <= I < K; write e.g. 0/4"):
        parse_shard(text)


def test_segment_store_refuses_a_shard_out_of_range(sqlite_store: Store, segmenter: Segmenter) -> None:
    with pytest.raises(InputError, match="shard 2/2 is not I/K"):
        segment_store(sqlite_store, segmenter, shard=(2, 2))
