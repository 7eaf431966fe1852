"""What a store holds of voices coded ahead: whether it is current, what changed since, cells.

:mod:`opinion.estimates.coded` writes the ``voice_codes`` rows of a configuration and,
last, the ``meta`` row ``voice_codes:<config>`` saying what the run covered, including
the state of the documents when it began (:class:`DocumentState`). Here:
:func:`coded_state` compares that with the documents now (stale or current, and why),
:func:`require_current` stops a report on codes that are missing or out of date,
:func:`changed_authors` names the voices an update must code again, and
:func:`voice_cells` counts the coded voices by cell in one ``GROUP BY``.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from opinion.errors import InputError
from opinion.estimates.voices import NOT_VOICES
from opinion.store.copy import store_name
from opinion.store.db import (
    Store,
    document_versions,
    documents,
    meta_table,
    read_meta,
    voice_codes,
    voice_codes_key,
)

__all__ = [
    "CELL_COLUMNS",
    "GROUP_COLUMNS",
    "CodedState",
    "DocumentState",
    "changed_authors",
    "coded_state",
    "document_state",
    "require_current",
    "voice_cells",
]

# What a cell is: the voices sharing all of these; ``voice`` names a voice kept apart.
GROUP_COLUMNS = ("source", "region", "urban", "sex", "age_group", "age_lo", "age_hi", "topics")
CELL_COLUMNS = ("voice", *GROUP_COLUMNS, "count")


@dataclass(frozen=True)
class DocumentState:
    """The documents voices are built from, at one moment: how many (articles left out), the
    highest id and fetch time (ISO 8601), and the earlier versions of them kept (a
    document changed in place keeps its id and leaves a version: see
    :data:`opinion.store.db.document_versions`)."""

    count: int
    max_id: int | None
    max_fetched_at: str | None
    versions: int
    max_version_id: int | None


def document_state(store: Store) -> DocumentState:
    """The current :class:`DocumentState` of ``store`` (two aggregate queries)."""
    voice_docs = documents.c.kind.not_in(NOT_VOICES)
    with store.engine.connect() as conn:
        count, max_id, max_fetched = conn.execute(
            sa.select(sa.func.count(), sa.func.max(documents.c.id), sa.func.max(documents.c.fetched_at))
            .where(voice_docs)).one()
        versions, max_version = conn.execute(
            sa.select(sa.func.count(), sa.func.max(document_versions.c.id))
            .join_from(document_versions, documents, documents.c.id == document_versions.c.document_id)
            .where(voice_docs)).one()
    return DocumentState(int(count), max_id, max_fetched, int(versions), max_version)


@dataclass(frozen=True)
class CodedState:
    """What a coding run covered (the ``meta`` row), and whether the documents changed since.

    ``stale`` is true when documents were stored, removed or changed after coding began;
    ``reason`` then says what, in one line (empty when current).
    """

    config: str
    coded_at: str  # UTC, ISO 8601
    today: str  # the date cues were read for (ISO)
    codes: tuple[str, ...]
    coder: str
    coder_fingerprint: str
    segmenter_fingerprint: str
    voices: int
    documents: DocumentState
    stale: bool
    reason: str


def changed_authors(store: Store, then: DocumentState) -> tuple[list[str] | None, str]:
    """The authors whose voices differ from a coding that began at document state ``then``:
    those with a voice document stored since (id above ``then.max_id``), changed in place
    (a version kept since, or fetched again later than ``then.max_fetched_at``), in
    pseudonym order; and an empty reason. ``(None, reason)`` when documents were removed
    since (which voices lost one is not known): code everything again.
    """
    voice_docs = documents.c.kind.not_in(NOT_VOICES)
    old_id = then.max_id if then.max_id is not None else 0
    with store.engine.connect() as conn:
        kept = conn.execute(sa.select(sa.func.count()).where(voice_docs, documents.c.id <= old_id)).scalar_one()
        if kept != then.count:
            return None, (f"{then.count - kept} of the documents coded then are gone" if kept < then.count
                          else "the documents changed in a way an update cannot follow")
        fresh = documents.c.id > old_id
        if then.max_fetched_at is not None:
            fresh = sa.or_(fresh, documents.c.fetched_at > then.max_fetched_at)
        names = set(conn.execute(sa.select(documents.c.author).distinct().where(voice_docs, fresh)).scalars())
        versioned = (sa.select(documents.c.author).distinct()
                     .join_from(document_versions, documents, documents.c.id == document_versions.c.document_id)
                     .where(voice_docs))
        if then.max_version_id is not None:
            versioned = versioned.where(document_versions.c.id > then.max_version_id)
        names |= set(conn.execute(versioned).scalars())
    return sorted(name for name in names if name is not None), ""


def coded_state(store: Store, config: str) -> CodedState | None:
    """What the coding under ``config`` covered, compared with the documents now; None when
    no run under ``config`` finished (none ran, or the last was interrupted)."""
    with store.engine.connect() as conn:
        value = read_meta(conn, voice_codes_key(config))
    if value is None:
        return None
    meta = json.loads(value)
    then = DocumentState(**meta["documents"])
    reason = _staleness(then, document_state(store), meta["coded_at"][:10])
    return CodedState(
        config=config, coded_at=meta["coded_at"], today=meta["today"], codes=tuple(meta["codes"]),
        coder=meta["coder"]["name"], coder_fingerprint=meta["coder"]["fingerprint"],
        segmenter_fingerprint=meta["segmenter"]["fingerprint"], voices=int(meta["voices"]), documents=then,
        stale=bool(reason), reason=reason,
    )


def _staleness(then: DocumentState, now: DocumentState, day: str) -> str:
    """What changed among the documents between two states, in one line; empty when nothing."""
    def documents_(n: int) -> str:
        return f"{n} document{'s' if n != 1 else ''}"

    parts = []
    added = now.count - then.count
    if added > 0 and (now.max_id or 0) > (then.max_id or 0):
        parts.append(f"{documents_(added)} stored")
    elif added < 0:
        parts.append(f"{documents_(-added)} removed")
    elif now.max_id != then.max_id:
        parts.append("documents stored and others removed")
    changed = now.versions - then.versions
    if changed > 0 or now.max_version_id != then.max_version_id:
        parts.append(f"{documents_(max(changed, 1))} changed")
    if not parts and (now.max_fetched_at or "") > (then.max_fetched_at or ""):
        parts.append("documents fetched again (changed in place)")
    return f"{' and '.join(parts)} since the voices were coded on {day}" if parts else ""


def require_current(store: Store, config: str) -> CodedState:
    """The :class:`CodedState` of ``config``, when its codes are complete and current.

    Raises:
        InputError: nothing coded under ``config`` (or the last run was interrupted), or
            documents changed since; the message says what to run.
    """
    state = coded_state(store, config)
    name = store_name(store)
    command = (f"`tongxin [--engine ENGINE] store code --db {name}` with the --coder, --gazetteer and --userdict of "
               "this report (and the global --engine before the command)")
    if state is None:
        with store.engine.connect() as conn:
            partial = conn.execute(sa.select(voice_codes.c.voice).where(voice_codes.c.config == config)
                                   .limit(1)).first() is not None
            online = conn.execute(sa.select(documents.c.id).where(documents.c.kind.not_in(NOT_VOICES))
                                  .limit(1)).first() is not None
        if not online and not partial:
            raise InputError(f"{name}: holds no online documents, so there are no voices to code ahead; report "
                             "without --cells (it reads the survey respondents as they are)")
        what = "the last coding of its voices for this configuration did not finish" if partial else (
            "no voices are coded for this coder, segmenter, gazetteer and year")
        others = "" if partial else _coded_configurations(store, exclude=config)
        raise InputError(f"{name}: {what} (configuration {config[:12]}{others}); run {command}")
    if state.stale:
        raise InputError(f"{name}: the coded voices are out of date ({state.reason}); run {command} again")
    return state


def _coded_configurations(store: Store, *, exclude: str) -> str:
    """``; coded here: <config> (coder, engine, year, date), ...``: what the store does hold."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(meta_table.c.key, meta_table.c.value)
                            .where(meta_table.c.key.like("voice_codes:%")).order_by(meta_table.c.key)).all()
    shown = []
    for key, value in rows:
        other = key.split(":", 1)[1]
        if other == exclude:
            continue
        try:
            meta = json.loads(value)
            shown.append(f"{other[:12]} ({meta['coder']['name']}, {meta['segmenter']['engine']}, cues of "
                         f"{str(meta['today'])[:4]}, coded {str(meta['coded_at'])[:10]})")
        except (ValueError, KeyError, TypeError):
            shown.append(other[:12])
    return f"; coded here: {', '.join(shown)}" if shown else ""


