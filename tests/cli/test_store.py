"""``tongxin store copy`` on the command line."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from opinion.store.copy import store_counts
from opinion.store.db import open_store
from tests.store.test_copy import fill


def test_store_copy_prints_each_table_and_refuses_a_second_copy(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.db") as source:
        fill(source, tmp_path)
        counts = store_counts(source)
    target = tmp_path / "b.db"
    result = CliRunner().invoke(main, ["store", "copy", str(tmp_path / "a.db"), str(target), "--batch-size", "10"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"documents: {counts['documents']} rows read, {counts['documents']} added" in lines
    assert "meta: 2 rows read, 1 added (1 already there)" in lines
    total = sum(counts.values())
    assert f"copied {total - 1} of {total} rows from {tmp_path / 'a.db'} to {target}" in lines
    assert lines[-1] == f"note: pseudonym key copied to {target}.key"
    assert (tmp_path / "b.db.key").read_bytes() == (tmp_path / "a.db.key").read_bytes()

    again = CliRunner().invoke(main, ["store", "copy", str(tmp_path / "a.db"), str(target)])
    assert again.exit_code == 1
    assert again.output.startswith(f"Error: {target}: not empty (rows: coding_samples 3, ")
    assert again.output.rstrip().endswith("copy into an empty store, or give --append to add only the rows it lacks")

    appended = CliRunner().invoke(main, ["store", "copy", str(tmp_path / "a.db"), str(target), "--append"])
    assert appended.exit_code == 0, appended.output
    assert f"copied 0 of {total - counts['voice_codes']} rows" in appended.output
    assert (f"voice_codes: not appended (they describe the source's documents); run `tongxin store code --db {target}` "
            "to code again the voices the append brought") in appended.output.splitlines()
    assert f"documents: {counts['documents']} rows read, 0 added ({counts['documents']} already there)" in appended.output


def test_store_copy_names_an_unreachable_server_without_its_password(tmp_path: Path) -> None:
    open_store(tmp_path / "a.db").dispose()
    result = CliRunner().invoke(main, ["store", "copy", str(tmp_path / "a.db"), "postgresql://u:hunter2@127.0.0.1:9/x"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: postgresql://u:***@127.0.0.1:9/x: not a usable tongxin store (")
    assert "hunter2" not in result.output


def test_store_copy_needs_two_stores() -> None:
    result = CliRunner().invoke(main, ["store", "copy", "a.db"])
    assert result.exit_code == 2
    assert "Missing argument 'DESTINATION'" in result.output


def test_store_copy_from_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["store", "copy", str(tmp_path / "typo.db"), str(tmp_path / "b.db")])
    assert result.exit_code == 1
    assert result.output == (f"Error: {tmp_path / 'typo.db'}: no such store file; give the path of a tongxin "
                             "store or a postgresql:// URL\n")
    assert not (tmp_path / "typo.db").exists() and not (tmp_path / "b.db").exists()
