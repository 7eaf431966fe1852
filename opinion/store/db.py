"""The workspace store: one SQLite file (or a PostgreSQL URL) reached through SQLAlchemy Core.

Both databases get the same schema and migrations. Statements are portable: writes that
may meet a row another process wrote first are upserts (``INSERT ... ON CONFLICT``, built
with the dialect's own construct), so concurrent crawlers never store a document twice.
Nothing personal is stored in clear. Authors and respondents are keyed by HMAC
pseudonyms (see :mod:`opinion.store.privacy`); texts are stored after PII masking.
The schema is versioned; :func:`open_store` applies pending migrations.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from opinion.errors import StoreError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 11
DEFAULT_DB = "tongxin.db"

metadata = sa.MetaData()

meta_table = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("value", sa.String, nullable=False),
)

crawl_runs = sa.Table(
    "crawl_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("profile", sa.String, nullable=False),
    sa.Column("start_urls", sa.Text, nullable=False),  # JSON list
    sa.Column("started_at", sa.String, nullable=False),
    sa.Column("finished_at", sa.String),
    sa.Column("settings", sa.Text),  # JSON: politeness settings actually used
    sa.Column("stats", sa.Text),  # JSON: pages, new/updated/unchanged, dropped, errors
)

documents = sa.Table(
    "documents", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # canonical URL (+ #post anchor). Voices are built in URL order (the bootstrap's order), so
    # PostgreSQL compares URLs byte by byte as SQLite does, whatever the database's locale.
    sa.Column("url", sa.String().with_variant(sa.String(collation="C"), "postgresql"), nullable=False, unique=True),
    sa.Column("source", sa.String, nullable=False),  # site / profile name
    sa.Column("kind", sa.String, nullable=False),  # letter | post
    sa.Column("content_hash", sa.String, nullable=False),
    # keyed pseudonym, never the name; indexed (schema 10) so voices are built a range of authors at a time
    sa.Column("author", sa.String, index=True),
    sa.Column("title", sa.Text),
    sa.Column("text", sa.Text, nullable=False),  # masked
    sa.Column("reply_text", sa.Text),  # official reply, masked; not the writer's voice
    sa.Column("reply_unit", sa.String),
    sa.Column("posted_at", sa.String),  # ISO 8601
    sa.Column("posted_raw", sa.String),
    sa.Column("fetched_at", sa.String, nullable=False),
    sa.Column("attributes", sa.Text),  # JSON: {attr: {"value": v, "provenance": p}}
    sa.Column("crawl_run_id", sa.Integer, sa.ForeignKey("crawl_runs.id")),
)

survey_imports = sa.Table(
    "survey_imports", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.String, nullable=False),
    sa.Column("file_hash", sa.String, nullable=False, unique=True),
    sa.Column("wave", sa.String),
    sa.Column("encoding", sa.String),
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("rows_valid", sa.Integer, nullable=False),
    sa.Column("rows_rejected", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.String, nullable=False),
)

respondents = sa.Table(
    "respondents", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("survey_imports.id"), nullable=False),
    sa.Column("respondent", sa.String, nullable=False, unique=True),  # keyed pseudonym of the id
    sa.Column("region", sa.String),
    sa.Column("urban", sa.String),
    sa.Column("age_group", sa.String),
    sa.Column("sex", sa.String),
    sa.Column("cluster", sa.String),
    sa.Column("design_weight", sa.Float, nullable=False),
    sa.Column("text", sa.Text),  # free-text concern, masked
    sa.Column("items", sa.Text),  # JSON: scale answers, e.g. {"satisfaction": 4}
    sa.Column("wave", sa.String),  # survey wave of the file it came from (schema 3)
    sa.Column("place", sa.String),  # village / community, to tell one respondent from another (schema 3)
    sa.Column("id_key", sa.String, index=True),  # keyed pseudonym of the id alone, shared by reused ids (schema 3)
    # the ages the answer allows, so that any age bands can place it (schema 7); age_hi NULL
    # with age_lo set is open-ended ("60岁以上"), both NULL unknown
    sa.Column("age_lo", sa.Integer),
    sa.Column("age_hi", sa.Integer),
    sa.Column("stratum", sa.String),  # the design stratum the cluster was drawn in (schema 8)
)

segment_cache = sa.Table(
    "segment_cache", metadata,
    sa.Column("content_hash", sa.String, primary_key=True),
    sa.Column("tokens", sa.Text, nullable=False),  # JSON list
)

# Earlier versions of a document whose content changed: one row per replaced version.
document_versions = sa.Table(
    "document_versions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
    sa.Column("url", sa.String, nullable=False),
    sa.Column("content_hash", sa.String, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("text", sa.Text, nullable=False),  # masked, as it was stored
    sa.Column("reply_text", sa.Text),
    sa.Column("reply_unit", sa.String),
    sa.Column("posted_at", sa.String),
    sa.Column("fetched_at", sa.String, nullable=False),  # when this version was fetched
    sa.Column("replaced_at", sa.String, nullable=False),  # when a newer version replaced it
    sa.Column("crawl_run_id", sa.Integer),
)

# Incremental crawls of JSON boards: the highest item id stored per source (profile + start URL).
source_watermarks = sa.Table(
    "source_watermarks", metadata,
    sa.Column("source", sa.String, primary_key=True),  # "profile start-url"
    sa.Column("watermark", sa.String, nullable=False),  # highest id seen, as the site prints it
    sa.Column("updated_at", sa.String, nullable=False),
    sa.Column("crawl_run_id", sa.Integer),
)

# Who-is-writing cues read from a document's text (schema 5), one row per document and
# cue configuration (rules, gazetteer, reference year; see opinion.text.cues.cue_config).
# ``cues`` is a JSON list of {attribute, value, rule, start, end, text}: the span of the
# normalised text that was read, so every attribute taken from text can be audited.
# ``content_hash`` is the document version the cues were read from; a changed document
# is read again.
document_cues = sa.Table(
    "document_cues", metadata,
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), primary_key=True),
    sa.Column("config", sa.String, primary_key=True),
    sa.Column("content_hash", sa.String, nullable=False),
    sa.Column("cues", sa.Text, nullable=False),
)

# Voices drawn for a person to code (``tongxin code sample``): the draw is recorded so
# that imported codes are matched to it and each coded voice keeps its inclusion
# probability, which the correction of the estimates needs.
coding_samples = sa.Table(
    "coding_samples", metadata,
    sa.Column("sample", sa.String, primary_key=True),
    sa.Column("source", sa.String, primary_key=True),  # online / survey
    sa.Column("voice", sa.String, primary_key=True),  # the voice's pseudonym
    sa.Column("probability", sa.Float, nullable=False),  # of being drawn, within its stratum
    sa.Column("stratum", sa.String, nullable=False),
    sa.Column("drawn_at", sa.String, nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
    # SHA-256 of the voice's documents (URL and content hash of each) when it was drawn, so
    # that codes of a voice whose documents changed since are known to describe older texts
    # (schema 11; NULL for survey voices and for samples drawn before)
    sa.Column("documents_hash", sa.String),
)

# A person's codes for drawn voices (``tongxin code import``): ``topics`` is a JSON list of
# topic codes; an empty list with ``no_concern`` true means the voice raises no concern.
hand_codes = sa.Table(
    "hand_codes", metadata,
    sa.Column("sample", sa.String, primary_key=True),
    sa.Column("source", sa.String, primary_key=True),
    sa.Column("voice", sa.String, primary_key=True),
    sa.Column("topics", sa.Text, nullable=False),
    sa.Column("no_concern", sa.Boolean, nullable=False),
    sa.Column("imported_at", sa.String, nullable=False),
    sa.Column("file", sa.String),
)

# Topics coded ahead for each online voice (``tongxin store code``, schema 9), so that a report
# at scale aggregates voices in the database instead of building them. ``config`` is the
# coding configuration (coder, segmenter, cues: opinion.estimates.coded.coded_config);
# ``voice`` the author's pseudonym; attributes as the voice was built (no age bands placed);
# ``topics`` one '0'/'1' per code of the coder, in its order. What a run covered (the
# documents it saw, when) is the meta row ``voice_codes:<config>``, written last.
voice_codes = sa.Table(
    "voice_codes", metadata,
    sa.Column("config", sa.String, primary_key=True),
    sa.Column("voice", sa.String, primary_key=True),
    sa.Column("source", sa.String, nullable=False),
    sa.Column("region", sa.String),
    sa.Column("urban", sa.String),
    sa.Column("sex", sa.String),
    sa.Column("age_group", sa.String),
    sa.Column("age_lo", sa.Float),  # completed years; NULL unknown
    sa.Column("age_hi", sa.Float),  # NULL with age_lo set: open-ended ("60 and over")
    sa.Column("topics", sa.Text, nullable=False),
    sa.Column("n_documents", sa.Integer, nullable=False),
)

# Each migration takes the schema from version i to i + 1. The statements run on SQLite
# and PostgreSQL alike: standard SQL only (no AUTOINCREMENT, INSERT OR IGNORE or PRAGMA).
MIGRATIONS: list[list[str]] = [
    # 1 -> 2: document_versions (created by create_all; the statement keeps the step explicit)
    [
        "CREATE TABLE IF NOT EXISTS document_versions (id INTEGER PRIMARY KEY, "
        "document_id INTEGER NOT NULL REFERENCES documents (id), url VARCHAR NOT NULL, "
        "content_hash VARCHAR NOT NULL, title TEXT, text TEXT NOT NULL, reply_text TEXT, reply_unit VARCHAR, "
        "posted_at VARCHAR, fetched_at VARCHAR NOT NULL, replaced_at VARCHAR NOT NULL, crawl_run_id INTEGER)",
    ],
    # 2 -> 3: respondents remember their wave and place; id_key finds the same id across files
    [
        "ALTER TABLE respondents ADD COLUMN wave VARCHAR",
        "ALTER TABLE respondents ADD COLUMN place VARCHAR",
        "ALTER TABLE respondents ADD COLUMN id_key VARCHAR",
        "UPDATE respondents SET id_key = respondent WHERE id_key IS NULL",
        "UPDATE respondents SET wave = (SELECT wave FROM survey_imports WHERE survey_imports.id = respondents.import_id)",
        "CREATE INDEX IF NOT EXISTS ix_respondents_id_key ON respondents (id_key)",
    ],
    # 3 -> 4: source_watermarks (created by create_all; the statement keeps the step explicit)
    [
        "CREATE TABLE IF NOT EXISTS source_watermarks (source VARCHAR PRIMARY KEY, watermark VARCHAR NOT NULL, "
        "updated_at VARCHAR NOT NULL, crawl_run_id INTEGER)",
    ],
    # 4 -> 5: document_cues (created by create_all; the statement keeps the step explicit)
    [
        "CREATE TABLE IF NOT EXISTS document_cues (document_id INTEGER NOT NULL REFERENCES documents (id), "
        "config VARCHAR NOT NULL, content_hash VARCHAR NOT NULL, cues TEXT NOT NULL, "
        "PRIMARY KEY (document_id, config))",
    ],
    # 5 -> 6: coding_samples and hand_codes (created by create_all; the statements keep the step explicit)
    [
        "CREATE TABLE IF NOT EXISTS coding_samples (sample VARCHAR NOT NULL, source VARCHAR NOT NULL, "
        "voice VARCHAR NOT NULL, probability FLOAT NOT NULL, stratum VARCHAR NOT NULL, drawn_at VARCHAR NOT NULL, "
        "seed INTEGER NOT NULL, PRIMARY KEY (sample, source, voice))",
        "CREATE TABLE IF NOT EXISTS hand_codes (sample VARCHAR NOT NULL, source VARCHAR NOT NULL, "
        "voice VARCHAR NOT NULL, topics TEXT NOT NULL, no_concern BOOLEAN NOT NULL, imported_at VARCHAR NOT NULL, "
        "file VARCHAR, PRIMARY KEY (sample, source, voice))",
    ],
    # 6 -> 7: respondents keep the ages their answer allows (NULL for those imported before)
    [
        "ALTER TABLE respondents ADD COLUMN age_lo INTEGER",
        "ALTER TABLE respondents ADD COLUMN age_hi INTEGER",
    ],
    # 7 -> 8: respondents keep the stratum their cluster was drawn in (NULL: the file named none)
    [
        "ALTER TABLE respondents ADD COLUMN stratum VARCHAR",
    ],
    # 8 -> 9: voice_codes (created by create_all; the statement keeps the step explicit)
    [
        "CREATE TABLE IF NOT EXISTS voice_codes (config VARCHAR NOT NULL, voice VARCHAR NOT NULL, "
        "source VARCHAR NOT NULL, region VARCHAR, urban VARCHAR, sex VARCHAR, age_group VARCHAR, age_lo FLOAT, "
        "age_hi FLOAT, topics TEXT NOT NULL, n_documents INTEGER NOT NULL, PRIMARY KEY (config, voice))",
    ],
    # 9 -> 10: documents found by author, so `store code` reads a range of authors at a time
    [
        "CREATE INDEX IF NOT EXISTS ix_documents_author ON documents (author)",
    ],
    # 10 -> 11: a drawn voice keeps the fingerprint of its documents when drawn
    [
        "ALTER TABLE coding_samples ADD COLUMN documents_hash VARCHAR",
    ],
]


@dataclass
class Store:
    """An open workspace: the engine plus the path of its pseudonym key."""

    engine: Engine
    url: str
    key_path: Path | None = field(default=None)

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()


def _database_url(db: str | os.PathLike[str]) -> tuple[str, Path | None]:
    text = str(db)
    if "://" in text:
        if not text.startswith(("sqlite", "postgresql")):
            raise StoreError(f"{shown_url(text)}: not a supported store; give a SQLite file path or a "
                             "postgresql://USER:PASSWORD@HOST:PORT/DATABASE URL")
        return text, None
    path = Path(text)
    if path.exists() and path.is_dir():
        raise StoreError(f"{path}: is a directory; give the path of a store file, e.g. {path / DEFAULT_DB}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}", path


def _use_wal(cursor: Any, wait: float = 10.0) -> None:
    """Put the database in WAL mode (kept in the file, so a store already in WAL is left as is).

    Switching needs the database to itself, and SQLite answers "database is locked" at
    once, without its busy timeout, while another process is switching or creating it:
    retried here for up to ``wait`` seconds.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL with ``synchronous=NORMAL``, the setting SQLite recommends for WAL.

    NORMAL skips the fsync at each commit (the WAL is synced at checkpoints): the
    database cannot be corrupted, only the last few commits may be lost on a power
    failure, which a crawl re-fetches. With FULL, a crawl spends most of its store
    time waiting for one fsync per document.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")  # first: another process may be creating the file
    _use_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def shown_url(url: str) -> str:
    """``url`` fit for a message: a database URL's password replaced by ``***``."""
    if "://" not in url:
        return url
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url.split("://", 1)[0] + "://..."


