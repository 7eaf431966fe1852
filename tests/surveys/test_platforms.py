"""Survey files as platforms and field teams export them: numbered question headers, age
ranges, multiple choices, traditional characters, dates in every form, titles and sheets,
and a codebook whose YAML means what it says."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
import yaml

from opinion.errors import InputError
from opinion.files.resources import data_file
from opinion.store.db import respondents
from opinion.surveys.importer import (
    _question_words,
    age_text,
    check_survey,
    import_survey,
    load_codebook,
    parse_age,
)
from tests.helpers import TEST_DATA

FILES = TEST_DATA / "files"
REAL_WJX = Path(__file__).resolve().parents[2].parent / "shared" / "cases" / "surveys" / "wjx_export_text.xls"


@pytest.mark.parametrize(("header", "subject"), [
    ("1、请问您的性别？", "性别"), ("2、请问您的年龄? ", "年龄"), ("3、请问您的最高学历是?", "最高学历"),
    ("3、性别", "性别"), ("Q4. 您的年龄段", "年龄段"), ("第5题 您所在的乡镇：", "所在的乡镇"),
    ("4、您最关心的问题（多选）", "最关心的问题"), ("(6) 户口类型【单选题】", "户口类型"), ("性别", "性别"),
])
def test_question_headers_reduce_to_their_subject(header: str, subject: str) -> None:
    assert _question_words(header) == subject


@pytest.mark.parametrize(("answer", "bounds", "shown"), [
    ("67", (67, 67), "67"), ("67岁", (67, 67), "67"), ("45周岁", (45, 45), "45"), ("45.0", (45, 45), "45"),
    ("25~29岁", (25, 29), "25-29"), ("25-29", (25, 29), "25-29"), ("25—29岁", (25, 29), "25-29"),
    ("２５～２９岁", (25, 29), "25-29"), ("25至29岁", (25, 29), "25-29"), ("60岁以上", (60, None), "60+"),
    ("60岁及以上", (60, None), "60+"), ("60歲以上", (60, None), "60+"), ("60+", (60, None), "60+"),
    ("60岁以上（含60岁）", (60, None), "60+"), ("18岁以下", (0, 17), "≤17"), ("不满18岁", (0, 17), "≤17"),
    ("18岁及以下", (0, 18), "≤18"), ("三十", None, ""), ("", None, ""),
])
def test_ages_as_people_answer(answer: str, bounds: tuple[int, int | None] | None, shown: str) -> None:
    assert parse_age(answer) == bounds
    if bounds is not None:
        assert age_text(*bounds) == shown


def test_wjx_text_export_maps_numbered_questions_and_keeps_ranges() -> None:
    result = check_survey(FILES / "wjx_text_export.xls", preview=10)
    assert result.encoding == "xls" and result.header_where == "row 1 of sheet 'Sheet1'"
    assert result.mapping == {
        "respondent_id": "序号", "region": "3、您所在的乡镇：", "sex": "1、请问您的性别？", "age": "2、请问您的年龄?",
        "urban": "5、请问您的户口类型是？", "text": "4、您最关心的问题（多选）", "interview_date": "提交答卷时间",
    }
    assert result.dropped_columns == ["来自IP"]  # an IP address identifies a person's connection
    assert result.rows_read == 6 and result.rows_valid == 5
    assert [(r.line, r.kind, r.reason) for r in result.rejected] == [
        (4, "impossible age", "2、请问您的年龄? '18岁以下' is outside 18-110")]
    records = {rid: r for _, r in result.records for rid in [r["respondent_id"]]}
    got = {rid: (r["sex"], r["age"], r["age_lo"], r["age_hi"], r["age_group"], r["urban"], r["region"],
                 r["interview_date"]) for rid, r in records.items()}
    assert got == {
        "1": ("male", None, 25, 29, "18-29", "urban", "城关镇", "2026-03-04"),
        "2": ("female", None, 60, None, "60+", "rural", "柳林乡", "2026-03-04"),
        "4": ("female", None, 40, 49, None, "rural", "柳林乡", "2026-03-05"),  # 40-49 spans 30-44 and 45-59
        "5": ("male", None, 60, None, "60+", "urban", "城关镇", "2026-03-06"),  # 60歲以上, 城關鎮, 城鎮
        "6": ("female", None, 30, 34, "30-44", "urban", "城关镇", "2026-03-06"),
    }
    assert records["2"]["choices"] == ["养老", "医疗", "其他〖路灯不亮，晚上出行难〗"]
    assert records["5"]["choices"] == ["養老", "醫療"]  # as written; segmentation simplifies its own copy
    assert records["6"]["choices"] is None and records["6"]["text"] is None
    assert result.notes == {"age range not inside one age group (age group left unknown)": 1}
    assert [row["age"] for row in result.preview] == ["25-29", "60+", "40-49", "60+", "30-34"]


def test_wjx_numeric_code_export_says_what_to_do() -> None:
    result = check_survey(FILES / "wjx_code_export.xls")
    assert result.rows_valid == 0 and result.reject_counts == {"impossible age": 3}
    assert "numeric-code export? export the answers as text, or map the option numbers under values: age:" in (
        result.rejected[0].reason)


def test_codebook_can_map_option_numbers_of_a_numeric_export(tmp_path: Path) -> None:
    book = tmp_path / "wjx.yaml"
    text = data_file("codebook.yaml").read_text(encoding="utf-8")
    # the options of 2、请问您的年龄? and 5、请问您的户口类型是? as numbered in the questionnaire
    text = text.replace("values:\n", 'values:\n  age: {"1": 18岁以下, "3": 25~29岁, "9": 60岁以上}\n'
                                     '  urban: {"1": urban, "2": rural}\n', 1)
    text = text.replace("  urban: {城镇: urban", "  urban_text: {城镇: urban", 1)
    book.write_text(text, encoding="utf-8")
    result = check_survey(FILES / "wjx_code_export.xls", codebook=load_codebook(book))
    assert [(r["respondent_id"], r["age_group"], r["urban"]) for _, r in result.records] == [
        ("1", "18-29", "urban"), ("2", "60+", "rural")]
    assert [r.reason for r in result.rejected] == ["2、请问您的年龄? '1 (18岁以下)' is outside 18-110"]


@pytest.mark.skipif(not REAL_WJX.exists(), reason="the shared case files are not beside the repository")
def test_a_real_wjx_export_reads_204_rows_with_sex_and_age_group() -> None:
    result = check_survey(REAL_WJX, preview=0)
    assert result.rows_read == 204
    assert result.mapping["sex"] == "1、请问您的性别？" and result.mapping["age"] == "2、请问您的年龄?"
    groups = {r["age_group"] for _, r in result.records}
    assert {"18-29", "30-44", "60+"} <= groups
    assert result.reject_counts == {"impossible age": 14}  # 16岁以下: under the survey's ages


def test_header_no_is_the_respondent_id() -> None:
    result = check_survey(FILES / "c15_header_NO.csv")
    assert result.mapping["respondent_id"] == "NO"
    assert result.rows_read == result.rows_valid == 2


def test_title_row_and_unicode_text_case_files() -> None:
    merged = check_survey(FILES / "c13b_merged_title_row.xlsx")
    assert merged.rows_read == merged.rows_valid == 6
    assert merged.header_where == "row 3 of sheet 'Sheet1'"
    assert merged.skipped_above == ["同心县入户调查登记表（2026年3月）"]
    unicode_text = check_survey(FILES / "c11_unicode_text_export.txt")
    assert unicode_text.rows_read == unicode_text.rows_valid == 6
    assert [r["interview_date"] for _, r in unicode_text.records][:2] == ["2026-03-02", "2026-03-02"]


def test_data_sheet_grouped_header_and_three_date_forms() -> None:
    result = check_survey(FILES / "survey_two_sheets.xlsx")
    assert result.layout == "sheet '原始数据'" and result.sheets == ("汇总", "原始数据")
    assert result.header_where == "row 3 of sheet '原始数据'"
    assert result.skipped_above == ["柳林乡入户调查（2026年3月）", "受访者基本信息 | 居住地 | 访问情况"]
    assert result.dropped_columns == ["姓名"]
    got = [(r["respondent_id"], r["sex"], r["age"], r["interview_date"]) for _, r in result.records]
    assert got == [("L01", "male", 45, "2026-03-04"), ("L02", "female", 67, "2026-03-04"),
                   ("L03", "male", 38, "2026-03-07"), ("L04", "female", 29, "2026-03-08"),
                   ("L05", "female", 71, "2026-03-09")]
    with pytest.raises(InputError, match=r"found on row 2 of sheet '汇总'.*or --header-row N"):
        check_survey(FILES / "survey_two_sheets.xlsx", sheet="汇总")
    asked = check_survey(FILES / "survey_two_sheets.xlsx", sheet=2, header_row=3)
    assert asked.rows_valid == 5


def test_serial_dates_birth_years_and_codes_in_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("NO,性别,出生年份,城乡,调查日期\n1,M,1972年,城区,46085\n2,F,1958,农村,2026年3月5日\n"
                    "3,女,1990,農村,2026-03-06 10:00\n", encoding="utf-8")
    result = check_survey(path)
    got = [(r["respondent_id"], r["sex"], r["age"], r["age_lo"], r["age_hi"], r["age_group"], r["urban"],
            r["interview_date"]) for _, r in result.records]
    assert got == [
        ("1", "male", 54, 53, 54, "45-59", "urban", "2026-03-04"),
        ("2", "female", 68, 67, 68, "60+", "rural", "2026-03-05"),
        ("3", "female", 36, 35, 36, "30-44", "rural", "2026-03-06"),
    ]


def test_import_stores_simplified_places_and_text_as_written(tmp_path: Path, store) -> None:
    summary = import_survey(store, FILES / "wjx_text_export.xls", interview_year=2026)
    assert summary.rows_valid == 5 and summary.encoding == "xls"
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(respondents).order_by(respondents.c.id)).mappings().all()
    assert [(r["region"], r["urban"], r["age_group"]) for r in rows] == [
        ("城关镇", "urban", "18-29"), ("柳林乡", "rural", "60+"), ("柳林乡", "rural", None),
        ("城关镇", "urban", "60+"), ("城关镇", "urban", "30-44")]
    assert [r["text"] for r in rows] == ["就业；医疗", "养老；医疗；其他〖路灯不亮，晚上出行难〗", "物价", "養老；醫療", None]
    assert not any("192.0.2" in str(v) for r in rows for v in r.values())


def test_each_sheet_of_a_workbook_imports_once(tmp_path: Path, store) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "一队"
    for row in (["编号", "性别", "年龄"], ["A1", "男", 40]):
        first.append(row)
    second = book.create_sheet("二队")
    for row in (["编号", "性别", "年龄", "备注"], ["B1", "女", 50, "x"], ["B2", "男", 61, "y"]):
        second.append(row)
    path = tmp_path / "teams.xlsx"
    book.save(path)
    assert import_survey(store, path, sheet="一队").rows_valid == 1
    assert import_survey(store, path, sheet="二队").rows_valid == 2
    assert import_survey(store, path, sheet="二队").already_imported


# -- the codebook's YAML ----------------------------------------------------------------------

# Plain scalars YAML 1.1 (and 1.2) would read as something other than text.
_NOT_TEXT = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL"
    r"|[-+]?(?:0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0o[0-7]+|0b[01_]+)"
    r"|[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?)$"
)


def _plain_scalars(node: yaml.Node, numbers_allowed: bool = False):
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _plain_scalars(key)
            yield from _plain_scalars(value, key.value in ("age_range", "scales") or numbers_allowed)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _plain_scalars(item, numbers_allowed)
    elif isinstance(node, yaml.ScalarNode) and node.style is None and not numbers_allowed:
        yield node


def test_shipped_codebook_quotes_every_string_yaml_would_misread() -> None:
    root = yaml.compose(data_file("codebook.yaml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert root is not None
    misread = [(n.start_mark.line + 1, n.value) for n in _plain_scalars(root) if _NOT_TEXT.match(n.value)]
    assert misread == []
    book = load_codebook()
    assert "no" in book.columns["respondent_id"] and "False" not in book.columns["respondent_id"]
    assert book.code("sex", "1") == "male" and book.code("urban", "農村") == "rural"


@pytest.mark.parametrize(("line", "value", "kind"), [
    ("  respondent_id: [编号, NO]", "NO", "a true/false value"),
    ("  respondent_id: [编号, 01]", "01", "a number"),
    ("  respondent_id: [编号, ~]", "~", "empty (null)"),
])
def test_codebook_refuses_a_header_yaml_reads_as_no_text(tmp_path: Path, line: str, value: str, kind: str) -> None:
    book = tmp_path / "book.yaml"
    book.write_text(f"# mine\ncolumns:\n{line}\n  sex: [性别]\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_codebook(book)
    message = str(info.value)
    assert message == (f"{book} line 3: {value!r} under columns: respondent_id is read by YAML as {kind}, not as "
                       f'text; write it in quotes: "{value}"')


def test_codebook_refuses_codes_and_levels_that_are_not_text(tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text('columns: {respondent_id: [id], sex: [sex]}\nvalues:\n  sex: {1: male, "2": female}\n',
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"book.yaml line 3: '1' under values: sex is read by YAML as a number"):
        load_codebook(book)
    book.write_text('columns: {respondent_id: [id], sex: [sex]}\nvalues:\n  sex: {"1": yes}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3: 'yes' under values: sex is read by YAML as a true/false value"):
        load_codebook(book)
    book.write_text('columns: {respondent_id: [id], sex: [sex]}\ndrop: [name, off]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: 'off' under 'drop'"):
        load_codebook(book)
    book.write_text('columns: {respondent_id: [[id]]}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: columns: respondent_id must be text or a list of texts"):
        load_codebook(book)


def test_check_survey_in_a_workbook_with_a_date_cell(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["编号", "性别", "年龄", "访问时间"], [1, "男", 40, datetime(2026, 3, 4, 9, 30)], [2, "女", 50, 46086]):
        sheet.append(row)
    path = tmp_path / "s.xlsx"
    book.save(path)
    assert [r["interview_date"] for _, r in check_survey(path).records] == ["2026-03-04", "2026-03-05"]
