"""No name, phone number, ID number or street address from a survey file survives anywhere:
not in the store file (nor its WAL), the logs, the rejects file, or any command's output."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import main
from opinion.store.db import open_store, respondents
from tests.helpers import DEMO

DEMO_MARGINS = DEMO / "margins.csv"

NAMES = ["欧阳振华", "司马秀英", "诸葛建国", "上官玉兰"]
PHONES = ["13912345678", "15087654321", "18611112222", "13700001111"]
# valid resident ID numbers (MOD 11-2 check digit), so they are real-looking identifiers
ID_NUMBERS = ["11010519491231002X", "440524198001010013", "320311197005128030", "510105198812240012"]
ADDRESSES = ["幸福路88号3栋2单元", "解放大街12号", "阳光小区5号楼", "杨庄村3组12号"]
SECRETS = [*NAMES, *PHONES, *ID_NUMBERS, *ADDRESSES]


def _rows() -> list[str]:
    rows = []
    for i, (name, phone, number, address) in enumerate(zip(NAMES, PHONES, ID_NUMBERS, ADDRESSES, strict=True)):
        neighbour = NAMES[(i + 1) % len(NAMES)]
        text = f"我是{name}，住在{address}，电话{phone}，身份证{number}，邻居{neighbour}家漏水"
        rows.append(",".join([f"P{i}", name, phone, number, address, "柳林乡", "杨庄村", "男" if i % 2 else "女",
                              str(30 + 12 * i), "乡村", text, "3"]))
    # a rejected row (impossible age) whose every cell carries identifying data
    rows.append(",".join(["P9", NAMES[0], PHONES[0], ID_NUMBERS[0], ADDRESSES[0], "柳林乡", "杨庄村", "女", "150",
                          "乡村", f"{NAMES[1]} {PHONES[1]} {ADDRESSES[1]} {ID_NUMBERS[1]}", "3"]))
    return rows


@pytest.fixture()
def survey_file(tmp_path: Path) -> Path:
    header = "编号,姓名,联系电话,身份证号,家庭住址,镇,村/社区,性别,年龄,城乡,最关心的问题,满意度"
    path = tmp_path / "pii.csv"
    path.write_bytes(("\r\n".join([header, *_rows()]) + "\r\n").encode("gbk"))
    return path


def _assert_clean(blob: bytes, where: str) -> None:
    for secret in SECRETS:
        for encoding in ("utf-8", "gbk"):
            assert secret.encode(encoding) not in blob, f"{secret} ({encoding}) found in {where}"


def test_identifying_data_appears_nowhere(tmp_path: Path, survey_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "t.db"
    rejects = tmp_path / "rejects.csv"
    runner = CliRunner()
    outputs = []
    with caplog.at_level(logging.DEBUG):
        checked = runner.invoke(main, ["-vv", "survey", "check", str(survey_file), "--rows", "10"])
        assert checked.exit_code == 0, checked.output
        imported = runner.invoke(main, ["-vv", "survey", "import", str(survey_file), "--db", str(db), "--rejects", str(rejects)])
        assert imported.exit_code == 0, imported.output
        assert "4 imported, 1 rejected" in imported.output
        outputs += [checked.output, imported.output]
        for args in (["export", "voices", "--db", str(db), "--format", "jsonl"],
                     ["report", "--db", str(db), "--margins", str(DEMO_MARGINS), "--replicates", "2", "--format", "md",
                      "--out", str(tmp_path / "report.md")]):
            result = runner.invoke(main, args)
            assert result.exit_code == 0, result.output
            outputs.append(result.output)
    # the masked text still says what the concern was, with placeholders where the data was
    with open_store(db) as store, store.engine.connect() as conn:
        texts = [row[0] for row in conn.execute(sa.select(respondents.c.text))]
    assert len(texts) == 4
    for text in texts:
        for kept in ("漏水", "[地址]", "[姓名]", "[手机号]", "[身份证号]"):
            assert kept in text, text
    store_bytes = db.read_bytes()
    wal = Path(f"{db}-wal")
    if wal.exists():
        store_bytes += wal.read_bytes()
    _assert_clean(store_bytes, "the store")
    _assert_clean(rejects.read_bytes(), "the rejects file")
    assert "line 6" not in rejects.read_text(encoding="utf-8") and rejects.read_text(encoding="utf-8").startswith("line,reason")
    _assert_clean((tmp_path / "report.md").read_bytes(), "the report")
    _assert_clean("\n".join(outputs).encode("utf-8"), "command output")
    _assert_clean("\n".join(r.getMessage() for r in caplog.records).encode("utf-8"), "the logs")
    assert caplog.records  # the logs were captured, so their check is not vacuous
