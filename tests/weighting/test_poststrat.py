from __future__ import annotations

import pandas as pd
import pytest

from tests.helpers import REFERENCE
from weighting import Margins, WeightingError, poststratify


def joint_margins() -> Margins:
    return Margins.from_frame(pd.DataFrame({
        "variable": ["sex*urban"] * 4,
        "level": ["male*urban", "male*rural", "female*urban", "female*rural"],
        "target": [300, 200, 250, 250],
    }))


def test_cells_get_target_over_base_total():
    frame = pd.DataFrame({
        "sex": ["male", "male", "male", "female", "female", "female"],
        "urban": ["urban", "urban", "rural", "urban", "rural", "rural"],
        "w": [1.0, 3.0, 2.0, 5.0, 1.0, 4.0],
    })
    result = poststratify(frame, joint_margins(), variables=["sex", "urban"], base_weights="w")
    # male*urban: 300 over base 1+3 -> factor 75; male*rural: 200/2; female*urban: 250/5;
    # female*rural: 250 over base 1+4 -> factor 50.
    assert result.weights.tolist() == pytest.approx([75, 225, 200, 250, 50, 200])
    assert result.variables == ("sex*urban",)
    assert result.method == "poststrat" and result.converged


def test_one_way_from_a_finer_table_with_shares():
    frame = pd.DataFrame({"sex": ["male", "female", "female", "female"]})
    result = poststratify(frame, joint_margins(), variables=["sex"])
    # sex summed from the joint counts: male 500, female 500 of 1000; one male carries
    # 500, three females 500 / 3 each.
    assert result.weights.tolist() == pytest.approx([500, 500 / 3, 500 / 3, 500 / 3])


def test_empty_cell_names_it_and_says_what_to_do():
    frame = pd.DataFrame({"sex": ["male", "male", "female"], "urban": ["urban", "rural", "urban"]})
    with pytest.raises(WeightingError) as err:
        poststratify(frame, joint_margins(), variables=["sex", "urban"])
    message = str(err.value)
    assert "'sex*urban': target level(s) 'female*rural' have no sample unit" in message
    assert "merge those levels" in message


def test_sparse_cell_mentions_collapsing():
    frame = pd.DataFrame({"sex": ["male", "male", "female", "female", "female"],
                          "urban": ["urban", "rural", "urban", "rural", "rural"]})
    with pytest.raises(WeightingError, match=r"fewer than 2 sample units: 'male\*urban \(n=1\)'.*collapsing"):
        poststratify(frame, joint_margins(), variables=["sex", "urban"], min_cell_size=2)


def test_without_joint_table_the_error_suggests_raking():
    margins = Margins.from_shares({"sex": {"male": 0.5, "female": 0.5}, "urban": {"urban": 0.6, "rural": 0.4}})
    frame = pd.DataFrame({"sex": ["male", "female"], "urban": ["urban", "rural"]})
    with pytest.raises(WeightingError, match="rake on the one-way margins"):
        poststratify(frame, margins)


def test_apiclus1_post_stratified_mean_matches_r_survey():
    path = REFERENCE / "apiclus1.csv"
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (it lives in the shared folder)")
    data = pd.read_csv(path)
    margins = Margins.from_frame(pd.DataFrame(
        {"variable": ["stype"] * 3, "level": ["E", "H", "M"], "target": [4421, 755, 1018]}))
    result = poststratify(data, margins, base_weights="pw")
    assert result.weights.groupby(data["stype"]).sum().to_dict() == pytest.approx(
        {"E": 4421, "H": 755, "M": 1018})
    mean = (result.weights * data["api00"]).sum() / result.weights.sum()
    assert mean == pytest.approx(642.310788211584, rel=1e-9)


def age_sex_margins() -> Margins:
    ages = ["18-29", "30-44", "45-59", "60+"]
    return Margins.from_frame(pd.DataFrame({
        "variable": ["sex*age_group"] * 8,
        "level": [f"{s}*{a}" for s in ("male", "female") for a in ages],
        "target": [10, 20, 30, 40, 15, 25, 35, 25],
    }))


def test_sparse_cells_collapse_with_adjacent_age_groups_and_are_reported():
    # female: 60+ has one voice, 45-59 none; male: every age group has 2+.
    frame = pd.DataFrame({
        "sex": ["male"] * 8 + ["female"] * 5,
        "age_group": ["18-29", "18-29", "30-44", "30-44", "45-59", "45-59", "60+", "60+",
                      "18-29", "18-29", "30-44", "30-44", "60+"],
    })
    result = poststratify(frame, age_sex_margins(), variables=["sex", "age_group"],
                          min_cell_size=2, collapse="age_group")
    w = result.weights
    # female 30-44, 45-59 and 60+ merge (2 + 0 + 1 units) into one cell of 25+35+25 = 85.
    assert w[frame["sex"] == "female"].tolist() == pytest.approx([7.5, 7.5, 85 / 3, 85 / 3, 85 / 3])
    assert w[frame["sex"] == "male"].tolist() == pytest.approx([5, 5, 10, 10, 15, 15, 20, 20])
    assert result.collapsed == ["sex=female: age_group 30-44 (n=2), 45-59 (n=0), 60+ (n=1) merged"]
    assert result.diagnostics["collapses"] == 1
    # The same rows in another order give the same weights and the same report.
    shuffled = frame.sample(frac=1.0, random_state=4)
    again = poststratify(shuffled, age_sex_margins(), variables=["sex", "age_group"],
                         min_cell_size=2, collapse="age_group")
    assert again.weights.reindex(frame.index).tolist() == pytest.approx(w.tolist())
    assert again.collapsed == result.collapsed


def test_a_group_too_small_to_collapse_is_named():
    frame = pd.DataFrame({"sex": ["male"] * 4 + ["female"],
                          "age_group": ["18-29", "30-44", "45-59", "60+", "60+"]})
    with pytest.raises(WeightingError, match=r"cannot collapse 'age_group' within sex=female: its 1"):
        poststratify(frame, age_sex_margins(), variables=["sex", "age_group"],
                     min_cell_size=1 + 1, collapse="age_group")


def test_a_level_with_target_zero_that_rows_still_name_is_an_error_naming_them() -> None:
    sample = pd.DataFrame({"town": ["a", "a", "b", "gone", "gone"]}, index=["r1", "r2", "r3", "r4", "r5"])
    margins = Margins.from_frame(pd.DataFrame({"variable": "town", "level": ["a", "b", "gone"], "target": [60, 40, 0]}))
    with pytest.raises(WeightingError, match=r"'town' level 'gone': 2 row\(s\) \(r4, r5\)"):
        poststratify(sample, margins)
