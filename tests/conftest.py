"""Fixtures shared across the test packages (paths and helpers are in ``tests/helpers.py``)."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from opinion.store.db import Store, open_store
from opinion.text.segment import Segmenter


@pytest.fixture(scope="session")
def segmenter() -> Segmenter:
    """The shipped segmenter (user dictionary, stopwords, keep-list), loaded once."""
    return Segmenter.default()


@pytest.fixture()
def store(store_url: str) -> Iterator[Store]:
    """A fresh workspace store, once on each backend: a SQLite file in the test's temporary
    folder, then a PostgreSQL schema (see ``store_url``)."""
    with open_store(store_url) as opened:
        yield opened


PG_DEFAULT = "postgresql://tongxin_test:tongxin_test@127.0.0.1:5432/tongxin_test"  # scripts/services.sh


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The test PostgreSQL server (``$TONGXIN_TEST_PG``); skipped if absent, failed under CI=true."""
    import sqlalchemy as sa

    url = os.environ.get("TONGXIN_TEST_PG", PG_DEFAULT)
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        message = f"no PostgreSQL at {url} (start it with scripts/services.sh): {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()
    return url


@pytest.fixture()
def pg_schema_url(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A URL of the test server whose tables live in a fresh schema, dropped afterwards."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    monkeypatch.setenv("TONGXIN_KEY", "test-key-" + schema)
    try:
        yield f"{pg_url}{'&' if '?' in pg_url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store's location on each backend: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture()
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store, for tests that read its file."""
    with open_store(tmp_path / "store.db") as opened:
        yield opened


@pytest.fixture()
def any_store(store: Store) -> Store:
    """The ``store`` fixture under the name the store tests give it."""
    return store


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis server (``$TONGXIN_TEST_REDIS``, default scripts/services.sh's); skipped
    if absent, failed under CI=true."""
    import redis

    url = os.environ.get("TONGXIN_TEST_REDIS", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.RedisError as exc:
        message = f"no Redis at {url} (start it with scripts/services.sh): {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url
