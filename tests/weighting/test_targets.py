from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from cli.main import main
from tests.helpers import REFERENCE
from weighting import WeightingError
from weighting.targets import census_areas, census_margins


@pytest.fixture(scope="module")
def yearbook() -> pd.DataFrame:
    path = REFERENCE / "census2020_age_sex_by_province.csv"
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (it lives in the shared folder)")
    return pd.read_csv(path).set_index("area")


def test_areas_are_the_nation_and_31_provinces():
    areas = census_areas()
    assert areas[0] == "全国" and len(areas) == 32
    assert {"广东", "西藏", "新疆", "北京"} <= set(areas)


def test_guangdong_18_29_counts_two_fifths_of_15_19(yearbook):
    row = yearbook.loc["广东"]
    for sex, label in (("male", "男"), ("female", "女")):
        expected = 0.4 * row[f"15-19岁-{label}"] + row[f"20-24岁-{label}"] + row[f"25-29岁-{label}"]
        got = census_margins("广东").tables["age_group*sex"][f"18-29*{sex}"]
        assert got == pytest.approx(expected, abs=0.5)


def test_national_60_plus_matches_the_bulletin_and_adults_add_up(yearbook):
    table = census_margins("全国").tables["age_group*sex"]
    sixty = table["60+*male"] + table["60+*female"]
    # Bulletin: 264,018,766 aged 60+ (including the military, almost none of them 60+).
    assert sixty == pytest.approx(264_018_766, rel=1e-4)
    row = yearbook.loc["全国"]
    under_18 = sum(row[f"{b}-小计"] for b in ("0岁", "1-4岁", "5-9岁", "10-14岁")) + 0.6 * row["15-19岁-小计"]
    assert table.sum() == pytest.approx(row["合计-合计"] - under_18, abs=5)


def test_provinces_sum_to_the_nation():
    national = census_margins("全国").tables["age_group*sex"]
    provinces = sum(census_margins(a).tables["age_group*sex"] for a in census_areas()[1:])
    assert (provinces - national).abs().max() <= 31  # rounding to whole persons


def test_national_urban_shares_from_the_bulletin():
    margins = census_margins("national")
    urban = margins.shares("urban")
    assert urban["urban"] == pytest.approx(901_991_162 / 1_411_778_724, rel=1e-9)
    assert "urban" not in census_margins("广东").variables


def test_unknown_area_lists_the_known_ones():
    with pytest.raises(WeightingError, match=r"no targets for area '广州'; known areas are: 全国, 北京"):
        census_margins("广州")


def test_cli_weights_to_a_province_by_name(tmp_path):
    sample = tmp_path / "sample.csv"
    rows = ["age_group,sex"] + [f"{a},{s}" for a in ("18-29", "30-44", "45-59", "60岁及以上")
                                for s in ("男", "女") for _ in range(3)]
    sample.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "w.csv"
    result = CliRunner().invoke(main, ["weight", str(sample), "--margins", "census2020:广东",
                                       "--variables", "age_group*sex", "--out", str(out)])
    assert result.exit_code == 0, result.output
    weights = pd.read_csv(out)["weight"]
    assert weights.sum() == pytest.approx(census_margins("广东").total)
    result = CliRunner().invoke(main, ["weight", str(sample), "--margins", "census2020:火星"])
    assert result.exit_code == 1
    assert "Error: census2020: no targets for area '火星'" in result.stderr
