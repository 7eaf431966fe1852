"""Segment a store's texts ahead of reports, in batches, over processes or machines.

A report segments the texts of its voices that the store's ``segment_cache`` lacks
(:func:`opinion.text.measures.voice_tokens`). :func:`segment_store` does that work
beforehand: it reads the texts a report reads (a document's text, a letter's title
before it, a respondent's answer: :func:`voice_texts`), keyset-paginated on id so a store
of millions of documents is never in memory at once, keys each under the segmenter's
fingerprint exactly as reports look it up (:func:`opinion.text.measures.cache_key`), and
segments those not cached, a batch at a time. Each batch is written to the cache as
soon as it is done, so an interrupted run loses at most the batches under way (one per
process) and a rerun continues where it stopped.

``shard=(i, k)`` takes only the texts whose key, read as a number, is ``i`` modulo ``k``:
``k`` runs on ``k`` machines over one PostgreSQL store share the work without overlap.
A text two runs both segment (the same text in two batches under way at once) is
written by whichever commits first; the other's insert does nothing
(:func:`opinion.store.db.cache_tokens` ignores duplicate keys on both databases).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from opinion.errors import InputError
from opinion.store.db import Store, cache_tokens, documents, open_store, respondents, segment_cache
from opinion.text.measures import cache_key
from opinion.text.segment import Segmenter, normalize

__all__ = ["SegmentSummary", "count_voice_texts", "parse_shard", "segment_store", "voice_text", "voice_texts"]

log = logging.getLogger(__name__)

# Document kinds that are nobody's voice (a JCMS article); the same list as the voices
# reports build (``opinion.estimates.voices.NOT_VOICES``), which this layer cannot import.
NOT_VOICES = ("article",)

DEFAULT_BATCH = 500


def voice_text(kind: str, title: str | None, text: str) -> str:
    """The text of one document as its author's voice has it: a letter's title, then its text."""
    return text if kind != "letter" or not title else f"{title}。{text}"


def voice_texts(store: Store, batch: int = DEFAULT_BATCH) -> Iterator[list[str]]:
    """The texts reports segment, ``batch`` at a time: every document but articles (in id
    order), then every survey answer that is not empty.

    Each page is read by keyset on id (``id > last ORDER BY id LIMIT batch``) in its own
    short transaction, so neither the corpus nor a long read stays open.
    """
    doc_query = (
        sa.select(documents.c.id, documents.c.kind, documents.c.title, documents.c.text)
        .where(documents.c.kind.not_in(NOT_VOICES))
        .order_by(documents.c.id).limit(batch)
    )
    for rows in _keyset_pages(store, doc_query, documents.c.id):
        yield [voice_text(r.kind, r.title, r.text) for r in rows]
    answer_query = (
        sa.select(respondents.c.id, respondents.c.text)
        .where(respondents.c.text.is_not(None), respondents.c.text != "")
        .order_by(respondents.c.id).limit(batch)
    )
    for rows in _keyset_pages(store, answer_query, respondents.c.id):
        yield [r.text for r in rows]


def _keyset_pages(store: Store, query: sa.Select[Any], key: sa.ColumnElement[int]) -> Iterator[Sequence[sa.Row[Any]]]:
    """The pages of ``query`` (ordered by ``key`` and limited), each read in its own
    short transaction, the next starting after the last ``key`` seen."""
    last = None
    while True:
        page = query if last is None else query.where(key > last)
        with store.engine.connect() as conn:
            rows = conn.execute(page).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def count_voice_texts(store: Store) -> int:
    """How many texts :func:`voice_texts` yields (one count per table)."""
    with store.engine.connect() as conn:
        docs = conn.execute(sa.select(sa.func.count()).select_from(documents)
                            .where(documents.c.kind.not_in(NOT_VOICES))).scalar_one()
        answers = conn.execute(sa.select(sa.func.count()).select_from(respondents)
                               .where(respondents.c.text.is_not(None), respondents.c.text != "")).scalar_one()
    return int(docs) + int(answers)


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/K"`` as ``(I, K)``, with ``0 <= I < K``.

    Raises:
        InputError: when ``text`` is not two whole numbers so written.
    """
    index, sep, count = text.partition("/")
    if sep and index.strip().isdigit() and count.strip().isdigit():
        i, k = int(index), int(count)
        if 0 <= i < k:
            return i, k
    raise InputError(f"shard {text!r} is not I/K with 0 <= I < K; write e.g. 0/4 for the first of four shards")


@dataclass(frozen=True)
class SegmentSummary:
    """What a run did. ``texts``: texts of its shard read (documents and answers, each
    counted); ``segmented``: distinct texts segmented and cached (a text that two
    processes met at once, in two batches, counts twice); ``cached``: the rest,
    texts found in the cache or repeating one segmented in the same batch;
    ``other_shards``: texts left to other shards; ``seconds``: wall-clock time."""

    texts: int
    cached: int
    segmented: int
    other_shards: int
    batches: int
    seconds: float
    workers: int
    shard: tuple[int, int]


