"""Survey import: encodings, codebook mapping, validation, rejects, privacy, re-import."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from opinion.errors import InputError
from opinion.store import open_store, respondents, survey_imports
from opinion.survey import import_survey, load_codebook, write_rejects

HEADER = "编号,姓名,联系电话,镇,村/社区,性别,年龄,城乡,最关心的问题,满意度"
ROWS = [
    "1001,张建国,13812345678,柳林乡,杨庄村,男,67,乡村,村里的路太烂了，看病要跑到县里,2",
    "1002,李秀英,13998765432,城关镇,东关社区,女,34,城镇,房价太高，孩子上学难,3",
    "1003,王强,13711112222,城关镇,东关社区,1,45,城镇,找工作难 电话13711112222,4",
    "1004,赵梅,13633334444,柳林乡,杨庄村,2,,乡村,养老院太少,3",
    "1005,刘大,13555556666,柳林乡,杨庄村,男,200,乡村,低保,3",
    "1002,陈小,13477778888,城关镇,西街社区,女,29,城镇,物价涨了,5",
    "1006,孙丽,13322223333,青山镇,石桥村,女,71,乡村,没有,4",
    "1007,周平,13100001111,青山镇,石桥村,男,52,乡村,种地化肥贵,9",
]


def write_survey(path: Path, rows: list[str], encoding: str = "gbk", header: str = HEADER) -> Path:
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


@pytest.fixture()
def store(tmp_path: Path):
    with open_store(tmp_path / "t.db") as s:
        yield s


def test_gbk_file_imports_valid_rows_and_rejects_the_rest_with_reasons(tmp_path: Path, store) -> None:
    path = write_survey(tmp_path / "survey.csv", ROWS)
    summary = import_survey(store, path, interview_year=2026)
    assert summary.encoding == "gbk/gb18030"
    assert summary.rows_read == 8
    assert summary.rows_valid == 4
    reasons = {r.line: r.reason for r in summary.rejected}
    assert set(reasons) == {5, 6, 7, 9}
    assert "年龄 is blank" in reasons[5]
    assert "年龄 '200' is outside 18-110" in reasons[6]
    assert "编号 '1002' repeats line 3" in reasons[7]
    assert "满意度 '9' is outside 1-5" in reasons[9]
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(respondents)).mappings().all()
    by_sex = sorted((r["sex"], r["age_group"], r["urban"]) for r in stored)
    # the batch coded 1/2 for sex is read as male/female
    assert ("male", "45-59", "urban") in by_sex
    assert len(stored) == 4


def test_no_name_phone_or_id_reaches_store_or_rejects(tmp_path: Path, store) -> None:
    path = write_survey(tmp_path / "survey.csv", ROWS)
    summary = import_survey(store, path, interview_year=2026)
    rejects = write_rejects(summary, tmp_path / "rejects.csv")
    store.dispose()
    blobs = [Path(store.url.removeprefix("sqlite:///")).read_bytes(), rejects.read_bytes()]
    wal = Path(store.url.removeprefix("sqlite:///") + "-wal")
    if wal.exists():
        blobs.append(wal.read_bytes())
    for secret in ("张建国", "李秀英", "王强", "13812345678", "13711112222", "13555556666", "刘大"):
        for blob in blobs:
            assert secret.encode("utf-8") not in blob
            assert secret.encode("gbk") not in blob


def test_rejects_file_has_line_reason_and_no_identifying_columns(tmp_path: Path, store) -> None:
    summary = import_survey(store, write_survey(tmp_path / "s.csv", ROWS), interview_year=2026)
    out = write_rejects(summary, tmp_path / "rejects.csv")
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["line"] for r in rows] == ["5", "6", "7", "9"]
    assert "姓名" not in rows[0] and "联系电话" not in rows[0]
    assert rows[0]["村/社区"] == "杨庄村"


def test_same_file_twice_adds_nothing(tmp_path: Path, store) -> None:
    path = write_survey(tmp_path / "s.csv", ROWS)
    import_survey(store, path, interview_year=2026)
    again = import_survey(store, path, interview_year=2026)
    assert again.already_imported
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(respondents)).scalar_one() == 4
        assert conn.execute(sa.select(sa.func.count()).select_from(survey_imports)).scalar_one() == 1


def test_utf8_bom_semicolon_file(tmp_path: Path, store) -> None:
    rows = [r.replace(",", ";") for r in ROWS[:2]]
    path = write_survey(tmp_path / "s.csv", rows, encoding="utf-8-sig", header=HEADER.replace(",", ";"))
    summary = import_survey(store, path, interview_year=2026)
    assert summary.encoding == "utf-8-sig"
    assert summary.rows_valid == 2


def test_free_text_is_masked(tmp_path: Path, store) -> None:
    import_survey(store, write_survey(tmp_path / "s.csv", ROWS), interview_year=2026)
    with store.engine.connect() as conn:
        texts = [r[0] for r in conn.execute(sa.select(respondents.c.text))]
    assert any("[手机号]" in t for t in texts if t)


def test_missing_required_column_names_the_file_and_header(tmp_path: Path, store) -> None:
    path = write_survey(tmp_path / "s.csv", ["1,男"], header="编号,性别")
    with pytest.raises(InputError, match=r"s\.csv: no column for required field\(s\) age .*the header is: 编号, 性别"):
        import_survey(store, path)


def test_empty_and_binary_files_are_clear_errors(tmp_path: Path, store) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv: the file is empty"):
        import_survey(store, empty)
    binary = tmp_path / "book.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError, match="book.xlsx: looks like a binary file"):
        import_survey(store, binary)


def test_no_valid_row_stores_nothing(tmp_path: Path, store) -> None:
    summary = import_survey(store, write_survey(tmp_path / "s.csv", [ROWS[3], ROWS[4]]), interview_year=2026)
    assert summary.rows_valid == 0 and len(summary.rejected) == 2
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(survey_imports)).scalar_one() == 0


def test_bad_codebook_is_named(tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text("columns:\n  shoe_size: [鞋码]\n", encoding="utf-8")
    with pytest.raises(InputError, match="book.yaml: unknown field.*shoe_size"):
        load_codebook(book)
    book.write_text("columns: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="book.yaml line 2: not valid YAML"):
        load_codebook(book)
