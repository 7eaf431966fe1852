"""Writes the generated test inputs of this folder (run from the repository root).

    PYTHONPATH=<a folder holding xlwt 1.3.0> .venv/bin/python tests/data/files/make_fixtures.py

The .xls files need xlwt (the only maintained-enough writer of old Excel files; it is
not a dependency of tongxin, which reads .xls with xlrd); the .xlsx and CSV files need
only openpyxl. Everything written is invented: names, places, IP addresses (from the
192.0.2.0/24 documentation range) and answers.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

WJX_HEADER = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、请问您的性别？", "2、请问您的年龄? ",
              "3、您所在的乡镇：", "4、您最关心的问题（多选）", "5、请问您的户口类型是？"]
WJX_TEXT = [
    [1, "2026/3/4 19:32:10", "125秒", "手机提交", "直接访问", "192.0.2.1(甘肃-兰州)", "男", "25~29岁", "城关镇",
     "就业┋医疗", "城镇"],
    [2, "2026/3/4 20:01:55", "98秒", "微信", "N/A", "192.0.2.2(甘肃-兰州)", "女", "60岁以上", "柳林乡",
     "养老┋医疗┋其他〖路灯不亮，晚上出行难〗", "农村"],
    [3, datetime(2026, 3, 5, 8, 15), "60秒", "手机提交", "直接访问", "192.0.2.3(甘肃-兰州)", "男", "18岁以下", "河口镇",
     "教育", "农村"],
    [4, datetime(2026, 3, 5, 9, 40), "77秒", "链接", "直接访问", "192.0.2.4(甘肃-兰州)", "女", "40~49岁", "柳林乡",
     "物价", "农村"],
    [5, "2026/3/6 10:02:03", "201秒", "手机提交", "直接访问", "192.0.2.5(香港)", "男", "60歲以上", "城關鎮",
     "養老┋醫療", "城鎮"],
    [6, "2026/3/6 11:12:13", "88秒", "手机提交", "直接访问", "192.0.2.6(甘肃-兰州)", "女", "30~34岁", "城关镇", "",
     "城镇"],
]
WJX_CODES = [
    [1, "2026/3/4 19:32:10", "125秒", "手机提交", "直接访问", "192.0.2.1(甘肃-兰州)", 1, 3, 1, "2┋4", 1],
    [2, "2026/3/4 20:01:55", "98秒", "微信", "N/A", "192.0.2.2(甘肃-兰州)", 2, 9, 2, "1┋4┋8", 2],
    [3, "2026/3/5 8:15:00", "60秒", "手机提交", "直接访问", "192.0.2.3(甘肃-兰州)", 1, 1, 3, "5", 2],
]


def write_xls(path: Path, rows: list[list[object]]) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    when = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    for r, row in enumerate([WJX_HEADER, *rows]):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write(r, c, value, when)
            else:
                sheet.write(r, c, value)
    book.save(str(path))


def write_two_sheets(path: Path) -> None:
    """A summary sheet first; the data on 原始数据 under a merged title and a grouped header,
    dates as General numbers (Excel serials), date cells and text."""
    import openpyxl

    book = openpyxl.Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "汇总"
    for row in (["性别统计"], ["性别", "人数"], ["男", 2], ["女", 3], ["合计", 5]):
        summary.append(row)
    data = book.create_sheet("原始数据")
    data.append(["柳林乡入户调查（2026年3月）"])
    data.merge_cells("A1:H1")
    data.append(["受访者基本信息", None, None, None, "居住地", None, "访问情况", None])
    data.merge_cells("A2:D2")
    data.merge_cells("E2:F2")
    data.merge_cells("G2:H2")
    data.append(["问卷编号", "姓名", "性别", "年龄", "乡镇", "村/社区", "调查日期", "最关心的问题"])
    data.append(["L01", "欧阳振华", "男性", 45, "柳林乡", "杨庄村", 46085, "看病太远"])
    data.append(["L02", "司马秀英", "女性", "67周岁", "柳林乡", "杨庄村", datetime(2026, 3, 4), "养老院床位不够"])
    data.append([None] * 8)
    data.append(["L03", "诸葛建国", "男性", "38岁", "柳林乡", "石桥村", "2026年3月7日", None])
    data.append(["L04", "上官玉兰", "女性", 29, "柳林乡", "石桥村", "2026/3/8", "孩子上学远"])
    data.append(["L05", "东方明", "女性", 71, "柳林乡", "杨庄村", 46090.4375, "低保"])
    book.save(path)


MARGINS_TITLE_UNIT = (
    "同心县第七次人口普查分性别、年龄人口,,\n"
    "单位：人,,\n"
    "variable,level,target\n"
    "sex,男,51200\n"
    "sex,女,48800\n"
    "age_group,18-29,18000\n"
    "age_group,30-44,26000\n"
    "age_group,45-59,30000\n"
    "age_group,60+,26000\n"
    ",,\n"
    "注：数据为虚构，仅供测试。,,\n"
    "资料来源：同心县统计局（虚构）,,\n"
)


def main() -> None:
    write_two_sheets(HERE / "survey_two_sheets.xlsx")
    (HERE / "margins_title_unit_notes.csv").write_bytes(MARGINS_TITLE_UNIT.encode("utf-8-sig"))
    write_xls(HERE / "wjx_text_export.xls", WJX_TEXT)
    write_xls(HERE / "wjx_code_export.xls", WJX_CODES)


if __name__ == "__main__":
    main()
