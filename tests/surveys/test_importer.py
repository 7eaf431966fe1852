"""Survey import: encodings, codebook mapping, validation, rejects, privacy, re-import."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from opinion.errors import InputError
from opinion.store.db import SCHEMA_VERSION, open_store, respondents, survey_imports
from opinion.surveys.importer import check_survey, import_survey, load_codebook, mask_survey_text, write_rejects
from tests.helpers import TEST_DATA

SURVEYS = TEST_DATA / "surveys"

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


def test_stratum_and_cluster_are_kept_for_the_variance(tmp_path: Path, store) -> None:
    # The design a field team records: 抽样层 (the stratum, here the township) and 村 (the cluster).
    header = "编号,抽样层,村/社区,性别,年龄,城乡,最关心的问题"
    rows = ["1,柳林鄉,杨庄村,男,67,乡村,看病难", "2,城关镇,东关社区,女,34,城镇,房价高", "3,城关镇,,男,45,城镇,就业"]
    import_survey(store, write_survey(tmp_path / "s.csv", rows, header=header), interview_year=2026)
    from opinion.estimates.voices import survey_voices

    voices = survey_voices(store).sort_values("age_group")
    # traditional 鄉 read as 乡; the respondent without a village is its own cluster
    assert voices["stratum"].tolist() == ["城关镇", "城关镇", "柳林乡"]
    assert voices["cluster"].iloc[0] == "东关社区" and voices["cluster"].iloc[1].startswith("r")


def test_bilingual_headers_and_design_columns_as_field_teams_name_them(tmp_path: Path) -> None:
    header = "Resp ID 个人编号,Stratum 层（按乡镇）,调查点（村/居）,性别 Sex,Age 年龄,Concern 最关心的问题"
    rows = ["A1,青石鎮,雙河村,男,50,粮价", "A2,城关镇,东门社区,女,41,房价"]
    checked = check_survey(write_survey(tmp_path / "s.csv", rows, encoding="utf-8", header=header),
                           interview_year=2026)
    assert checked.mapping["stratum"] == "Stratum 层（按乡镇）" and checked.mapping["cluster"] == "调查点（村/居）"
    assert checked.mapping["sex"] == "性别 Sex" and checked.mapping["age"] == "Age 年龄"
    assert [(r["stratum"], r["cluster"]) for _, r in checked.records] == [("青石镇", "双河村"), ("城关镇", "东门社区")]
    coded = check_survey(write_survey(tmp_path / "c.csv", ["7,2,样本一村,1,33,看病"], encoding="utf-8",
                                      header="pid,层代码,样本村（社区）,gender,age,main_concern"), interview_year=2026)
    assert [(r["respondent_id"], r["stratum"], r["cluster"]) for _, r in coded.records] == [("7", "2", "样本一村")]
    merged = check_survey(write_survey(tmp_path / "m.csv", ["A1,青石镇,双河村,男,50,粮价", "A2,,双河村,女,41,房价"],
                                       encoding="utf-8", header=header), interview_year=2026)
    assert any(note.startswith("stratum blank") and count == 1 for note, count in merged.notes.items())


def test_no_name_phone_or_id_reaches_store_or_rejects(tmp_path: Path, sqlite_store) -> None:
    store = sqlite_store  # the store file's bytes are searched
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
    broken = tmp_path / "book.xlsx"
    broken.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError, match="book.xlsx: not a readable .xlsx workbook"):
        import_survey(store, broken)
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="photo.csv: looks like a binary file"):
        import_survey(store, binary)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with pytest.raises(InputError, match=r"old.xls: not a readable .xls workbook .*if it has a password"):
        import_survey(store, old)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(survey_imports)).scalar_one() == 0


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


def write_xlsx(path: Path, rows: list[list[object]], title: str = "入户调查") -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def stored(store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(respondents).order_by(respondents.c.id)).mappings()]


def test_messy_gbk_file_with_birth_years_and_padded_rows(store) -> None:
    summary = import_survey(store, SURVEYS / "gbk_messy.csv")
    assert summary.encoding == "gbk/gb18030"
    assert summary.rows_read == 6
    assert [(r.line, r.kind) for r in summary.rejected] == [(5, "unknown code"), (6, "impossible age"), (7, "out of range")]
    assert summary.rejected[1].reason == "出生年份 '1890 (age 135)' is outside 18-110"
    assert set(summary.dropped_columns) == {"受访者姓名", "手机号"}
    rows = stored(store)
    # ages come from the birth year and the interview date's year (2025), not today's
    assert [(r["sex"], r["age_group"], r["urban"], r["region"], r["place"]) for r in rows] == [
        ("female", "60+", "rural", "柳林乡", "杨庄村"),
        ("male", "30-44", "rural", "柳林乡", "杨庄村"),
        ("male", "45-59", "urban", "城关镇", "东关社区"),
    ]


def test_english_headers_tab_delimited_with_bom(store) -> None:
    summary = import_survey(store, SURVEYS / "english_tab_bom.tsv", wave="tablet")
    assert summary.encoding == "utf-8-sig"
    assert summary.layout == "tab-delimited"
    assert [(r.line, r.kind) for r in summary.rejected] == [(4, "bad weight"), (5, "unknown code")]
    assert summary.dropped_columns == ["Name", "Phone"]
    rows = stored(store)
    assert [(r["sex"], r["age_group"], r["urban"], r["design_weight"], r["wave"]) for r in rows] == [
        ("female", "30-44", "urban", 1.5, "tablet"), ("male", "60+", "rural", 2.0, "tablet"),
    ]
    assert rows[0]["text"] == "school fees, and the bus is late"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_any_common_delimiter_even_with_commas_in_free_text(tmp_path: Path, store, delimiter: str) -> None:
    header = delimiter.join(["编号", "性别", "年龄", "最关心的问题"])
    # free text holding the delimiter is quoted, as Excel and WPS write it
    rows = [delimiter.join(["1", "男", "40", '"房价高，工资低, 孩子上学难; 还有|和\t"']), delimiter.join(["2", "女", "66", "看病"])]
    path = write_survey(tmp_path / "s.txt", rows, encoding="utf-8", header=header)
    summary = import_survey(store, path)
    assert summary.rows_valid == 2, summary.rejected
    assert stored(store)[0]["text"] == "房价高，工资低, 孩子上学难; 还有|和"


def test_gb18030_characters_outside_gbk(tmp_path: Path, store) -> None:
    # 䶮 (U+4DAE) exists in GB18030 but not in GBK: a GBK decoder would fail on it
    rows = ["1,男,40,䶮村的桥塌了", "2,女,50,𠮷字写不出来"]
    path = write_survey(tmp_path / "s.csv", rows, encoding="gb18030", header="编号,性别,年龄,最关心的问题")
    with pytest.raises(UnicodeEncodeError):
        "䶮".encode("gbk")
    summary = import_survey(store, path)
    assert summary.encoding == "gbk/gb18030"
    assert [r["text"] for r in stored(store)] == ["䶮村的桥塌了", "𠮷字写不出来"]


def test_excel_workbook_with_numbers_dates_and_blank_rows(tmp_path: Path, store) -> None:
    from datetime import datetime

    path = write_xlsx(tmp_path / "wave2.xlsx", [
        ["编号", "姓名", "联系电话", "镇", "村/社区", "性别", "年龄", "城乡", "最关心的问题", "满意度", "调查日期"],
        [2001, "韩梅", 13811112222, "青山镇", "石桥村", 2, 68.0, "乡村", "自来水常停", 2, datetime(2025, 7, 1)],
        [None] * 11,
        [2002, "郑伟", 13833334444, "城关镇", "东关社区", "男", 30, "城镇", None, 4, datetime(2025, 7, 2)],
        [2003, "冯敏", 13855556666, "城关镇", "东关社区", "女", "三十", "城镇", "物价", 3, None],
    ])
    summary = import_survey(store, path, wave="2025-07")
    assert summary.encoding == "xlsx" and summary.layout == "sheet '入户调查'"
    assert summary.rows_read == 3 and summary.rows_valid == 2
    assert [(r.line, r.reason) for r in summary.rejected] == [(5, "年龄 '三十' is not a number or an age range (e.g. 67, 67岁, 25~29岁, 60岁以上)")]
    rows = stored(store)
    assert [(r["sex"], r["age_group"], r["urban"], json.loads(r["items"])) for r in rows] == [
        ("female", "60+", "rural", {"satisfaction": 2}), ("male", "30-44", "urban", {"satisfaction": 4}),
    ]
    assert {r["wave"] for r in rows} == {"2025-07"}


def test_same_respondent_in_two_files_is_reported_not_stored_twice(tmp_path: Path, store) -> None:
    header = "编号,村/社区,性别,年龄,最关心的问题"
    first = write_survey(tmp_path / "team_a.csv", ["7,杨庄村,男,66,修路", "8,杨庄村,女,40,上学"], header=header)
    # team B re-entered respondent 7 (same person) and used id 8 for somebody else
    second = write_survey(tmp_path / "team_b.csv", ["7,杨庄村,男,67,修路啊", "8,石桥村,男,25,工作", "9,石桥村,女,70,看病"],
                          header=header)
    import_survey(store, first, wave="w1")
    summary = import_survey(store, second, wave="w2")
    assert [(d.line, d.kind) for d in summary.duplicates] == [(2, "same respondent")]
    assert "team_a.csv, wave w1" in summary.duplicates[0].reason
    assert summary.reused_ids == 1
    assert summary.rows_valid == 2
    rows = stored(store)
    assert len(rows) == 4
    assert len({r["respondent"] for r in rows}) == 4
    assert [r["wave"] for r in rows] == ["w1", "w1", "w2", "w2"]
    rejects = write_rejects(summary, tmp_path / "rejects.csv").read_text(encoding="utf-8")
    assert '2,"same respondent as already imported from team_a.csv' in rejects


def test_check_reads_without_storing(tmp_path: Path) -> None:
    result = check_survey(SURVEYS / "gbk_messy.csv", preview=2)
    assert result.mapping["respondent_id"] == "问卷编号"
    assert "age" not in result.mapping and result.mapping["birth_year"] == "出生年份"
    assert result.rows_read == 6 and result.rows_valid == 3
    assert result.reject_counts == {"unknown code": 1, "impossible age": 1, "out of range": 1}
    assert [row["line"] for row in result.preview] == [2, 4]
    assert all("respondent_id" not in row for row in result.preview)
    assert result.preview[0]["satisfaction"] == 2
    assert not list(tmp_path.iterdir())


def test_survey_text_masks_street_addresses() -> None:
    assert mask_survey_text("我家住在幸福路88号3栋2单元，门口的路灯坏了") == "我家[地址]，门口的路灯坏了"
    assert mask_survey_text("阳光小区5号楼漏水") == "[地址]漏水"
    assert mask_survey_text("杨庄村3组12号老王家") == "[地址]老王家"
    assert mask_survey_text("路修了3次还是坏") == "路修了3次还是坏"


def test_migration_adds_wave_place_and_id_key_to_an_older_store(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "old.db"
    with open_store(db) as s:
        import_survey(s, write_survey(tmp_path / "s.csv", ROWS[:2]), wave="w0", interview_year=2026)
        before = {r["respondent"] for r in stored(s)}
    con = sqlite3.connect(db)
    con.execute("DROP INDEX ix_respondents_id_key")
    for column in ("wave", "place", "id_key", "age_lo", "age_hi", "stratum"):
        con.execute(f"ALTER TABLE respondents DROP COLUMN {column}")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with open_store(db) as s:
        rows = stored(s)
        assert {r["id_key"] for r in rows} == before
        assert {r["wave"] for r in rows} == {"w0"}
        with s.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one() == str(SCHEMA_VERSION)
        # the same people in a re-exported file are recognised after the migration
        again = import_survey(s, write_survey(tmp_path / "s2.csv", ROWS[:2], encoding="utf-8"), interview_year=2026)
        assert len(again.duplicates) == 2
