from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from tests.helpers import TEST_DATA

MARGINS = str(TEST_DATA / "margins" / "crosstab_age_sex.csv")
READING = {
    "report": ["report", "--margins", MARGINS],
    "words": ["words", "--margins", MARGINS],
    "plan": ["plan", "--budget", "10", "--margins", MARGINS],
    "export": ["export", "voices"],
    "code sample": ["code", "sample", "--n", "3", "--out", "sheet.xlsx"],
    "code import": ["code", "import", MARGINS],
}


@pytest.mark.parametrize("command", sorted(READING))
def test_commands_that_read_a_store_stop_when_it_does_not_exist(tmp_path: Path, command: str) -> None:
    db = tmp_path / "not-yet" / "t.db"
    result = CliRunner().invoke(main, [*READING[command], "--db", str(db)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {db}: no such store; crawl a site (tongxin crawl) or import a survey (tongxin survey import) "
        "into it first, or give --db (or TONGXIN_DB) the path of an existing store\n"
    )
    assert not db.parent.exists()  # nothing created


def test_the_store_named_by_the_environment_is_checked_too(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    result = CliRunner().invoke(main, ["export", "voices"], env={"TONGXIN_DB": str(db)})
    assert result.exit_code == 1 and f"Error: {db}: no such store" in result.output
    assert not db.exists()


def test_importing_a_survey_still_creates_the_store(tmp_path: Path) -> None:
    survey = tmp_path / "s.csv"
    survey.write_text("编号,性别,年龄\n1,男,40\n2,女,70\n", encoding="utf-8")
    db = tmp_path / "t.db"
    result = CliRunner().invoke(main, ["survey", "import", str(survey), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert db.exists()
    exported = CliRunner().invoke(main, ["export", "voices", "--db", str(db)])
    assert exported.exit_code == 0, exported.output
