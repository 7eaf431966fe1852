"""The command line as a whole: every command has help and is documented; errors are clean."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.main import COMMANDS, main
from tests.helpers import REPO

README = REPO / "README.md"


def _leaf_commands() -> list[tuple[str, click.Command]]:
    found = []
    for name in COMMANDS:
        command = main.get_command(click.Context(main), name)
        assert command is not None, name
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
        found.append((name, command))
    return found


@pytest.mark.parametrize("name,command", _leaf_commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_help_text(name: str, command: click.Command) -> None:
    assert command.help and len(command.help.strip()) > 20, f"tongxin {name} has no help text"
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"tongxin {name}" in README.read_text(encoding="utf-8")


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["nosuch"])
    assert result.exit_code == 2
    assert "No such command 'nosuch'" in result.output


def test_report_with_missing_margins_file_names_it(tmp_path: Path) -> None:
    (tmp_path / "t.db").touch()  # an empty store
    result = CliRunner().invoke(main, ["report", "--db", str(tmp_path / "t.db"), "--margins", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert "nope.csv" in result.output and "Traceback" not in result.output


def test_report_on_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    margins = tmp_path / "m.csv"
    margins.write_text("variable,level,target\nsex,male,0.5\nsex,female,0.5\n", encoding="utf-8")
    (tmp_path / "t.db").touch()  # an empty store
    result = CliRunner().invoke(main, ["report", "--db", str(tmp_path / "t.db"), "--margins", str(margins)])
    assert result.exit_code == 1
    assert "holds no documents and no survey respondents; crawl or import first" in result.output


def test_survey_import_reports_counts_and_rejects(tmp_path: Path) -> None:
    survey = tmp_path / "s.csv"
    survey.write_bytes("编号,性别,年龄,城乡,最关心的问题\n1,男,40,城镇,房价\n2,女,,乡村,看病\n".encode("gbk"))
    result = CliRunner().invoke(main, ["survey", "import", str(survey), "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 0, result.output
    assert "2 rows, 1 imported, 1 rejected" in result.output
    rejects = (tmp_path / "s.rejects.csv").read_text(encoding="utf-8")
    assert "年龄 is blank" in rejects
    again = CliRunner().invoke(main, ["survey", "import", str(survey), "--db", str(tmp_path / "t.db")])
    assert "already imported" in again.output


def test_survey_import_with_nothing_valid_exits_1(tmp_path: Path) -> None:
    survey = tmp_path / "s.csv"
    survey.write_bytes("编号,性别,年龄\n1,X,40\n".encode("gbk"))
    result = CliRunner().invoke(main, ["survey", "import", str(survey), "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 1
    assert "no valid rows; nothing was stored" in result.output


def test_the_library_api_resolves_every_name_it_exports() -> None:
    import opinion
    import weighting

    for package in (opinion, weighting):
        for name in package.__all__:
            assert getattr(package, name) is not None, f"{package.__name__}.{name}"


def test_the_crawl_command_starts_without_loading_the_statistics_stack() -> None:
    # pandas and statsmodels take about half a second to import; a crawl never needs them
    code = "import sys, cli.main, cli.crawl; print(sorted({'pandas', 'statsmodels'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_python_dash_m_tongxin_is_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "tongxin", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: tongxin ")
    assert "report" in done.stdout


@pytest.mark.parametrize("command", ["report", "words", "plan"])
def test_every_margins_option_takes_the_shipped_census_table(tmp_path: Path, command: str) -> None:
    (tmp_path / "t.db").touch()  # an empty store
    args = [command, "--db", str(tmp_path / "t.db"), "--margins", "census2020:全国"]
    result = CliRunner().invoke(main, args + (["--budget", "10"] if command == "plan" else []))
    assert "no such file" not in result.output.lower()
    assert "Traceback" not in result.output
    unknown = CliRunner().invoke(main, [command, "--db", str(tmp_path / "t.db"), "--margins", "census2020:火星"]
                                 + (["--budget", "10"] if command == "plan" else []))
    assert unknown.exit_code == 1
    assert "no targets for area '火星'" in unknown.output


def test_engine_option_sets_the_segmentation_engine_of_the_command(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    texts = tmp_path / "texts.csv"
    texts.write_text("text\n村里的路灯坏了三天，晚上看不见路\n看病太贵了\n", encoding="utf-8")
    monkeypatch.setenv("TONGXIN_SEGMENTER", "jieba")  # restored after the test
    outputs = {}
    for engine in ("jieba", "rjieba"):
        result = CliRunner().invoke(main, ["--engine", engine, "topics", "check", str(texts)])
        assert result.exit_code == 0, result.output
        assert os.environ["TONGXIN_SEGMENTER"] == engine
        outputs[engine] = result.output
    assert outputs["rjieba"] == outputs["jieba"]
    wrong = CliRunner().invoke(main, ["--engine", "thulac", "topics"])
    assert wrong.exit_code == 2
    assert "Invalid value for '--engine': 'thulac' is not one of 'jieba', 'rjieba'." in wrong.output
