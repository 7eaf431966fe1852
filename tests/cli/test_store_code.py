"""``tongxin store code`` on the command line."""
from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from opinion.estimates.coded import coded_config, coded_state, require_current
from opinion.store.db import open_store
from opinion.text.coder import load_coder
from opinion.text.cues import load_gazetteer
from opinion.text.segment import Segmenter
from tests.helpers import REPO, TEST_DATA
from tests.store.test_voice_codes import fill

GAZETTEER = TEST_DATA / "gazetteer.csv"


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    with open_store(path) as store:
        fill(store)
    return path


def coded_rows(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT config, count(*) FROM voice_codes GROUP BY config").fetchall())


def test_store_code_prints_one_line_and_stores_one_row_per_voice(db: Path) -> None:
    result = CliRunner().invoke(main, ["store", "code", "--db", str(db), "--gazetteer", str(GAZETTEER),
                                       "--batch", "5"])
    assert result.exit_code == 0, result.output
    line = result.stdout.rstrip("\n")
    assert "\n" not in line
    found = re.fullmatch(rf"32 voices coded from 91 documents in \d+\.\d s \(configuration ([0-9a-f]{{12}}), jieba\) "
                         rf"in {re.escape(str(db))}", line)
    assert found, line
    config = coded_config(load_coder(), Segmenter.default(), load_gazetteer(GAZETTEER), date.today())
    assert found.group(1) == config[:12]
    assert coded_rows(db) == {config: 32}
    with open_store(db) as store:
        assert require_current(store, config).voices == 32

    again = CliRunner().invoke(main, ["store", "code", "--db", str(db), "--gazetteer", str(GAZETTEER)])
    assert again.exit_code == 0, again.output
    assert coded_rows(db) == {config: 32}  # replaced, not added


def test_another_coder_or_engine_codes_under_another_configuration(db: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGXIN_SEGMENTER", "jieba")  # --engine sets it for the process: restored after the test
    lexicon = tmp_path / "topics.yaml"
    lexicon.write_text((REPO / "data" / "lexicon" / "topics.yaml").read_text(encoding="utf-8")
                       .replace("路灯, ", "路灯, 路灯杆, ", 1), encoding="utf-8")
    runs = [["store", "code", "--db", str(db)], ["store", "code", "--db", str(db), "--coder", str(lexicon)],
            ["--engine", "rjieba", "store", "code", "--db", str(db), "--workers", "2"]]
    for args in runs:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith(f", rjieba) in {db}")
    configs = [coded_config(None, Segmenter.default(engine="jieba"), None, date.today()),
               coded_config(load_coder(lexicon), Segmenter.default(engine="jieba"), None, date.today()),
               coded_config(None, Segmenter.default(engine="rjieba"), None, date.today())]
    assert coded_rows(db) == dict.fromkeys(configs, 32)
    with open_store(db) as store:
        states = [coded_state(store, config) for config in configs]
    assert [s.coder for s in states if s is not None] == ["lexicon topics.yaml"] * 3
    assert all(s is not None and not s.stale for s in states)


def test_store_code_does_not_create_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["store", "code", "--db", str(tmp_path / "typo.db")])
    assert result.exit_code == 1
    assert result.output == (f"Error: {tmp_path / 'typo.db'}: no such store; crawl a site (tongxin crawl) or import a "
                             "survey (tongxin survey import) into it first, or give --db (or TONGXIN_DB) the path of "
                             "an existing store\n")
    assert not (tmp_path / "typo.db").exists()


def test_store_code_names_a_missing_or_broken_coder(db: Path, tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["store", "code", "--db", str(db), "--coder", str(tmp_path / "none.json")])
    assert missing.exit_code == 1
    assert missing.output == f"Error: {tmp_path / 'none.json'}: no such coder file; train one with `tongxin code train`\n"
    broken = tmp_path / "broken.json"
    broken.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, ["store", "code", "--db", str(db), "--coder", str(broken)])
    assert result.exit_code == 1
    assert result.output == (f'Error: {broken}: not a topic coder file (no "format": "tongxin-topic-coder"); '
                             "train one with `tongxin code train`\n")
    assert coded_rows(db) == {}


def test_store_code_names_an_unreachable_server_without_its_password() -> None:
    result = CliRunner().invoke(main, ["store", "code", "--db", "postgresql://u:hunter2@127.0.0.1:9/x"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: postgresql://u:***@127.0.0.1:9/x: not a usable tongxin store (")
    assert "hunter2" not in result.output and len(result.output.splitlines()) == 1
