"""The one table reader: encodings, delimiters, workbooks, and errors that name the file."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from opinion.errors import InputError
from opinion.files.tables import detect_delimiter, excel_serial_date, is_note, read_date, read_frame, read_table
from opinion.text.cues import load_gazetteer
from tests.helpers import TEST_DATA
from weighting import Margins
from weighting.targets import load_margins

FILES = TEST_DATA / "files"


def test_excel_unicode_text_export_is_utf16_with_tabs() -> None:
    table = read_table(FILES / "survey_unicode_text.txt")
    assert table.encoding == "utf-16"
    assert table.layout == "tab-delimited"
    assert table.header[:4] == ["编号", "镇", "村/社区", "性别"]
    assert len(table.rows) == 6
    assert table.rows[1][1]["最关心的问题"] == "养老院床位不够"


def test_gbk_margins_read_as_their_utf8_twin(tmp_path: Path) -> None:
    gbk = FILES / "margins_gbk.csv"
    utf8 = tmp_path / "margins.csv"
    utf8.write_text(gbk.read_bytes().decode("gbk"), encoding="utf-8")
    a, b = load_margins(gbk), load_margins(utf8)
    assert a.variables == b.variables
    for variable in a.variables:
        assert a.targets(variable).to_dict() == b.targets(variable).to_dict()
    assert a.targets("sex").to_dict() == {"male": 51200.0, "female": 48800.0}


def test_margins_from_a_workbook(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [("variable", "level", "target"), ("sex", "男", 480), ("sex", "女", 520)]:
        sheet.append(row)
    path = tmp_path / "margins.xlsx"
    book.save(path)
    margins = Margins.from_csv(path)
    assert margins.targets("sex").to_dict() == {"男": 480.0, "女": 520.0}


def test_margins_name_the_line_of_a_broken_row(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("variable,level,target\nsex,male,10\nsex,female,ten\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"m.csv line 3"):
        Margins.from_csv(path)


def test_frame_numbers_where_every_cell_is_one_text_where_asked(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("id;code;w;note\n1;01;1.5;a\n2;02;;b\n", encoding="gb18030")
    frame = read_frame(path, text_columns=["code"])
    assert frame["code"].tolist() == ["01", "02"]
    assert frame["id"].tolist() == [1, 2]
    assert frame["w"].iloc[0] == 1.5 and frame["w"].isna().iloc[1]
    assert frame["note"].tolist() == ["a", "b"]
    assert read_frame(path)["id"].tolist() == ["1", "2"]  # all text when nothing is said


def test_frame_names_a_row_with_too_many_fields(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"s.csv line 3: has 3 fields, the header has 2"):
        read_frame(path)


def test_required_columns_named_with_the_header(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"s.csv: missing column\(s\) cost \(the header is: a, b\)"):
        read_frame(path, required=["cost"], what="a cost table needs a cost column")


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file"),
    (b"", "the file is empty"),
    (b"\x00\x01\x02binary", "looks like a binary file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "not a readable .xls workbook"),
    (b"<html><body><table><tr><td>a</td></tr></table></body></html>", "is a web page"),
])
def test_unreadable_files_are_one_line_naming_the_file(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "t.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_table(path)
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)


def test_gazetteer_in_gbk_with_semicolons_and_as_a_workbook(tmp_path: Path) -> None:
    text = "region;place;urban\n城关镇;东关社区;城镇\n柳林乡;杨庄村;乡村\n"
    path = tmp_path / "g.csv"
    path.write_bytes(text.encode("gbk"))
    gazetteer = load_gazetteer(path)
    assert gazetteer.lookup("杨庄村") == ("柳林乡", "rural")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in text.splitlines():
        sheet.append(line.split(";"))
    xlsx = tmp_path / "g.xlsx"
    book.save(xlsx)
    assert load_gazetteer(xlsx).places == gazetteer.places


# -- the header is found, the sheet is found ------------------------------------------------

SURVEY_ROWS = ["编号,性别,年龄,城乡", "1,男,45,城镇", "2,女,70,乡村", "3,女,33,城镇"]


@pytest.mark.parametrize("above", [
    ["同心县入户调查登记表（2026年3月）"],  # a title
    ["同心县入户调查登记表,,,", "单位：人,,,"],  # a title and a unit row, padded by Excel
    ["填表说明：性别填1（男）或2（女），年龄填周岁", ""],  # an instruction and a blank row
    ["受访者基本信息,,,居住地"],  # a grouped header above the column names
])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-16", "utf-16-le"])
def test_header_is_found_below_titles_units_instructions_and_groups(
        tmp_path: Path, above: list[str], encoding: str) -> None:
    path = tmp_path / "s.csv"
    text = "\r\n".join([*above, *SURVEY_ROWS]) + "\r\n"
    if encoding.startswith("utf-16"):
        text = text.replace(",", "\t")
    path.write_bytes(text.encode(encoding))
    table = read_table(path)
    assert table.header == ["编号", "性别", "年龄", "城乡"]
    assert table.header_row == table.header_record == len(above) + 1
    assert [n for n, _ in table.rows] == [len(above) + 2, len(above) + 3, len(above) + 4]
    assert table.rows[0][1] == {"编号": "1", "性别": "男", "年龄": "45", "城乡": "城镇"}
    assert table.above == [" | ".join(c for c in a.split(",") if c) for a in above if a.strip(",")]
    assert table.encoding == ("utf-16" if encoding.startswith("utf-16") else {"gbk": "gbk/gb18030"}.get(encoding, encoding))


def test_expected_names_choose_the_header_row(tmp_path: Path) -> None:
    # Without help the upper row (more distinct text) would look like the header.
    path = tmp_path / "m.csv"
    path.write_text("说明,本表,根据,普查,汇总\nvariable,level,target,,\nsex,male,480,,\nsex,female,520,,\n",
                    encoding="utf-8")
    assert read_table(path, expect=["variable", "level", "target"]).header == ["variable", "level", "target"]
    assert read_table(path, expect=lambda cell: cell in {"level"}).header_row == 2


def test_header_row_given_outright_and_named_when_wrong(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("a,b\n\nc,d\n1,2\n", encoding="utf-8")
    assert read_table(path).header == ["a", "b"]
    assert read_table(path, header_row=3).header == ["c", "d"]
    with pytest.raises(InputError, match=r"s.csv line 2: --header-row 2 names a line that is blank"):
        read_table(path, header_row=2)
    with pytest.raises(InputError, match=r"s.csv line 9: --header-row 9 names a line that is past the end"):
        read_table(path, header_row=9)
    with pytest.raises(InputError, match=r"s.csv: --sheet 2 was given but the file is a text table"):
        read_table(path, sheet=2)


def test_footnotes_below_the_table_are_set_apart_and_margins_read(tmp_path: Path) -> None:
    table = read_table(FILES / "margins_title_unit_notes.csv", expect=["variable", "level", "target"])
    assert table.header_row == 3 and len(table.rows) == 6
    assert table.above == ["同心县第七次人口普查分性别、年龄人口", "单位：人"]
    assert table.notes == ["注：数据为虚构，仅供测试。", "资料来源：同心县统计局（虚构）"]
    margins = Margins.from_csv(FILES / "margins_title_unit_notes.csv")
    assert margins.targets("sex").to_dict() == {"男": 51200.0, "女": 48800.0}


def test_empty_and_repeated_header_cells_keep_their_columns(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("编号,年龄,,年龄\n1,40,x,41\n", encoding="utf-8")
    table = read_table(path)
    assert table.header == ["编号", "年龄", "column 3", "年龄 (column 4)"]
    assert table.rows[0][1]["年龄"] == "40" and table.rows[0][1]["年龄 (column 4)"] == "41"


def test_quoted_cells_across_lines_in_unicode_text(tmp_path: Path) -> None:
    text = '编号\t性别\t最关心的问题\r\n1\t男\t"看病难\r\n路不好"\r\n2\t女\t"他说""不行"""\r\n\r\n3\t女\t养老\r\n'
    path = tmp_path / "u.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    table = read_table(path)
    assert [(n, r["最关心的问题"]) for n, r in table.rows] == [(2, "看病难\n路不好"), (4, '他说"不行"'), (6, "养老")]


