"""The pseudonym key beside a local store: created once, even by processes racing to create it."""
from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import stat
from pathlib import Path

import pytest

from opinion.store.privacy import install_key, workspace_key


def _key_of(path: str, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue) -> None:
    barrier.wait()
    out.put(workspace_key(Path(path)))


def test_processes_creating_the_key_at_once_all_end_with_the_one_key_on_disk(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    for attempt in range(5):
        key_path = tmp_path / f"s{attempt}.db.key"
        barrier, out = ctx.Barrier(6), ctx.Queue()
        processes = [ctx.Process(target=_key_of, args=(str(key_path), barrier, out)) for _ in range(6)]
        for p in processes:
            p.start()
        keys = [out.get(timeout=30) for _ in processes]
        for p in processes:
            p.join(timeout=30)
        assert [p.exitcode for p in processes] == [0] * 6
        assert set(keys) == {key_path.read_bytes()}
        assert len(key_path.read_bytes()) == 64
        assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"s{i}.db.key" for i in range(5)]  # no temporaries left


def test_install_key_keeps_a_key_already_in_place(tmp_path: Path) -> None:
    key_path = tmp_path / "s.db.key"
    assert install_key(key_path, b"first") == b"first"
    assert install_key(key_path, b"second") == b"first"
    assert workspace_key(key_path) == b"first"


def test_an_empty_key_file_is_an_error_naming_the_file(tmp_path: Path) -> None:
    key_path = tmp_path / "s.db.key"
    key_path.write_bytes(b"")
    with pytest.raises(OSError, match=r"s\.db\.key: the pseudonym key file is empty"):
        workspace_key(key_path)
