"""Voices coded ahead: built and topic-coded once, kept in the store, aggregated by ``GROUP BY``.

A report builds its voices from every document: it reads who-is-writing cues, segments
each voice's texts and codes topics on its pooled tokens. At millions of voices that
cannot happen at report time, so :func:`code_voices` (``tongxin store code``) does it
beforehand and keeps one row per online voice in the store's ``voice_codes`` table: its
attributes as built (:func:`opinion.estimates.voices.online_voices`, no age bands
placed: ``age_lo``/``age_hi`` let any bands place it) and its topic pattern, one ``0``/``1``
per code of the coder. It works a batch of authors at a time (their documents only), over
processes if asked, so memory does not grow with the store. A report at scale then reads
cells with counts (:func:`voice_cells`), never the voices.

The rows are kept under a configuration (:func:`coded_config`): the coder, the
segmenter and the cue rules with their gazetteer and year, everything that decides a
voice's row. What a run covered is the ``meta`` row ``voice_codes:<config>``, written
after the last row: a killed run leaves no such row, so its codes are never taken as
current. That row also records the state of the documents when coding began (how many
voice documents, the highest id and fetch time, the earlier versions kept), so that
:func:`~opinion.estimates.coded_store.coded_state` tells when documents were stored or
changed since, and a later run codes again only the voices that changed
(:func:`~opinion.estimates.coded_store.changed_authors`). Reading the codes (state,
cells) is :mod:`opinion.estimates.coded_store`; its names are also importable from here.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, as_completed, wait
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from opinion.errors import InputError, StoreError, TongxinError
from opinion.estimates.coded_store import (
    CELL_COLUMNS,
    CodedState,
    DocumentState,
    changed_authors,
    coded_state,
    document_state,
    require_current,
    voice_cells,
)
from opinion.estimates.voices import NOT_VOICES, online_voices
from opinion.store.copy import store_name
from opinion.store.db import (
    Store,
    add_voice_codes,
    clear_voice_codes,
    documents,
    dumps,
    meta_table,
    open_store,
    voice_codes,
    voice_codes_key,
    write_meta,
)
from opinion.text.coder import TopicCoder, as_coder, segmenter_mismatch
from opinion.text.cues import Gazetteer, cue_config
from opinion.text.measures import topic_matrix, voice_tokens
from opinion.text.segment import Segmenter
from opinion.text.topics import TopicLexicon

__all__ = [
    "CELL_COLUMNS",
    "CodeSummary",
    "CodedState",
    "DocumentState",
    "changed_authors",
    "code_voices",
    "coded_config",
    "coded_state",
    "document_state",
    "require_current",
    "voice_cells",
    "write_coded",
]

log = logging.getLogger(__name__)

DEFAULT_BATCH = 5000


def coded_config(coder: TopicCoder | TopicLexicon | None, segmenter: Segmenter, gazetteer: Gazetteer | None,
                 today: date) -> str:
    """SHA-256 hex naming a coding configuration: the coder's fingerprint, the segmenter's
    and the cues' (:func:`opinion.text.cues.cue_config`: rules, gazetteer, the year of ``today``).
    ``coder`` None is the shipped lexicon."""
    digest = hashlib.sha256()
    for part in (as_coder(coder).fingerprint, segmenter.fingerprint(), cue_config(gazetteer, today)):
        digest.update(part.encode("ascii"))
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class CodeSummary:
    """What :func:`code_voices` did: voices coded, the documents they wrote, wall-clock
    seconds, and the configuration they were coded under.

    An update (``since`` set: the UTC time of the run it updated) coded only the
    ``voices`` whose documents were stored or changed since; ``total`` is the number of
    voices coded under the configuration afterwards. A full run has ``since`` None and
    ``total`` equal to ``voices``; ``full_reason`` says why a run asked to update codes
    everything again (empty when not).
    """

    voices: int
    documents: int
    seconds: float
    config: str
    total: int = 0
    since: str | None = None
    full_reason: str = ""


def code_voices(
    store: Store,
    coder: TopicCoder | TopicLexicon | None,
    segmenter: Segmenter,
    gazetteer: Gazetteer | None = None,
    *,
    today: date,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    batch: int = DEFAULT_BATCH,
    full: bool = False,
) -> CodeSummary:
    """Build the online voices of ``store`` as a report does and store each one's attributes
    and topic pattern under :func:`coded_config`, replacing what that configuration held.

    When a run under the same configuration finished before (and ``full`` is false), only
    the voices of authors with a document stored, changed or fetched again since that run
    began are built and replaced (:func:`changed_authors`), so a store coded once is kept
    current after each crawl at the cost of what the crawl brought. Each voice is built
    from all its author's documents, as in a full run, so the rows are those of a full
    run. Documents removed since, or no finished run, make it a full run.

    Voices: :func:`opinion.estimates.voices.online_voices` (cues read for ``today``);
    tokens: :func:`opinion.text.measures.voice_tokens` (texts the cache lacks are
    segmented and cached); topics: :func:`opinion.text.measures.topic_matrix` with
    ``coder`` (None: the shipped lexicon). The work goes ``batch`` authors at a time, in
    the database's order of pseudonyms (read by keyset through the index on
    ``documents.author``): each batch reads only its authors' documents and its voices are
    written in one transaction, so memory holds one batch per process whatever the size of
    the store. ``workers`` > 1 codes batches in that many processes, each with its own
    connection to the store (given by its URL) and its own segmenter built from
    ``segmenter``'s dictionaries, stopwords, keep-list and engine; at most two batches per
    process are handed out ahead. The rows are those of one build of every voice, whatever
    ``batch`` and ``workers``. The old rows and the ``meta`` row go first, in one
    transaction, and the ``meta`` row last, so an interrupted run is never current.
    ``progress(voices_done, voices_total)`` is called after each batch. An update first
    removes the ``meta`` row, so an update killed half-way leaves no current codes and the
    next run is a full one.

    Raises:
        InputError: ``batch`` or ``workers`` below 1.
        StoreError: a voice document without an author, or another run writing the same
            configuration at the same time.
    """
    if batch < 1 or workers < 1:
        raise InputError(f"batch {batch} and workers {workers}: give a positive number of authors per batch and "
                         "of processes")
    started = time.perf_counter()
    coder = as_coder(coder)
    mismatch = segmenter_mismatch(coder, segmenter)
    if mismatch:
        log.warning("%s", mismatch)
    config = coded_config(coder, segmenter, gazetteer, today)
    before = document_state(store)  # read first: documents stored while coding make the codes stale
    voice_docs = documents.c.kind.not_in(NOT_VOICES)
    with store.engine.connect() as conn:
        nameless = conn.execute(sa.select(sa.func.count()).select_from(documents)
                                .where(voice_docs, documents.c.author.is_(None))).scalar_one()
        total = conn.execute(sa.select(sa.func.count(sa.distinct(documents.c.author)))
                             .where(voice_docs)).scalar_one() if progress is not None else 0
    if nameless:
        raise StoreError(f"{store_name(store)}: {nameless} documents have no author pseudonym, so their voice cannot "
                         "be coded; store every post and letter with its author")
    previous = None if full else coded_state(store, config)
    changed, full_reason = changed_authors(store, previous.documents) if previous is not None else (None, "")
    if changed is None:
        _clear(store, config)
    else:
        total = len(changed)
        with store.engine.begin() as conn:  # not current until this update finishes
            conn.execute(meta_table.delete().where(meta_table.c.key == voice_codes_key(config)))
    voices = documents_read = 0

    def done(result: tuple[int, int]) -> None:
        nonlocal voices, documents_read
        voices += result[0]
        documents_read += result[1]
        if progress is not None:
            progress(voices, int(total))

    job = _Job(store, config, coder, segmenter, gazetteer, today)
    for result in _coded_batches(job, batch, workers, changed):
        done(result)
    in_all = voices if changed is None else _coded_count(store, config)
    _finish(store, config, codes=coder.codes, coder=coder, segmenter=segmenter, today=today, voices=in_all,
            documents=before)
    summary = CodeSummary(voices=voices, documents=documents_read, seconds=time.perf_counter() - started,
                          config=config, total=in_all, since=None if changed is None or previous is None
                          else previous.coded_at, full_reason=full_reason)
    log.info("coded %d voices (%d documents) under %s in %.1f s", summary.voices, summary.documents, config[:12],
             summary.seconds)
    return summary


# Authors per update batch: their pseudonyms are query parameters (SQLite allows 32,766).
_UPDATE_BATCH = 1000


def _coded_count(store: Store, config: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(voice_codes)
                                .where(voice_codes.c.config == config)).scalar_one())


def _author_ranges(store: Store, batch: int) -> Iterator[tuple[str, str]]:
    """``(first, last)`` pseudonyms of each run of ``batch`` authors of voice documents, in
    the database's order of pseudonyms (documents without an author left out).

    Keyset on the index on ``documents.author``: each page is one short query
    (``author > last ... GROUP BY author ORDER BY author LIMIT batch``), so no more than
    ``batch`` pseudonyms are held at once.
    """
    query = (sa.select(documents.c.author)
             .where(documents.c.kind.not_in(NOT_VOICES), documents.c.author.is_not(None))
             .group_by(documents.c.author).order_by(documents.c.author).limit(batch))
    last: str | None = None
    while True:
        page = query if last is None else query.where(documents.c.author > last)
        with store.engine.connect() as conn:
            names = conn.execute(page).scalars().all()
        if not names:
            return
        yield names[0], names[-1]
        last = names[-1]


@dataclass
class _Job:
    """What a process needs to code a batch of authors."""

    store: Store
    config: str
    coder: TopicCoder
    segmenter: Segmenter
    gazetteer: Gazetteer | None
    today: date


# The worker's job, or the error that stopped building it: raised with its first batch, since an
# error in a pool's initializer only breaks the pool without saying why.
_JOB: _Job | TongxinError | None = None


def _batches(store: Store, batch: int, changed: list[str] | None) -> Iterator[tuple[str, str, list[str] | None]]:
    """``(first, last, names)`` of each batch: every author by ranges, or the ``changed`` ones by lists."""
    if changed is None:
        for first, last in _author_ranges(store, batch):
            yield first, last, None
        return
    step = min(batch, _UPDATE_BATCH)
    for start in range(0, len(changed), step):
        names = changed[start:start + step]
        yield names[0], names[-1], names


def _coded_batches(job: _Job, batch: int, workers: int, changed: list[str] | None = None) -> Iterator[tuple[int, int]]:
    """(voices, documents) of each batch of ``batch`` authors (of the ``changed`` ones when
    given), once written: coded here, or over ``workers`` processes (at most two batches
    each handed out ahead)."""
    if workers == 1:
        for first, last, names in _batches(job.store, batch, changed):
            yield _code_authors(job, first, last, names)
        return
    segmenter = job.segmenter
    setup = (job.store.url, segmenter.userdicts, segmenter.stopwords, segmenter.keep, segmenter.engine,
             segmenter.fingerprint(), job.config, job.coder, job.gazetteer, job.today)
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=setup)
    pending: set[Future[tuple[int, int]]] = set()
    try:
        for first, last, names in _batches(job.store, batch, changed):
            pending.add(pool.submit(_code_in_worker, first, last, names))
            while len(pending) >= 2 * workers:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()
        for future in as_completed(pending):
            yield future.result()
    finally:  # interrupted or failed: batches not yet started are dropped, not run to the end
        pool.shutdown(cancel_futures=True)


def _code_authors(job: _Job, first: str, last: str, names: list[str] | None = None) -> tuple[int, int]:
    """Build, tokenise and code the voices of the authors ``first`` to ``last`` (or of
    ``names``, replacing their rows) and write them in one transaction; returns (voices,
    documents)."""
    if names is None:
        voices = online_voices(job.store, job.gazetteer, today=job.today, authors=(first, last))
    else:
        voices = online_voices(job.store, job.gazetteer, today=job.today, only=names)
    tokens = voice_tokens(job.store, voices["texts"].tolist(), job.segmenter)
    topics, _evidence = topic_matrix(tokens, job.coder, voices.index)
    coded = voices[["voice", "source", "region", "urban", "sex", "age_group", "age_lo", "age_hi", "n_documents"]].assign(
        topics=["".join("1" if hit else "0" for hit in row) for row in topics.itertuples(index=False)])
    _add(job.store, _rows(job.config, coded, len(job.coder.codes)), replacing=(job.config, names or ()))
    return len(coded), int(voices["n_documents"].sum())


def _init_worker(url: str, userdicts: tuple[str, ...], stopwords: frozenset[str], keep: frozenset[str],
                 engine: str | None, fingerprint: str, config: str, coder: TopicCoder, gazetteer: Gazetteer | None,
                 today: date) -> None:
    global _JOB
    try:
        segmenter = Segmenter(userdict=[Path(p) for p in userdicts], stopwords=stopwords, keep=keep, engine=engine)
        if segmenter.fingerprint() != fingerprint:  # a user dictionary edited since the run began
            raise InputError(f"user dictionaries {', '.join(userdicts)} changed while coding; run the coding again")
        _JOB = _Job(open_store(url), config, coder, segmenter, gazetteer, today)
    except TongxinError as exc:
        _JOB = exc


def _code_in_worker(first: str, last: str, names: list[str] | None) -> tuple[int, int]:
    if isinstance(_JOB, TongxinError):
        raise _JOB
    assert _JOB is not None, "worker not initialised"
    return _code_authors(_JOB, first, last, names)


def write_coded(
    store: Store,
    config: str,
    chunks: Iterable[pd.DataFrame | Mapping[str, Any]],
    *,
    codes: Sequence[str],
    coder: TopicCoder | TopicLexicon | None,
    segmenter: Segmenter,
    today: date,
    documents: DocumentState | None = None,
    batch: int = DEFAULT_BATCH,
) -> int:
    """Replace the voices coded under ``config`` by those of ``chunks``; returns how many.

    Each chunk is a frame (or a mapping of equal-length columns) with ``voice``,
    ``region``, ``urban``, ``sex``, ``age_group`` and ``topics`` (one ``0``/``1`` per
    code of ``codes``, in order), and optionally ``source`` ("online"), ``age_lo`` and
    ``age_hi`` (unknown) and ``n_documents`` (1). The old rows and the ``meta`` row go in
    one transaction, the new rows ``batch`` at a time, each batch one transaction, and
    the ``meta`` row (``coder``, ``segmenter``, ``today`` and ``documents``, the state of
    the documents the voices were built from: now when None) last. :func:`code_voices`
    writes the same way; a benchmark or an import of codes made elsewhere may write through this.

    Raises:
        InputError: ``batch`` below 1, or a topic pattern of another length than ``codes``.
        StoreError: another run writing the same configuration at the same time.
    """
    if batch < 1:
        raise InputError(f"batch {batch}: give a positive number of voices per transaction")
    documents = documents or document_state(store)
    _clear(store, config)
    written = 0
    for chunk in chunks:
        rows = _rows(config, pd.DataFrame(chunk), len(codes))
        for start in range(0, len(rows), batch):
            _add(store, rows[start:start + batch])
        written += len(rows)
    _finish(store, config, codes=codes, coder=as_coder(coder), segmenter=segmenter, today=today, voices=written,
            documents=documents)
    return written


def _clear(store: Store, config: str) -> None:
    """Delete the rows and the ``meta`` row of ``config``, in one transaction."""
    with store.engine.begin() as conn:
        clear_voice_codes(conn, config)


def _add(store: Store, rows: list[dict[str, Any]], replacing: tuple[str, Sequence[str]] = ("", ())) -> None:
    """Insert ``voice_codes`` rows in one transaction, after deleting the rows of the voices
    ``replacing[1]`` under the configuration ``replacing[0]``."""
    config, voices = replacing
    try:
        with store.engine.begin() as conn:
            if voices:
                conn.execute(voice_codes.delete().where(voice_codes.c.config == config,
                                                        voice_codes.c.voice.in_(list(voices))))
            add_voice_codes(conn, rows)
    except sa.exc.IntegrityError as exc:
        raise StoreError(f"{store_name(store)}: another run is coding the voices under the same configuration "
                         "(or a voice came twice); let it finish and run this again") from exc


def _finish(store: Store, config: str, *, codes: Sequence[str], coder: TopicCoder, segmenter: Segmenter, today: date,
            voices: int, documents: DocumentState) -> None:
    """Write the ``meta`` row that makes the codes of ``config`` current: the last write of a run."""
    meta = {
        "coded_at": datetime.now(UTC).isoformat(timespec="seconds"), "today": today.isoformat(),
        "codes": list(codes), "coder": {"name": coder.name, "fingerprint": coder.fingerprint},
        "segmenter": {"fingerprint": segmenter.fingerprint(), "engine": segmenter.engine},
        "voices": voices, "documents": asdict(documents),
    }
    with store.engine.begin() as conn:
        write_meta(conn, voice_codes_key(config), dumps(meta))


def _rows(config: str, chunk: pd.DataFrame, n_codes: int) -> list[dict[str, Any]]:
    """The ``voice_codes`` rows of one chunk of coded voices."""
    n = len(chunk)
    lengths = chunk["topics"].astype(str).str.len() if n else pd.Series(dtype=int)
    if (lengths != n_codes).any():
        bad = chunk["topics"][lengths != n_codes].iloc[0]
        raise InputError(f"voice {chunk['voice'][lengths != n_codes].iloc[0]!r}: topic pattern {bad!r} has "
                         f"{len(str(bad))} flags; the coder has {n_codes} codes")
    source = chunk["source"] if "source" in chunk else pd.Series("online", index=chunk.index)
    nan = pd.Series(float("nan"), index=chunk.index)
    age_lo, age_hi = chunk.get("age_lo", nan), chunk.get("age_hi", nan)
    n_documents = chunk["n_documents"] if "n_documents" in chunk else pd.Series(1, index=chunk.index)
    return [
        {"config": config, "voice": str(voice), "source": str(src), "region": str(region), "urban": str(urban),
         "sex": str(sex), "age_group": str(group), "age_lo": _number(lo), "age_hi": _number(hi),
         "topics": str(pattern), "n_documents": int(docs)}
        for voice, src, region, urban, sex, group, lo, hi, pattern, docs in zip(
            chunk["voice"], source, chunk["region"], chunk["urban"], chunk["sex"], chunk["age_group"],
            age_lo, age_hi, chunk["topics"], n_documents, strict=True)
    ]


def _number(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