def test_case_files_unicode_text_merged_title_and_header_no() -> None:
    unicode_text = read_table(FILES / "c11_unicode_text_export.txt")
    assert (unicode_text.encoding, unicode_text.layout, len(unicode_text.rows)) == ("utf-16", "tab-delimited", 6)
    merged = read_table(FILES / "c13b_merged_title_row.xlsx")
    assert merged.header_row == 3 and len(merged.rows) == 6 and merged.sheet == "Sheet1"
    assert merged.above == ["同心县入户调查登记表（2026年3月）"]
    assert merged.header_where == "row 3 of sheet 'Sheet1'"
    assert read_table(FILES / "c15_header_NO.csv").header == ["NO", "性别", "年龄", "城乡"]


def _two_sheet_book(path: Path, first: list[list[object]], second: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "说明"
    for row in first:
        sheet.append(row)
    data = book.create_sheet("数据")
    for row in second:
        data.append(row)
    book.save(path)
    return path


def test_workbook_sheet_by_header_else_the_largest_or_as_asked(tmp_path: Path) -> None:
    notes = [["本表说明"], ["数据为虚构"]]
    table = [["variable", "level", "target"], ["sex", "男", 480], ["sex", "女", 520]]
    path = _two_sheet_book(tmp_path / "m.xlsx", notes, table)
    assert read_table(path).sheet == "数据"  # the largest
    assert read_table(path, expect=["variable", "level", "target"]).sheet == "数据"
    assert Margins.from_csv(path).targets("sex").to_dict() == {"男": 480.0, "女": 520.0}
    assert read_table(path, sheet="说明").header == ["本表说明"]
    assert read_table(path, sheet=1).sheet == "说明" and read_table(path, sheet="2").sheet == "数据"
    assert read_table(path).sheets == ("说明", "数据")
    with pytest.raises(InputError, match=r"m.xlsx: no sheet '汇总'; the sheets are '说明', '数据'"):
        read_table(path, sheet="汇总")
    # A bigger summary sheet loses to the sheet whose header names the fields.
    summary = [["性别", "人数", "占比"], *[["男", i, "1%"] for i in range(30)]]
    survey = [["编号", "性别", "年龄"], [1, "男", 40]]
    both = _two_sheet_book(tmp_path / "s.xlsx", summary, survey)
    assert read_table(both, expect=["编号", "性别", "年龄"]).sheet == "数据"
    assert read_table(both).sheet == "说明"


def test_old_xls_workbook_from_a_survey_platform() -> None:
    table = read_table(FILES / "wjx_text_export.xls")
    assert (table.encoding, table.layout, table.sheet, table.unit) == ("xls", "sheet 'Sheet1'", "Sheet1", "row")
    assert table.header[6:8] == ["1、请问您的性别？", "2、请问您的年龄?"]
    assert len(table.rows) == 6
    # a date cell comes out as the timestamp Excel shows; text cells as typed
    assert table.rows[2][1]["提交答卷时间"] == "2026-03-05 08:15:00"
    assert table.rows[0][1]["提交答卷时间"] == "2026/3/4 19:32:10"
    assert table.rows[0][1]["序号"] == "1"


REAL_WJX = Path(__file__).resolve().parents[2].parent / "shared" / "cases" / "surveys" / "wjx_export_text.xls"


@pytest.mark.skipif(not REAL_WJX.exists(), reason="the shared case files are not beside the repository")
def test_a_real_wjx_export_is_read() -> None:
    table = read_table(REAL_WJX)
    assert len(table.rows) == 204 and table.header[0] == "序号"


@pytest.mark.parametrize(("text", "expected"), [
    ("45355", date(2024, 3, 4)), ("46083", date(2026, 3, 2)), ("46084.5", date(2026, 3, 3)),
    ("2026-03-04 19:32:10", date(2026, 3, 4)), ("2026/3/5", date(2026, 3, 5)), ("2026.3.5", date(2026, 3, 5)),
    ("2026年3月5日", date(2026, 3, 5)), ("2026年3月5日 下午", date(2026, 3, 5)), ("20260305", date(2026, 3, 5)),
    ("NULL", None), ("", None), ("2026-02-30", None), ("3月5日", None), ("67", None), ("13912345678", None),
])
def test_dates_as_teams_and_platforms_write_them(text: str, expected: date | None) -> None:
    assert read_date(text) == expected


def test_serial_dates_in_the_1904_system() -> None:
    assert excel_serial_date(44000, date(1904, 1, 1)) == date(2024, 6, 19)
    assert read_date("44000", date(1904, 1, 1)) == date(2024, 6, 19)
    assert excel_serial_date(5) is None


def test_delimiter_is_not_fooled_by_a_title_row() -> None:
    assert detect_delimiter("调查表\n编号\t性别\t年龄\n1\t男\t40\n2\t女\t50\n") == "\t"
    assert detect_delimiter("a;b;c\n1;2,5;3\n4;5;6\n") == ";"


def test_a_data_cell_equal_to_a_column_name_does_not_move_the_header(tmp_path: Path) -> None:
    # Every row is text, and one row's urban cell is the word "urban" itself.
    path = tmp_path / "g.csv"
    path.write_text("region,place,urban\n城关镇,东关社区,城镇\n城关镇,西关社区,城镇\n河西镇,杨家湾村,乡村\n"
                    "河西镇,河西社区,urban\n青山镇,青山村,乡村\n青山镇,石岭村,rural\n", encoding="utf-8")
    table = read_table(path)
    assert table.header == ["region", "place", "urban"] and len(table.rows) == 6


def test_utf8_is_told_apart_from_utf8_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes("编号,性别\n1,男\n".encode())
    assert read_table(path).encoding == "utf-8"
    path.write_bytes("编号,性别\n1,男\n".encode("utf-8-sig"))
    assert read_table(path).encoding == "utf-8-sig"


def test_note_cells() -> None:
    assert all(is_note(t) for t in ("注：数据来源于普查。", "注1. 虚构", "资料来源：统计局", "Source: bureau", "※ 口径"))
    assert not any(is_note(t) for t in ("城关镇", "合计", "注册人口"))
