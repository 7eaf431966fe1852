"""Copy a corpus from one store to another (SQLite <-> PostgreSQL), every table, in batches.

Into an empty store the copy is exact: every row of every table with its ids, so that a
round trip gives back the same rows. ``append=True`` adds to a store that already holds
data, without duplicates: rows are matched on what identifies them (a document's URL, a
survey file's hash, a respondent's pseudonym, a crawl run's profile, start URLs and start
time, an earlier version's document, hash and fetch time; the primary key elsewhere), rows
already there are kept as they are, and the ids of the rows added are the destination's
own, with every reference to them rewritten. An append needs both stores to pseudonymise
with one key: with two keys the same author would be two pseudonyms, two voices, so it is
refused. Voices coded ahead (``voice_codes`` and their ``meta`` rows) go over in an exact
copy; an append leaves them out, since they describe the source's documents, not the
union: the destination's own codes are then out of date, and ``tongxin store code`` codes
again the voices whose documents the append brought.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from opinion.errors import StoreError
from opinion.store.db import Store, insert, meta_table, metadata, shown_url, voice_codes
from opinion.store.privacy import install_key, workspace_key

log = logging.getLogger(__name__)

# What identifies a row of each table whose primary key is a number the store hands out.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "crawl_runs": ("profile", "start_urls", "started_at"),
    "documents": ("url",),
    "document_versions": ("document_id", "content_hash", "fetched_at"),
    "survey_imports": ("file_hash",),
    "respondents": ("respondent",),
}
# Columns holding another table's id without a declared foreign key.
UNDECLARED_REFERENCES: dict[tuple[str, str], str] = {
    ("document_versions", "crawl_run_id"): "crawl_runs",
    ("source_watermarks", "crawl_run_id"): "crawl_runs",
}


@dataclass
class TableCopy:
    """One table's copy: rows read from the source, rows added to the destination."""

    table: str
    read: int = 0
    added: int = 0

    @property
    def already_there(self) -> int:
        return self.read - self.added


@dataclass
class CopySummary:
    """What :func:`copy_store` did, table by table, and a note on the pseudonym keys."""

    source: str
    destination: str
    tables: list[TableCopy] = field(default_factory=list)
    key_note: str = ""
    left_out: list[str] = field(default_factory=list)  # tables an append does not carry

    @property
    def rows_read(self) -> int:
        return sum(t.read for t in self.tables)

    @property
    def rows_added(self) -> int:
        return sum(t.added for t in self.tables)


def store_name(store: Store) -> str:
    """The store as a person names it: its file's path, or its URL without the password."""
    if store.key_path is not None:
        return str(store.key_path.with_name(store.key_path.name.removesuffix(".key")))
    return shown_url(store.url)


def store_counts(store: Store) -> dict[str, int]:
    """Rows per table of ``store`` (every table of the schema, ``meta`` included)."""
    with store.engine.connect() as conn:
        return {table.name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
                for table in metadata.sorted_tables}


def copy_store(source: Store, destination: Store, *, append: bool = False, batch_size: int = 5000,
               progress: Callable[[str, int], None] | None = None) -> CopySummary:
    """Copy every table of ``source`` into ``destination`` (both open, at the same schema version).

    Without ``append`` the destination must hold no data (its ``meta`` rows aside):
    rows keep their ids, and PostgreSQL's id sequences are moved past them. With
    ``append``, rows already in the destination are kept and not duplicated (see the
    module docstring). Each table goes over in batches of ``batch_size`` rows, each
    batch in one transaction; ``progress(table, rows_done)`` is called after each.

    Raises :class:`StoreError` for a non-empty destination without ``append``, for a
    source that is the destination, or for an append between stores whose pseudonym keys
    differ.
    """
    if batch_size < 1:
        raise StoreError(f"batch size {batch_size}: give a positive number of rows")
    src_name, dst_name = store_name(source), store_name(destination)
    if source.url == destination.url:
        raise StoreError(f"{dst_name}: the source and the destination are the same store")
    if not append:
        filled = {name: n for name, n in store_counts(destination).items() if n and name != meta_table.name}
        if filled:
            listed = ", ".join(f"{name} {n}" for name, n in filled.items())
            raise StoreError(f"{dst_name}: not empty (rows: {listed}); copy into an empty store, "
                             "or give --append to add only the rows it lacks")
    note, differ = _key_note(source, destination)
    if append and differ:
        where = f"{source.key_path}" if source.key_path else "the source's TONGXIN_KEY"
        raise StoreError(f"{dst_name}: its pseudonym key differs from {src_name}'s, so an author in both would be two "
                         f"pseudonyms and count as two voices; append only between stores that share one key (the "
                         f"destination's key must be the contents of {where}), or copy into an empty store")
    summary = CopySummary(source=src_name, destination=dst_name, key_note=note)
    new_ids: dict[str, dict[int, int]] = {}  # table -> source id -> destination id (append)
    for table in metadata.sorted_tables:
        if append and table is voice_codes:
            with source.engine.connect() as conn:
                if conn.execute(sa.select(voice_codes.c.voice).limit(1)).first() is not None:
                    summary.left_out.append(table.name)
            continue
        done = TableCopy(table.name)
        for rows in _batches(source, table, batch_size):
            if append and table is meta_table:  # the codes' meta rows stay with the codes
                rows = [row for row in rows if not str(row["key"]).startswith("voice_codes:")]
            with destination.engine.begin() as conn:
                if append or table is meta_table:
                    done.added += _append_rows(conn, table, rows, new_ids)
                else:
                    conn.execute(table.insert(), rows)
                    done.added += len(rows)
            done.read += len(rows)
            if progress is not None:
                progress(table.name, done.read)
        summary.tables.append(done)
        log.info("copied %s: %d rows read, %d added", table.name, done.read, done.added)
    if destination.engine.dialect.name == "postgresql":
        _move_sequences(destination)
    return summary


