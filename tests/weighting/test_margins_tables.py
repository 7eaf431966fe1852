from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from opinion.attributes import normalise_level
from weighting import Margins, WeightingError
from weighting.margin_tables import is_subitem, is_total, read_margin_table, variable_name
from weighting.targets import load_margins

DATA = Path(__file__).resolve().parent.parent / "data" / "margins"


def test_long_table_with_title_thousands_totals_and_notes():
    read = read_margin_table(DATA / "long_title_thousands_notes.csv")
    assert (read.table.encoding, read.table.header_record, read.layout) == ("utf-8-sig", 2, "long")
    assert read.excluded == ["合计", "小计", "注：虚构数据，仅供测试。", "资料来源：某县统计局（虚构）"]
    margins = load_margins(DATA / "long_title_thousands_notes.csv")
    assert margins.variables == ["age_group", "sex", "urban", "region"]
    assert margins.tables["age_group"].to_dict() == {"18-29": 1200, "30-44": 2300, "45-59": 2500, "60+": 2000}
    assert margins.tables["sex"].to_dict() == {"male": 4100, "female": 3900}
    assert margins.tables["urban"].to_dict() == {"urban": 3000, "rural": 5000}
    assert margins.tables["region"].to_dict() == {"城关镇": 4000, "石桥镇": 2500, "东山乡": 1500}
    assert margins.total == 8000
    assert margins.labels["age_group"]["60+"] == "60岁及以上" and margins.labels["urban"]["urban"] == "城市"


def test_percentages_are_shares_and_give_no_total():
    margins = load_margins(DATA / "percent_gbk_emdash.csv")
    assert margins.total is None and not margins.counts["age_group"]
    shares = margins.tables["age_group"]
    assert list(shares.index) == ["18-29", "30-44", "45-59", "60+"]
    assert shares["18-29"] == pytest.approx(0.152, rel=1e-12) and shares["60+"] == pytest.approx(0.25, rel=1e-12)
    # 100.1% by rounding is accepted; shares() rescales to 1.
    assert margins.shares("age_group").sum() == pytest.approx(1.0)
    assert margins.tables["sex"].to_dict() == pytest.approx({"male": 0.511, "female": 0.489})
    assert read_margin_table(DATA / "percent_gbk_emdash.csv").table.encoding == "gbk/gb18030"