def _current_version(engine: Engine) -> int | None:
    """The store's schema version, read without writing; None for a new or foreign database."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(meta_table.name):
            return None
        row = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).first()
    return int(row[0]) if row and str(row[0]).isdigit() else None


_ADD_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (\w+)")


def _migrate(conn: sa.Connection, statement: str) -> None:
    """Run one migration statement; a column it adds that is there already is left as is
    (``create_all`` makes a table missing from an old store with today's columns)."""
    added = _ADD_COLUMN.match(statement)
    if added and added.group(2) in {c["name"] for c in sa.inspect(conn).get_columns(added.group(1))}:
        return
    conn.execute(sa.text(statement))


# Any constant: the lock that lets one process at a time create or migrate a server store.
_SCHEMA_LOCK = 7_467_884_301


def open_store(db: str | os.PathLike[str] | None = None) -> Store:
    """Open (creating or migrating) the store at ``db``, ``$TONGXIN_DB`` or ``./tongxin.db``.

    ``db`` is a SQLite file path or a ``postgresql://`` URL (driver: psycopg 3). A server
    store has no key file beside it: its pseudonym key comes from ``$TONGXIN_KEY``.
    Raises :class:`StoreError` when the store cannot be reached or is not a tongxin store.
    """
    target = db or os.environ.get("TONGXIN_DB") or DEFAULT_DB
    url, path = _database_url(target)
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(f"{shown_url(str(target))}: cannot open this store ({exc})") from exc
    if url.startswith("sqlite"):
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    key_path = path.with_name(path.name + ".key") if path is not None else None
    try:
        if _current_version(engine) == SCHEMA_VERSION:  # the usual case: nothing to create, nothing written
            return Store(engine=engine, url=url, key_path=key_path)
        with engine.begin() as conn:
            # Several crawlers may open a new store at once: one at a time creates or migrates it.
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            else:  # the write lock now, not at the first INSERT, so the existence checks below hold
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            metadata.create_all(conn)
            row = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).first()
            version = int(row[0]) if row else 0
            if version == 0:
                conn.execute(meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
            elif version > SCHEMA_VERSION:
                raise StoreError(
                    f"{shown_url(str(target))}: store schema version {version} is newer than this tongxin "
                    f"understands ({SCHEMA_VERSION}); upgrade tongxin"
                )
            elif version < SCHEMA_VERSION:
                for step in MIGRATIONS[version - 1:]:
                    for statement in step:
                        _migrate(conn, statement)
                conn.execute(
                    meta_table.update().where(meta_table.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
                )
    except sa.exc.DatabaseError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        raise StoreError(f"{shown_url(str(target))}: not a usable tongxin store ({reason})") from exc
    return Store(engine=engine, url=url, key_path=key_path)


def dumps(value: Any) -> str:
    """JSON for the store: Chinese kept readable, keys sorted so hashes are stable."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def insert(conn: sa.Connection, table: sa.Table) -> Any:
    """The dialect's own INSERT for ``table`` (it has ``on_conflict_do_nothing``/``_do_update``)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


# Built once: a statement object per call costs more Python time than SQLite spends on it.
# FOR UPDATE (PostgreSQL; SQLite has one writer anyway): a second writer of the same URL
# waits for the first to commit, then reads its version instead of replacing the same one.
_DOCUMENT_BY_URL = sa.select(documents).where(documents.c.url == sa.bindparam("doc_url")).with_for_update()
_INSERT_DOCUMENT = {
    "sqlite": sqlite.insert(documents).on_conflict_do_nothing(index_elements=["url"]).returning(documents.c.id),
    "postgresql": postgresql.insert(documents).on_conflict_do_nothing(index_elements=["url"])
    .returning(documents.c.id),
}


def find_document(conn: sa.Connection, url: str) -> sa.RowMapping | None:
    """The stored row of the document at canonical ``url`` (all columns), or None."""
    return conn.execute(_DOCUMENT_BY_URL, {"doc_url": url}).mappings().first()


_NOT_LOOKED_UP: Any = object()


def upsert_document(conn: sa.Connection, doc: Mapping[str, Any], existing: Any = _NOT_LOOKED_UP) -> str:
    """Insert or update one document keyed by canonical URL.

    Returns ``"new"``, ``"updated"`` (content hash changed) or ``"unchanged"``.
    ``existing`` is the stored row when the caller already read it in this
    transaction (:func:`find_document`; None for "not stored"), saving a query.
    A document another process stored since that read is not inserted twice: the
    insert does nothing on the URL's conflict and the stored row is compared instead.
    """
    if existing is _NOT_LOOKED_UP:
        existing = conn.execute(
            sa.select(documents.c.id, documents.c.content_hash).where(documents.c.url == doc["url"])
        ).first()
    values = {k: v for k, v in doc.items() if k in documents.c}
    if isinstance(values.get("attributes"), dict):
        values["attributes"] = dumps(values["attributes"])
    if existing is None:
        if conn.execute(_INSERT_DOCUMENT[conn.dialect.name], values).first() is not None:
            return "new"
        existing = conn.execute(
            sa.select(documents.c.id, documents.c.content_hash).where(documents.c.url == doc["url"])
        ).first()
        assert existing is not None, "the insert met a stored row with this URL"
    stored = getattr(existing, "_mapping", existing)  # a Row or a RowMapping
    if stored["content_hash"] == doc["content_hash"]:
        return "unchanged"
    conn.execute(documents.update().where(documents.c.id == stored["id"]).values(**values))
    return "updated"


def get_watermark(conn: sa.Connection, source: str) -> str | None:
    """The highest item id stored for ``source`` by an earlier complete crawl, or None."""
    return conn.execute(
        sa.select(source_watermarks.c.watermark).where(source_watermarks.c.source == source)
    ).scalar_one_or_none()


def set_watermark(conn: sa.Connection, source: str, watermark: str, updated_at: str, run_id: int | None) -> None:
    """Record ``watermark`` as the highest id stored for ``source``."""
    values = {"watermark": watermark, "updated_at": updated_at, "crawl_run_id": run_id}
    conn.execute(insert(conn, source_watermarks).values(source=source, **values)
                 .on_conflict_do_update(index_elements=["source"], set_=values))


def cached_tokens(conn: sa.Connection, hashes: Iterable[str]) -> dict[str, list[str]]:
    wanted = list(set(hashes))
    found: dict[str, list[str]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        rows = conn.execute(
            sa.select(segment_cache.c.content_hash, segment_cache.c.tokens)
            .where(segment_cache.c.content_hash.in_(chunk))
        )
        found.update({r.content_hash: json.loads(r.tokens) for r in rows})
    return found


def cache_tokens(conn: sa.Connection, tokens_by_hash: Mapping[str, list[str]]) -> None:
    if tokens_by_hash:  # another process may have cached the same text meanwhile: same tokens
        conn.execute(
            insert(conn, segment_cache).on_conflict_do_nothing(index_elements=["content_hash"]),
            [{"content_hash": h, "tokens": dumps(t)} for h, t in tokens_by_hash.items()],
        )


def stored_cues(conn: sa.Connection, config: str,
                document_ids: Iterable[int] | None = None) -> dict[int, tuple[str, list[dict[str, Any]]]]:
    """Document id -> (content hash read, cues) of every document read under ``config``, or
    of those of ``document_ids`` only (read 500 ids per query)."""
    query = sa.select(document_cues.c.document_id, document_cues.c.content_hash, document_cues.c.cues).where(
        document_cues.c.config == config)
    if document_ids is None:
        return {r.document_id: (r.content_hash, json.loads(r.cues)) for r in conn.execute(query)}
    ids = list(document_ids)
    found: dict[int, tuple[str, list[dict[str, Any]]]] = {}
    for start in range(0, len(ids), 500):
        rows = conn.execute(query.where(document_cues.c.document_id.in_(ids[start:start + 500])))
        found.update({r.document_id: (r.content_hash, json.loads(r.cues)) for r in rows})
    return found


def store_cues(conn: sa.Connection, config: str, cues: Mapping[int, tuple[str, list[dict[str, Any]]]]) -> None:
    """Record (replacing earlier readings) the cues of documents read under ``config``."""
    if not cues:
        return
    ids = list(cues)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        conn.execute(document_cues.delete().where(document_cues.c.config == config,
                                                  document_cues.c.document_id.in_(chunk)))
    conn.execute(document_cues.insert(), [
        {"document_id": doc_id, "config": config, "content_hash": digest, "cues": dumps(found)}
        for doc_id, (digest, found) in cues.items()
    ])


def voice_codes_key(config: str) -> str:
    """The ``meta`` key of what the coding of voices under ``config`` covered."""
    return f"voice_codes:{config}"


def read_meta(conn: sa.Connection, key: str) -> str | None:
    """The ``meta`` value under ``key``, or None."""
    return conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == key)).scalar_one_or_none()


def write_meta(conn: sa.Connection, key: str, value: str) -> None:
    """Set (insert or replace) the ``meta`` value under ``key``."""
    conn.execute(insert(conn, meta_table).values(key=key, value=value)
                 .on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def clear_voice_codes(conn: sa.Connection, config: str) -> None:
    """Delete the voices coded under ``config`` and the ``meta`` row that says they are current."""
    conn.execute(meta_table.delete().where(meta_table.c.key == voice_codes_key(config)))
    conn.execute(voice_codes.delete().where(voice_codes.c.config == config))


def add_voice_codes(conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert coded voices (:data:`voice_codes` rows, ``config`` included in each)."""
    if rows:
        conn.execute(voice_codes.insert(), list(rows))