def voice_cells(store: Store, config: str, *, apart: Sequence[str] = ()) -> pd.DataFrame:
    """The voices coded under ``config`` as cells: one row per distinct (source, region,
    urban, sex, age_group, age_lo, age_hi, topics) with ``count``, the number of voices.

    One ``GROUP BY`` in the database; no voice row is loaded. Cells are ordered by those
    columns, texts by their bytes (collation "C" on PostgreSQL, SQLite's own binary
    order) and NULL ages last, so both databases give the same rows in the same order.
    Voices whose pseudonym is in ``apart`` (a hand-coded sample: a few hundred at most)
    are left out of the cells and come after them, one row each with ``count`` 1 and
    their ``voice`` (None in cell rows), ordered by pseudonym; a pseudonym not coded under
    ``config`` (a survey respondent) gives no row. Columns: :data:`CELL_COLUMNS`.
    """
    apart = sorted(set(apart))
    postgres = store.engine.dialect.name == "postgresql"

    def ordered(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        if postgres and isinstance(column.type, sa.String):
            column = sa.collate(column, "C")
        return column.asc().nulls_last()

    grouped = [voice_codes.c[name] for name in GROUP_COLUMNS]
    cells = (sa.select(*grouped, sa.func.count().label("count"))
             .where(voice_codes.c.config == config).group_by(*grouped).order_by(*map(ordered, grouped)))
    if apart:
        cells = cells.where(voice_codes.c.voice.not_in(apart))
    with store.engine.connect() as conn:
        records = [{"voice": None, **row} for row in conn.execute(cells).mappings()]
        if apart:
            own = (sa.select(voice_codes.c.voice, *grouped)
                   .where(voice_codes.c.config == config, voice_codes.c.voice.in_(apart))
                   .order_by(ordered(voice_codes.c.voice)))
            records += [{**row, "count": 1} for row in conn.execute(own).mappings()]
    frame = pd.DataFrame.from_records(records, columns=list(CELL_COLUMNS))
    return frame.astype({"age_lo": float, "age_hi": float, "count": "int64"})