def test_percentages_that_miss_100_beyond_rounding_are_an_error(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("指标,分组,比重\n性别,男,51.1%\n性别,女,47.9%\n", encoding="utf-8")
    with pytest.raises(WeightingError, match=r"m.csv line 2, column '比重': the shares of 'sex' sum to 0.99 \(99.00%\)"):
        load_margins(path)


def test_crosstab_gives_one_way_margins_and_the_joint_table():
    path = DATA / "crosstab_age_sex.csv"
    read = read_margin_table(path)
    assert read.layout == "wide" and read.excluded == ["合计", "合计", "注：虚构数据。"]
    margins = load_margins(path)
    assert margins.variables == ["age_group", "sex", "age_group*sex"]
    assert margins.tables["age_group"].to_dict() == {"18-29": 1200, "30-44": 2300, "45-59": 2500, "60+": 2000}
    assert margins.tables["sex"].to_dict() == {"male": 4100, "female": 3900}
    joint = margins.tables["age_group*sex"]
    assert joint["30-44*female"] == 1100 and joint["60+*male"] == 1000 and joint.sum() == 8000
    assert margins.joint(["age_group", "sex"]).loc[("45-59", "male")] == pytest.approx(1300 / 8000)


def test_crosstab_without_totals_sums_the_cells():
    margins = load_margins(DATA / "crosstab_no_totals.csv")
    assert margins.tables["region"].to_dict() == {"城关镇": 4000, "石桥镇": 2500, "东山乡": 1500}
    assert margins.tables["urban"].to_dict() == {"urban": 3600, "rural": 4400}
    assert margins.tables["region*urban"]["石桥镇*rural"] == 2000


def test_crosstab_with_an_unnamed_corner_of_age_bands(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(",男,女\n18-59岁,500,520\n60岁及以上,200,280\n", encoding="utf-8")
    margins = load_margins(path)
    assert margins.tables["age_group"].to_dict() == {"18-59": 1020, "60+": 480}
    path.write_text(",城镇,乡村\n城关镇,500,520\n石桥镇,200,280\n", encoding="utf-8")
    with pytest.raises(WeightingError, match=r"m.csv line 1: the first header cell is empty; name the variable"):
        load_margins(path)


def test_bulletin_drops_the_total_and_the_of_which_subitem():
    read = read_margin_table(DATA / "bulletin_subitem.csv")
    assert read.excluded == ["总计", "其中：65岁以上", "注：虚构数据。"]
    assert [(r.written, r.band.lo if r.band else None, r.band.hi if r.band else None, r.target) for r in read.rows] == [
        ("0-14岁", 0, 14, 2000), ("15-59岁", 15, 59, 6000), ("60岁及以上", 60, None, 2000)]


def test_unit_row_single_variable_and_full_width_bands():
    read = read_margin_table(DATA / "unit_row_fullwidth_bands.csv")
    assert read.table.header_record == 2 and read.table.above == ["单位：人"]
    margins = load_margins(DATA / "unit_row_fullwidth_bands.csv")
    assert margins.tables["age_group"].to_dict() == {"18-29": 1200, "30-44": 2300, "45-59": 2500, "60+": 2000}
    assert margins.labels["age_group"]["18-29"] == "１８～２９"


def test_plain_variable_level_target_tables_read_as_before(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("variable,level,target\nage_group*sex,60岁及以上*female,300\nage_group*sex,18-59*female,700\n",
                    encoding="utf-8")
    assert Margins.from_csv(path).tables["age_group*sex"].to_dict() == {"60+*female": 300, "18-59*female": 700}


def test_utf16_unicode_text_crosstab_with_total_row_first(tmp_path):
    text = "表1 分年龄、性别的人口\t\t\t\r\n年龄\t合计\t男\t女\r\n合计\t1,000\t490\t510\r\n" \
           "15-19岁\t400\t190\t210\r\n20岁及以上\t600\t300\t300\r\n"
    path = tmp_path / "m.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    read = read_margin_table(path)
    assert (read.table.encoding, read.table.header_record, read.layout) == ("utf-16", 2, "wide")
    margins = Margins.from_csv(path, normalise_level)
    assert margins.tables["age_group"].to_dict() == {"15-19": 400, "20+": 600}
    assert margins.tables["sex"].to_dict() == {"male": 490, "female": 510}


def test_workbook_table_on_a_second_sheet_under_a_merged_title(tmp_path):
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "说明"
    notes.append(["本工作簿为虚构数据"])
    sheet = book.create_sheet("表2 乡镇")
    sheet.append(["各乡镇常住人口"])
    sheet.merge_cells("A1:C1")
    sheet.append(["单位：人"])
    sheet.append(["乡镇（街道）", "常住人口", "占全县比重"])
    for name, count in (("城关镇", 4000), ("石桥镇", 2500), ("东山乡", 1500)):
        sheet.append([name, count, count / 8000])
        sheet.cell(sheet.max_row, 2).number_format = "#,##0"
        sheet.cell(sheet.max_row, 3).number_format = "0.00%"
    sheet.append(["合计", 8000, 1])
    sheet.append(["注：虚构数据。"])
    sheet.merge_cells(f"A{sheet.max_row}:C{sheet.max_row}")
    path = tmp_path / "m.xlsx"
    book.save(path)
    read = read_margin_table(path)
    assert (read.table.sheet, read.table.header_row, read.table.encoding) == ("表2 乡镇", 3, "xlsx")
    assert read.excluded == ["合计", "注：虚构数据。"]
    margins = load_margins(path)
    assert margins.tables["region"].to_dict() == {"城关镇": 4000, "石桥镇": 2500, "东山乡": 1500}
    assert margins.total == 8000  # the counts, not the shares beside them


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("overlapping_bands.csv", r"overlapping_bands.csv: age bands 60\+ and 65\+ overlap.*65岁以上 \(line 4\)"),
        ("wrong_total.csv", r"wrong_total.csv line 4, column '人数': the total '9000' does not match the levels of "
                            r"'age_group' above, which sum to 3,500"),
        ("not_a_number.csv", r"not_a_number.csv line 3, column '人数': '约3900' is not a number"),
    ],
)
def test_errors_name_file_line_column_and_value(name, message):
    with pytest.raises(WeightingError, match=message):
        load_margins(DATA / name)


def test_an_age_level_that_is_not_a_band_and_a_missing_target_column(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("变量,类别,人数\n年龄,18-59岁,700\n年龄,老年人,300\n", encoding="utf-8")
    with pytest.raises(WeightingError, match=r"m.csv line 3, column '类别': age level '老年人' is not an age band"):
        load_margins(path)
    path.write_text("变量,类别,备注\n性别,男,多\n性别,女,少\n", encoding="utf-8")
    with pytest.raises(WeightingError, match=r"m.csv line 1: no column of targets found \(the header is: 变量, 类别, 备注\)"):
        load_margins(path)


def test_vocabulary():
    assert [variable_name(t) for t in ("年龄组", "性别", "城乡", "乡镇（街道）", "街道", "age_group", "民族")] == [
        "age_group", "sex", "urban", "region", "region", "age_group", None]
    assert is_total("合计") and is_total("全县合计") and is_total(" 总计 ") and not is_total("城关镇")
    assert is_subitem("其中：65岁以上") and is_subitem("其中:女") and not is_subitem("65岁以上")


def test_crosstab_ignores_a_rate_column_and_checks_its_totals(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("乡镇,合计,城镇,乡村,城镇化率（%）\n城关镇,\"4,000\",\"3,000\",\"1,000\",75.0\n"
                    "石桥镇,\"2,500\",500,\"2,000\",20.0\n合计,\"6,500\",\"3,500\",\"3,000\",53.8\n", encoding="utf-8")
    margins = load_margins(path)
    assert margins.tables["urban"].to_dict() == {"urban": 3500, "rural": 3000}
    assert margins.tables["region*urban"].to_dict() == {
        "城关镇*urban": 3000, "城关镇*rural": 1000, "石桥镇*urban": 500, "石桥镇*rural": 2000}
    path.write_text("乡镇,合计,城镇,乡村\n城关镇,\"4,000\",\"3,000\",\"1,000\"\n石桥镇,\"2,500\",500,\"2,200\"\n",
                    encoding="utf-8")
    with pytest.raises(WeightingError, match=r"m.csv line 3, column '合计': the total 2,500 does not match the cells "
                                             r"of '石桥镇', which sum to 2,700"):
        load_margins(path)


def test_age_bands_are_canonical_from_a_frame_too():
    import pandas as pd

    frame = pd.DataFrame({"variable": ["age_group", "age_group", "age_group*sex", "age_group*sex"],
                          "level": ["18—59岁", "60岁及以上", "18至59岁*male", "60岁以上*male"],
                          "target": [0.7, 0.3, 0.8, 0.2]})
    margins = Margins.from_frame(frame)
    assert list(margins.tables["age_group"].index) == ["18-59", "60+"]
    assert list(margins.tables["age_group*sex"].index) == ["18-59*male", "60+*male"]


def test_a_single_variable_is_named_by_its_levels_when_its_header_is_not_a_variable(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("类型,人数\n男,510\n女,490\n", encoding="utf-8")
    assert load_margins(path).tables["sex"].to_dict() == {"male": 510, "female": 490}
    path.write_text("民族,人数\n汉族,900\n少数民族,100\n", encoding="utf-8")
    assert load_margins(path).tables["民族"].to_dict() == {"汉族": 900, "少数民族": 100}
