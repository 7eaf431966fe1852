from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from weighting import Margins, WeightingError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "margins.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_counts_carry_the_population_total(tmp_path):
    path = write(tmp_path, "variable,level,target\nsex,male,510\nsex,female,490\n"
                           "urban,urban,640\nurban,rural,360\n")
    margins = Margins.from_csv(path)
    assert margins.variables == ["sex", "urban"]
    assert margins.total == 1000
    assert margins.shares("sex").to_dict() == pytest.approx({"male": 0.51, "female": 0.49})
    assert margins.targets("urban")["rural"] == pytest.approx(360)


def test_shares_have_no_total(tmp_path):
    margins = Margins.from_csv(write(tmp_path, "variable,level,target\nsex,male,0.5\nsex,female,0.5\n"))
    assert margins.total is None


def test_single_variable_derived_from_joint_table(tmp_path):
    path = write(tmp_path, "variable,level,target\n"
                           "age_group*sex,18-29*male,100\nage_group*sex,18-29*female,200\n"
                           "age_group*sex,60+*male,300\nage_group*sex,60+*female,400\n")
    margins = Margins.from_csv(path)
    assert margins.shares("sex").to_dict() == pytest.approx({"male": 0.4, "female": 0.6})
    assert margins.shares("age_group").to_dict() == pytest.approx({"18-29": 0.3, "60+": 0.7})
    joint = margins.joint(["sex", "age_group"])
    assert joint[("female", "60+")] == pytest.approx(0.4)
    assert joint.index.names == ["sex", "age_group"]


def test_joint_without_a_covering_table_is_an_error(tmp_path):
    margins = Margins.from_csv(write(tmp_path, "variable,level,target\nsex,male,.5\nsex,female,.5\n"
                                               "urban,urban,.6\nurban,rural,.4\n"))
    with pytest.raises(WeightingError, match=r"no table covers 'sex\*urban' jointly.*rake"):
        margins.joint(["sex", "urban"])


def test_normalise_accepts_labels(tmp_path):
    path = write(tmp_path, "variable,level,target\nsex,男,0.5\nsex,女,0.5\n")
    labels = {"男": "male", "女": "female"}
    margins = Margins.from_csv(path, normalise=lambda var, level: labels.get(level))
    assert list(margins.shares("sex").index) == ["male", "female"]


def test_duplicated_level_names_both_lines(tmp_path):
    path = write(tmp_path, "variable,level,target\nsex,male,0.5\nsex,female,0.3\nsex,male,0.2\n")
    with pytest.raises(WeightingError) as err:
        Margins.from_csv(path)
    assert str(err.value) == (
        f"{path} line 4, column 'level': level 'male' of variable 'sex' is listed twice "
        f"(first at {path} line 2); keep one row"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abc", r"line 3, column 'target': 'abc' is not a number"),
     ("-4", r"line 3, column 'target': '-4' is negative")],
)
def test_bad_target_names_line_column_value(tmp_path, value, expected):
    path = write(tmp_path, f"variable,level,target\nsex,male,10\nsex,female,{value}\n")
    with pytest.raises(WeightingError, match=expected):
        Margins.from_csv(path)


def test_shares_not_summing_to_one(tmp_path):
    path = write(tmp_path, "variable,level,target\nsex,male,0.5\nsex,female,0.4\n")
    with pytest.raises(WeightingError, match=r"line 2, column 'target': the shares of 'sex' sum to 0.9, not 1"):
        Margins.from_csv(path)


def test_inconsistent_totals(tmp_path):
    path = write(tmp_path, "variable,level,target\nsex,male,500\nsex,female,500\n"
                           "urban,urban,600\nurban,rural,410\n")
    with pytest.raises(WeightingError, match=r"counts of 'urban' sum to 1,010 but those of 'sex' sum to 1,000"):
        Margins.from_csv(path)


def test_totals_within_half_a_percent_are_accepted(tmp_path):
    path = write(tmp_path, "variable,level,target\nsex,male,500\nsex,female,500\n"
                           "urban,urban,600\nurban,rural,404\n")
    assert Margins.from_csv(path).total == 1000


def test_missing_column_and_bad_joint_level(tmp_path):
    with pytest.raises(WeightingError, match=r"line 1: no column of targets found \(the header is: variable, level, note\)"):
        Margins.from_csv(write(tmp_path, "variable,level,note\nsex,male,x\n"))
    with pytest.raises(WeightingError, match=r"line 2, column 'level': '60\+' does not have one level per variable"):
        Margins.from_csv(write(tmp_path, "variable,level,target\nage_group*sex,60+,1\n"))


def test_from_frame_reports_rows():
    frame = pd.DataFrame({"variable": ["sex", "sex"], "level": ["male", "female"], "target": [1, "x"]})
    with pytest.raises(WeightingError, match=r"<DataFrame> row 1, column 'target': 'x' is not a number"):
        Margins.from_frame(frame)


def test_header_is_found_below_a_title_and_a_unit_row(tmp_path):
    path = write(tmp_path, "同心县分性别人口,,\n单位：人,,\nvariable,level,target\nsex,male,510\nsex,female,490\n"
                           ",,\n注：虚构数据,,\n")
    assert Margins.from_csv(path).targets("sex").to_dict() == {"male": 510.0, "female": 490.0}


def test_zero_target_rows_finds_levels_the_population_lacks():
    import numpy as np

    from weighting.margins import zero_target_error, zero_target_rows

    codes = np.array([0, 2, 1, 2, 2])
    found = zero_target_rows("region", codes, ["a", "b", "gone"], np.array([0.6, 0.4, 0.0]), np.ones(5))
    assert [(f.variable, f.level, f.rows.tolist()) for f in found] == [("region", "gone", [1, 3, 4])]
    assert zero_target_rows("region", codes, ["a", "b", "gone"], np.array([0.6, 0.4, 0.0]),
                            np.array([1.0, 0.0, 1.0, 0.0, 0.0])) == []
    error = zero_target_error("m.csv", found, pd.Index(["s1", "s2", "s3", "s4", "s5"]), "drop=True")
    assert str(error).startswith("m.csv: target 0 for level(s) the sample has: 'region' level 'gone': 3 row(s) "
                                 "(s2, s4, s5)")
    assert str(error).endswith("drop them explicitly with drop=True")
