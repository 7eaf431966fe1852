"""The one table reader: encodings, delimiters, workbooks, and errors that name the file."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from opinion.errors import InputError
from opinion.files.tables import read_frame, read_table
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
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old-format Excel"),
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
