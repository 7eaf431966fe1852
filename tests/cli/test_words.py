"""``tongxin words``: options, output formats and messages."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cli.main import main
from opinion.store.db import open_store, upsert_document
from opinion.surveys.importer import import_survey
from tests.helpers import DEMO

TEXTS = ["住的老破小房子漏水，太麻烦", "看病难，医保报销慢", "孩子上学难，学位紧张", "老破小没有电梯，老人下楼难"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("words") / "words.db"
    ages = [24, 36, 52, 71]
    with open_store(path) as store:
        with store.engine.begin() as conn:
            for i in range(24):
                upsert_document(conn, {
                    "url": f"http://forum.example/t{i}", "source": "forum", "kind": "post",
                    "content_hash": str(i), "author": f"a{i}", "text": TEXTS[i % 4],
                    "fetched_at": "2026-11-27T00:00:00",
                    "attributes": {k: {"value": v, "provenance": "site"} for k, v in
                                   {"sex": "female" if i % 2 else "male", "age": ages[(i // 2) % 4],
                                    "urban": "urban" if i % 3 else "rural"}.items()},
                })
        import_survey(store, DEMO / "survey.csv", interview_year=2026)
    return path


def run(db: Path, *args: str) -> tuple[int, str]:
    """Exit code and stdout on success (stderr holds the progress label), else stdout and stderr."""
    result = CliRunner().invoke(main, ["words", "--db", str(db), "--margins", str(DEMO / "margins.csv"), *args])
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def test_csv_has_shares_document_frequencies_and_method(db: Path) -> None:
    code, out = run(db, "--format", "csv", "--top", "1000", "--method", "survey")
    assert code == 0, out
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["word", "raw_share", "raw_rank", "weighted_share", "weighted_rank", "rank_shift",
                                   "raw_voices_share", "weighted_voices_share", "voices", "method"]
    assert set(table["method"]) == {"survey"}
    # 24 online voices, each with one of four texts: 漏水 is in one text, 6 voices.
    leak = table[table["word"] == "漏水"].iloc[0]
    assert leak["raw_voices_share"] == pytest.approx(6 / 24)
    # Its normalised frequency: 1 of the 6 content tokens (住 老破 小房子 漏水 太 麻烦), over 24 voices.
    assert leak["raw_share"] == pytest.approx(6 / 24 * 1 / 6)
    assert (table["raw_rank"] - table["weighted_rank"] == table["rank_shift"]).all()


def test_raw_method_changes_nothing(db: Path) -> None:
    code, out = run(db, "--format", "json", "--method", "raw")
    assert code == 0, out
    rows = json.loads(out)
    assert all(r["raw_share"] == r["weighted_share"] and r["rank_shift"] == 0 for r in rows)


def test_userdict_adds_words(db: Path, tmp_path: Path) -> None:
    code, out = run(db, "--format", "csv", "--top", "1000", "--method", "raw")
    assert code == 0 and "老破小" not in pd.read_csv(io.StringIO(out))["word"].tolist()
    userdict = tmp_path / "mine.txt"
    userdict.write_text("# my terms\n老破小 99999 n\n", encoding="utf-8")
    code, out = run(db, "--format", "csv", "--top", "1000", "--method", "raw", "--userdict", str(userdict))
    assert code == 0, out
    table = pd.read_csv(io.StringIO(out))
    assert table.loc[table["word"] == "老破小", "voices"].tolist() == [12]
    # The shipped configuration's cache is still right afterwards.
    code, out = run(db, "--format", "csv", "--top", "1000", "--method", "raw")
    assert "老破小" not in pd.read_csv(io.StringIO(out))["word"].tolist()


def test_table_format(db: Path) -> None:
    code, out = run(db, "--top", "3", "--workers", "2")
    assert code == 0, out
    assert out.splitlines()[0].startswith("rank word\tblend share")


def test_errors(db: Path, tmp_path: Path) -> None:
    code, out = run(db, "--userdict", str(tmp_path / "none.txt"))
    assert code == 1
    assert f"Error: {tmp_path / 'none.txt'}: user dictionary not found" in out
    bad = tmp_path / "bad.txt"
    bad.write_text("老破小 lots of words\n", encoding="utf-8")
    code, out = run(db, "--userdict", str(bad))
    assert code == 1 and "bad.txt line 1" in out
    code, out = run(db, "--method", "mrp")
    assert code == 2 and "Invalid value for '--method'" in out


def test_help_names_the_options() -> None:
    out = CliRunner().invoke(main, ["words", "--help"]).output
    for option in ("--method", "--userdict", "--top", "--format"):
        assert option in out
