"""Fixtures shared across the test packages (paths and helpers are in ``tests/helpers.py``)."""
from __future__ import annotations

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
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh workspace store in the test's temporary folder."""
    with open_store(tmp_path / "store.db") as opened:
        yield opened
