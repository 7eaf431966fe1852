"""``tongxin survey import``, ``tongxin survey check`` and ``tongxin plan`` through click."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from tests.helpers import DEMO, TEST_DATA

SURVEYS = TEST_DATA / "surveys"


def test_check_shows_mapping_preview_and_would_be_rejects_and_stores_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["survey", "check", str(SURVEYS / "gbk_messy.csv"), "--rows", "2"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "gbk_messy.csv: gbk/gb18030, comma-delimited, 6 rows" in out
    mapping = {line.split("<-")[0].strip(): line.split("<-")[1].strip() for line in out.splitlines() if "<-" in line}
    assert mapping["birth_year"] == "出生年份" and mapping["respondent_id"] == "问卷编号"
    assert "age" not in mapping
    assert "identifying columns (never stored): 受访者姓名, 手机号" in out
    assert "would import 3 rows; would reject 3" in out
    assert "1  impossible age (e.g. line 6: 出生年份 '1890 (age 135)' is outside 18-110)" in out
    assert "马桂兰" not in out and "13912340001" not in out and "A-01" not in out
    assert out.rstrip().endswith("nothing was stored")
    assert not list(tmp_path.iterdir())


def test_check_exits_1_when_no_row_would_be_valid(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("编号,性别,年龄\n1,X,40\n2,男,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["survey", "check", str(path)])
    assert result.exit_code == 1
    assert f"Error: {path}: no row would be valid; fix the file or the codebook" in result.output


def test_import_with_wave_reports_duplicates_across_files(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    runner = CliRunner()
    first = tmp_path / "a.csv"
    first.write_text("编号,村/社区,性别,年龄\n1,杨庄村,男,40\n2,杨庄村,女,70\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("编号,村/社区,性别,年龄\n1,杨庄村,男,41\n2,石桥村,男,33\n", encoding="utf-8")
    assert runner.invoke(main, ["survey", "import", str(first), "--db", db, "--wave", "w1"]).exit_code == 0
    result = runner.invoke(main, ["survey", "import", str(second), "--db", db, "--wave", "w2"])
    assert result.exit_code == 0, result.output
    assert f"{second} (utf-8): 2 rows, 1 imported, 0 rejected, 1 already imported from another file (wave w2)" in result.output
    assert "1 ids were already used by a different person in an earlier file" in result.output
    assert "same respondent as already imported from a.csv, wave w1" in (tmp_path / "b.rejects.csv").read_text(encoding="utf-8")


def test_import_excel_and_wrong_codebook(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    for row in (["ID", "Gender", "Age"], [1, "F", 30], [2, "M", 80]):
        book.active.append(row)
    book.save(tmp_path / "s.xlsx")
    result = CliRunner().invoke(main, ["survey", "import", str(tmp_path / "s.xlsx"), "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 0, result.output
    assert "(xlsx): 2 rows, 2 imported, 0 rejected" in result.output
    codebook = tmp_path / "book.yaml"
    codebook.write_text("columns: {id: [编号]}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["survey", "check", str(tmp_path / "s.xlsx"), "--codebook", str(codebook)])
    assert result.exit_code == 1
    assert f"Error: {codebook}: unknown field(s) id under 'columns'" in result.output


def test_plan_recommends_interviews_within_budget(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    runner = CliRunner()
    imported = runner.invoke(main, ["survey", "import", str(DEMO / "survey.csv"), "--db", db,
                                    "--gazetteer", str(DEMO / "gazetteer.csv"),
                                    "--rejects", str(tmp_path / "rejects.csv")])
    assert imported.exit_code == 0, imported.output
    costs = tmp_path / "costs.csv"
    costs.write_text("urban,cost\n城镇,100\n乡村,150\n", encoding="utf-8")
    out = tmp_path / "plan.csv"
    result = runner.invoke(main, ["plan", "--budget", "20000", "--db", db, "--margins", str(DEMO / "margins.csv"),
                                  "--by", "age_group,urban", "--costs", str(costs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("recommended interviews: ") and "(budget 20000, cost " in first
    spent = float(first.rsplit("cost ", 1)[1].rstrip(")"))
    assert 19850 < spent <= 20000
    assert "precision per group (95% interval half-width, points, for a 50% share; target ±8.0):" in result.output
    assert "population-wide: ±" in result.output
    assert "age_group*urban" in result.output
    assert out.read_text(encoding="utf-8").startswith("age_group,urban,population_share,online_ess,survey_ess")


def test_plan_on_an_empty_store_and_help(tmp_path: Path) -> None:
    (tmp_path / "t.db").touch()  # an empty store
    result = CliRunner().invoke(main, ["plan", "--budget", "10", "--db", str(tmp_path / "t.db"),
                                       "--margins", str(DEMO / "margins.csv")])
    assert result.exit_code == 1
    assert "holds no documents and no survey respondents; crawl or import first" in result.output
    assert "Recommend how many interviews" in CliRunner().invoke(main, ["plan", "--help"]).output
    assert "Show how FILE would be read" in CliRunner().invoke(main, ["survey", "check", "--help"]).output


FILES = TEST_DATA / "files"


def test_check_shows_the_sheet_and_header_row_found_and_what_was_skipped() -> None:
    result = CliRunner().invoke(main, ["survey", "check", str(FILES / "survey_two_sheets.xlsx"), "--rows", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("survey_two_sheets.xlsx: xlsx, sheet '原始数据', 5 rows, header on row 3 of sheet '原始数据'")
    assert lines[1] == "sheets: '汇总', '原始数据' (another one with --sheet NAME|N)"
    assert lines[2] == ("skipped above the header: 柳林乡入户调查（2026年3月）; 受访者基本信息 | 居住地 | 访问情况 "
                        "(another header row with --header-row N)")
    assert "姓名" in result.output and "欧阳振华" not in result.output


def test_check_with_sheet_and_header_row_given(tmp_path: Path) -> None:
    runner = CliRunner()
    asked = runner.invoke(main, ["survey", "check", str(FILES / "survey_two_sheets.xlsx"), "--sheet", "2",
                                 "--header-row", "3"])
    assert asked.exit_code == 0, asked.output
    assert "would import 5 rows; would reject 0" in asked.output
    wrong = runner.invoke(main, ["survey", "check", str(FILES / "survey_two_sheets.xlsx"), "--sheet", "数据"])
    assert wrong.exit_code == 1
    assert wrong.output.startswith(f"Error: {FILES / 'survey_two_sheets.xlsx'}: no sheet '数据'; the sheets are '汇总', '原始数据'")
    assert len(wrong.output.strip().splitlines()) == 1
    row = runner.invoke(main, ["survey", "check", str(FILES / "c15_header_NO.csv"), "--header-row", "0"])
    assert row.exit_code == 2


def test_check_case_files_from_the_field() -> None:
    runner = CliRunner()
    merged = runner.invoke(main, ["survey", "check", str(FILES / "c13b_merged_title_row.xlsx")])
    assert merged.exit_code == 0, merged.output
    assert "6 rows, header on row 3 of sheet 'Sheet1'" in merged.output
    assert "skipped above the header: 同心县入户调查登记表（2026年3月）" in merged.output
    unicode_text = runner.invoke(main, ["survey", "check", str(FILES / "c11_unicode_text_export.txt")])
    assert "c11_unicode_text_export.txt: utf-16, tab-delimited, 6 rows, header on line 1" in unicode_text.output
    header_no = runner.invoke(main, ["survey", "check", str(FILES / "c15_header_NO.csv")])
    assert "respondent_id  <- NO" in header_no.output and "would import 2 rows" in header_no.output


def test_check_and_import_a_survey_platform_xls(tmp_path: Path) -> None:
    runner = CliRunner()
    checked = runner.invoke(main, ["survey", "check", str(FILES / "wjx_text_export.xls"), "--rows", "6"])
    assert checked.exit_code == 0, checked.output
    out = checked.output
    assert "wjx_text_export.xls: xls, sheet 'Sheet1', 6 rows, header on row 1 of sheet 'Sheet1'" in out
    assert "sex             <- 1、请问您的性别？" in out and "age             <- 2、请问您的年龄?" in out
    assert "identifying columns (never stored): 来自IP" in out and "192.0.2" not in out
    assert "      1  kept with a caveat: age range not inside one age group (age group left unknown)" in out
    assert "impossible age (e.g. line 4: 2、请问您的年龄? '18岁以下' is outside 18-110)" in out
    imported = runner.invoke(main, ["survey", "import", str(FILES / "wjx_text_export.xls"), "--db", str(tmp_path / "t.db"),
                                    "--rejects", str(tmp_path / "r.csv")])
    assert imported.exit_code == 0, imported.output
    assert "(xls): 6 rows, 5 imported, 1 rejected" in imported.output
    assert "1 rows: age range not inside one age group (age group left unknown)" in imported.output


def test_import_names_where_the_header_was_found(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["survey", "import", str(FILES / "c13b_merged_title_row.xlsx"),
                                       "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 0, result.output
    assert "header on row 3 of sheet 'Sheet1'" in result.output


def test_plan_hides_the_sizes_and_half_widths_of_small_cells_on_screen_and_in_its_csv(tmp_path: Path) -> None:
    import math

    import pandas as pd

    db = str(tmp_path / "t.db")
    runner = CliRunner()
    imported = runner.invoke(main, ["survey", "import", str(DEMO / "survey.csv"), "--db", db,
                                    "--gazetteer", str(DEMO / "gazetteer.csv"), "--rejects", str(tmp_path / "r.csv")])
    assert imported.exit_code == 0, imported.output
    args = ["plan", "--budget", "60", "--db", db, "--margins", str(DEMO / "margins.csv"), "--by",
            "region,age_group,urban,sex"]
    shown = runner.invoke(main, [*args, "--out", str(tmp_path / "plan.csv")])
    assert shown.exit_code == 0, shown.output
    cells = pd.read_csv(tmp_path / "plan.csv")
    everything = runner.invoke(main, [*args, "--min-cell", "0", "--out", str(tmp_path / "all.csv")])
    full = pd.read_csv(tmp_path / "all.csv")
    small = (full["ess_before"] > 0) & (full["ess_before"] < 4.99)
    assert small.any() and not full["suppressed"].any()  # the demo survey has cells of 1-4 respondents
    assert cells["suppressed"].tolist() == small.tolist()
    for column in ("ess_before", "ess_after", "half_width_before", "half_width_after"):
        assert cells.loc[small, column].isna().all()
        assert cells.loc[~small, column].equals(full.loc[~small, column])
    for column in ("online_ess", "survey_ess"):  # a source's own small size, even in a cell shown
        own = (full[column] > 0) & (full[column] < 4.99)
        assert cells.loc[own | small, column].isna().all()
        assert cells.loc[~(own | small), column].equals(full.loc[~(own | small), column])
    # on screen: no cell's size now of 1-4, nor a half-width now that gives one back (above ±43.8 = 1.96 x 50 / √5)
    table = shown.output.split("precision per group")[0].splitlines()[2:]
    now = [line.split()[6:8] for line in table]  # region, age, urban, sex, interviews, cost, ess now, now
    assert now and all(size not in {"1", "2", "3", "4"} for size, _ in now)
    assert all(float(width.strip("±")) <= 1.96 * 50 / math.sqrt(5) + 0.05 for _, width in now if width.startswith("±"))
    assert "<5" in shown.output and "suppressed" in shown.output
    assert "note: cells and groups of fewer than 5 effective voices now show <5 and no half-widths" in shown.output
    assert everything.exit_code == 0 and "<5" not in everything.output