@dataclass
class _Job:
    """What a process needs to prepare a batch: its store, its segmenter, the shard."""

    store: Store
    segmenter: Segmenter
    fingerprint: str
    shard: tuple[int, int]


_JOB: _Job | None = None


def _prepare(job: _Job, texts: Sequence[str]) -> tuple[int, int, int]:
    """Normalise, key, keep the shard's texts, segment those not cached and cache them.

    Returns ``(texts, segmented, other_shards)`` of this batch.
    """
    index, count = job.shard
    mine: dict[str, str] = {}
    other = 0  # texts of other shards
    for text in texts:
        normalized = normalize(text)
        key = cache_key(normalized, job.fingerprint, normalized=True)
        if count > 1 and int(key, 16) % count != index:
            other += 1
            continue
        mine.setdefault(key, normalized)
    if not mine:
        return 0, 0, other
    keys = list(mine)
    known: set[str] = set()
    with job.store.engine.connect() as conn:
        for start in range(0, len(keys), 500):  # bound parameters per statement stay few
            known.update(conn.execute(sa.select(segment_cache.c.content_hash)
                                      .where(segment_cache.c.content_hash.in_(keys[start:start + 500]))).scalars())
    missing = [k for k in keys if k not in known]
    if missing:
        tokens = {k: job.segmenter.segment(mine[k], normalized=True) for k in missing}
        with job.store.engine.begin() as conn:
            cache_tokens(conn, tokens)
    return len(texts) - other, len(missing), other


def _init_worker(url: str, userdicts: tuple[str, ...], stopwords: frozenset[str], keep: frozenset[str],
                 engine: str | None, shard: tuple[int, int]) -> None:
    global _JOB
    segmenter = Segmenter(userdict=[Path(p) for p in userdicts], stopwords=stopwords, keep=keep, engine=engine)
    _JOB = _Job(open_store(url), segmenter, segmenter.fingerprint(), shard)


def _prepare_in_worker(texts: Sequence[str]) -> tuple[int, int, int]:
    assert _JOB is not None, "worker not initialised"
    return _prepare(_JOB, texts)


def segment_store(
    store: Store,
    segmenter: Segmenter,
    *,
    workers: int = 1,
    shard: tuple[int, int] = (0, 1),
    batch: int = DEFAULT_BATCH,
    on_batch: Callable[[int, int], None] | None = None,
) -> SegmentSummary:
    """Segment and cache every text reports would segment that ``store`` has not cached
    under ``segmenter``'s fingerprint (see the module's description).

    ``workers`` > 1 segments over that many processes, each with its own connection to
    the store (given by its URL) and its own segmenter built from ``segmenter``'s
    dictionaries, stopwords, keep-list and engine; at most two batches per process are
    read ahead. ``shard=(i, k)``: only the texts whose key is ``i`` modulo ``k``.
    ``on_batch(texts_read, texts_segmented)`` is called after each batch is cached, with
    the running totals (texts read counts every shard's).

    Raises:
        InputError: for a shard outside ``0 <= i < k`` or a batch or worker count below 1.
    """
    index, count = shard
    if not 0 <= index < count:
        raise InputError(f"shard {index}/{count} is not I/K with 0 <= I < K; write e.g. 0/4 for the first of four")
    if batch < 1 or workers < 1:
        raise InputError(f"batch {batch} and workers {workers} must both be at least 1")
    started = time.perf_counter()
    totals = [0, 0, 0]
    read = batches = 0

    def done(result: tuple[int, int, int], size: int) -> None:
        nonlocal read, batches
        for i, n in enumerate(result):
            totals[i] += n
        read += size
        batches += 1
        if on_batch is not None:
            on_batch(read, totals[1])

    if workers == 1:
        job = _Job(store, segmenter, segmenter.fingerprint(), shard)
        for texts in voice_texts(store, batch):
            done(_prepare(job, texts), len(texts))
    else:
        config = (store.url, segmenter.userdicts, segmenter.stopwords, segmenter.keep, segmenter.engine, shard)
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=config)
        pending: dict[Future[tuple[int, int, int]], int] = {}
        try:
            for texts in voice_texts(store, batch):
                pending[pool.submit(_prepare_in_worker, texts)] = len(texts)
                while len(pending) >= 2 * workers:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        done(future.result(), pending.pop(future))
            for future in list(pending):  # in submission order: the first failure is raised
                done(future.result(), pending.pop(future))
        finally:  # interrupted: batches not yet started are dropped, not run to the end
            pool.shutdown(cancel_futures=True)
    summary = SegmentSummary(texts=totals[0], cached=totals[0] - totals[1], segmented=totals[1], other_shards=totals[2],
                             batches=batches, seconds=time.perf_counter() - started, workers=workers, shard=shard)
    log.info("segmented %d of %d texts (%d cached) in %.1f s", summary.segmented, summary.texts, summary.cached,
             summary.seconds)
    return summary