def _batches(store: Store, table: sa.Table, size: int) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``table`` in primary-key order, ``size`` at a time, read from a server cursor."""
    query = sa.select(table).order_by(*table.primary_key.columns)
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=size).execute(query).mappings()
        for part in result.partitions(size):
            yield [dict(row) for row in part]


def _references(table: sa.Table) -> dict[str, str]:
    """Column -> the table whose id it holds."""
    found = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
    found.update({column: target for (name, column), target in UNDECLARED_REFERENCES.items() if name == table.name})
    return found


def _append_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]],
                 new_ids: dict[str, dict[int, int]]) -> int:
    """Add the rows the destination lacks; record source id -> destination id for ``table``."""
    rows = [dict(row) for row in rows]
    for column, target in _references(table).items():
        mapping = new_ids.get(target)
        if mapping is None:
            continue
        for row in rows:
            if row[column] is not None:  # an undeclared reference may point at nothing: it stays so
                row[column] = mapping.get(row[column])
    natural = NATURAL_KEYS.get(table.name)
    if natural is None:
        statement = insert(conn, table).on_conflict_do_nothing().returning(*table.primary_key.columns)
        return len(conn.execute(statement, rows).all())  # the rows inserted (a driver's rowcount may be -1)

    def key_of(row: Any) -> tuple[Any, ...]:
        return tuple(row[name] for name in natural)

    stored = _stored_ids(conn, table, natural, [key_of(row) for row in rows])
    missing = [{k: v for k, v in row.items() if k != "id"} for row in rows if key_of(row) not in stored]
    if missing:
        conn.execute(table.insert(), missing)
        stored = _stored_ids(conn, table, natural, [key_of(row) for row in rows])
    new_ids.setdefault(table.name, {}).update({row["id"]: stored[key_of(row)] for row in rows})
    return len(missing)


def _stored_ids(conn: sa.Connection, table: sa.Table, natural: tuple[str, ...],
                wanted: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], int]:
    """Natural key -> id of the rows of ``table`` stored with one of the ``wanted`` keys."""
    columns = [table.c[name] for name in natural]
    found: dict[tuple[Any, ...], int] = {}
    for start in range(0, len(wanted), 500):  # bound the number of bound parameters
        query = sa.select(table.c.id, *columns).where(sa.tuple_(*columns).in_(wanted[start:start + 500]))
        found.update({tuple(row[1:]): int(row[0]) for row in conn.execute(query)})
    return found


def _move_sequences(store: Store) -> None:
    """After ids were written explicitly, new rows must get ids above them."""
    with store.engine.begin() as conn:
        for table in metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement is True:
                conn.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                ))


def _key_note(source: Store, destination: Store) -> tuple[str, bool]:
    """Pseudonyms are keyed: the destination must use the source's key to extend the same corpus.

    Returns the note for the reader, and whether the two keys are known to differ."""
    try:
        source_key = workspace_key(source.key_path)
    except OSError:
        return ("the source's pseudonym key is unknown (TONGXIN_KEY unset): check the destination uses the same key",
                False)
    if destination.key_path is not None and not destination.key_path.exists() \
            and install_key(destination.key_path, source_key) == source_key:
        return f"pseudonym key copied to {destination.key_path}", False
    try:
        destination_key = workspace_key(destination.key_path)
    except OSError:
        return "set TONGXIN_KEY to the source's pseudonym key before writing to the destination", False
    if destination_key != source_key:
        where = f"the contents of {source.key_path}" if source.key_path else "the source's TONGXIN_KEY"
        return (f"the destination's pseudonym key differs from the source's: new data would give the same "
                f"authors other pseudonyms; use {where} as the destination's key"), True
    return "same pseudonym key on both sides", False
