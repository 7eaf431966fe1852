"""``tongxin store code`` on the command line."""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import main
from opinion.errors import InputError
from opinion.estimates.coded import coded_config, coded_state, require_current
from opinion.store.db import document_versions, documents, open_store, upsert_document
from opinion.surveys.importer import import_survey
from opinion.text.coder import load_coder
from opinion.text.cues import load_gazetteer
from opinion.text.segment import Segmenter
from tests.cli.test_store_segment import PHRASES
from tests.helpers import DEMO, REPO, TEST_DATA, write_small_survey
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


def test_store_code_on_a_store_without_documents_says_what_to_do_and_codes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    open_store(empty).dispose()
    result = CliRunner().invoke(main, ["store", "code", "--db", str(empty)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {empty}: holds no documents, so there are no voices to code; crawl into this "
                             "store first (tongxin crawl ... --db), or give the store that has them\n")
    with sqlite3.connect(empty) as conn:
        assert conn.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'voice_codes:%'").fetchone() == (0,)


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


def coded_table(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT * FROM voice_codes ORDER BY config, voice").fetchall()


def test_store_code_in_batches_over_processes_stores_the_rows_of_one_batch(db: Path) -> None:
    whole = CliRunner().invoke(main, ["store", "code", "--db", str(db), "--batch", "1000"])
    assert whole.exit_code == 0, whole.output
    one_batch = coded_table(db)
    assert len(one_batch) == 32
    result = CliRunner().invoke(main, ["store", "code", "--db", str(db), "--batch", "3", "--workers", "2", "--full"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"32 voices coded from 91 documents in \d+\.\d s \(configuration [0-9a-f]{12}, jieba\) "
                        rf"in {re.escape(str(db))}", result.stdout.rstrip("\n")), result.stdout
    assert coded_table(db) == one_batch


def test_store_code_help_says_what_a_batch_and_a_worker_are() -> None:
    result = CliRunner().invoke(main, ["store", "code", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--batch INTEGER RANGE Authors per batch: their documents are read, their voices coded and written in " \
           "one transaction; memory holds one batch per process." in text
    assert "--workers INTEGER RANGE Processes that code batches of authors, each with its own connection to the " \
           "store." in text


def test_a_killed_run_is_not_current_and_a_rerun_finishes(tmp_path: Path) -> None:
    db, authors, batch = tmp_path / "k.db", 1000, 5
    with open_store(db) as store, store.engine.begin() as conn:
        for i in range(2 * authors):  # two documents each, interleaved in URL order
            upsert_document(conn, {"url": f"http://x.cn/{i:05d}", "source": "论坛", "kind": "post",
                                   "content_hash": f"h{i}", "author": f"v_{i % authors:014d}",
                                   "text": f"{PHRASES[i % len(PHRASES)]}，第{i}次反映", "fetched_at": "2026-11-27T12:00:00"})
    run = subprocess.Popen([sys.executable, "-m", "cli", "store", "code", "--db", str(db), "--batch", str(batch)],
                           cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "TONGXIN_SEGMENTER": "jieba"})
    deadline = time.monotonic() + 120
    while sum(coded_rows(db).values()) == 0 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    assert run.wait() == -signal.SIGKILL  # killed while coding, not finished
    config = coded_config(None, Segmenter.default(engine="jieba"), None, date.today())
    kept = coded_rows(db)[config]
    assert 0 < kept < authors and kept % batch == 0  # whole batches only: each is one transaction
    with open_store(db) as store:
        assert coded_state(store, config) is None  # no meta row: never taken as current
        with pytest.raises(InputError, match="the last coding of its voices for this configuration did not finish"):
            require_current(store, config)

    rerun = CliRunner().invoke(main, ["store", "code", "--db", str(db), "--batch", str(batch)],
                               env={"TONGXIN_SEGMENTER": "jieba"})
    assert rerun.exit_code == 0, rerun.output
    assert rerun.stdout.startswith(f"{authors} voices coded from {2 * authors} documents in ")
    assert coded_rows(db) == {config: authors}
    with open_store(db) as store:
        assert require_current(store, config).voices == authors


def test_a_second_store_code_after_a_crawl_says_what_it_coded_again_and_a_check_says_current(db: Path) -> None:
    first = CliRunner().invoke(main, ["store", "code", "--db", str(db)])
    assert first.exit_code == 0, first.output
    with open_store(db) as store, store.engine.begin() as conn:
        upsert_document(conn, {"url": "http://x.cn/later", "source": "论坛", "kind": "post", "content_hash": "later",
                               "author": "v_later", "text": "村里的路灯坏了", "fetched_at": "2026-12-01T08:00:00"})
        old = conn.execute(sa.select(documents).where(documents.c.url == "http://x.cn/005")).mappings().one()
        upsert_document(conn, {**{k: old[k] for k in ("url", "source", "kind", "author", "title")},
                               "content_hash": "edited", "text": "看病太贵", "fetched_at": "2026-12-01T08:00:00"})
        conn.execute(document_versions.insert().values(document_id=old["id"], url=old["url"], text=old["text"],
                                                       content_hash=old["content_hash"], fetched_at=old["fetched_at"],
                                                       replaced_at="2026-12-01T08:00:00"))
    stale = CliRunner().invoke(main, ["report", "--cells", "--db", str(db), "--margins", str(DEMO / "margins.csv")])
    assert stale.exit_code == 1
    assert "(1 document stored and 1 document changed since the voices were coded on " in stale.output
    update = CliRunner().invoke(main, ["store", "code", "--db", str(db)])
    assert update.exit_code == 0, update.output
    assert re.fullmatch(r"2 voices with documents stored or changed since the last run \(\d{4}-\d\d-\d\d \d\d:\d\d "
                        r"UTC\) coded again from \d+ documents; 33 voices coded in all in \d+\.\d s \(configuration "
                        rf"[0-9a-f]{{12}}, jieba\) in {re.escape(str(db))}", update.stdout.rstrip("\n")), update.stdout
    check = CliRunner().invoke(main, ["store", "code", "--db", str(db)])
    assert check.stdout.startswith("codes current: no document stored or changed since the last run (")
    assert "; 33 voices coded in all in " in check.stdout


def test_the_global_engine_option_after_the_command_says_where_it_goes(db: Path) -> None:
    result = CliRunner().invoke(main, ["store", "code", "--engine", "rjieba", "--db", str(db)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: --engine is an option of tongxin itself: give it before the "
                                              "command, e.g. tongxin --engine rjieba store code ...")


def test_report_on_cells_of_a_store_without_online_documents_says_to_report_without_cells(tmp_path: Path) -> None:
    survey_only = tmp_path / "survey.db"
    with open_store(survey_only) as store:
        write_small_survey(tmp_path / "s.csv")
        import_survey(store, tmp_path / "s.csv", interview_year=2026)
    result = CliRunner().invoke(main, ["report", "--cells", "--db", str(survey_only),
                                       "--margins", str(DEMO / "margins.csv")])
    assert result.exit_code == 1
    assert result.output == (f"Error: {survey_only}: holds no online documents, so there are no voices to code "
                             "ahead; report without --cells (it reads the survey respondents as they are)\n")
