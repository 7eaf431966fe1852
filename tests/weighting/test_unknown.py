from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from weighting import Margins, WeightingError, rake
from weighting.unknown import allocate_unknown


def voices() -> pd.DataFrame:
    return pd.DataFrame({
        "sex": ["male", "male", "male", "female", "female", "female", "unknown"],
        "age_group": ["18-29", "18-29", "60+", "30-44", "60+", "unknown", "unknown"],
        "w": [1.0, 1.0, 2.0, 1.0, 3.0, 2.0, 5.0],
    }, index=[10, 11, 12, 13, 14, 15, 16])


def test_fractional_allocation_within_the_known_attributes():
    out, report = allocate_unknown(voices(), ["sex", "age_group"], base_weights="w")
    # Row 15 (female, age unknown): female ages known 30-44 weight 1, 60+ weight 3.
    row15 = out.loc[out["source_row"] == 15].set_index("age_group")["base_weight"]
    assert row15.to_dict() == pytest.approx({"30-44": 0.5, "60+": 1.5})
    assert set(out.loc[out["source_row"] == 15, "sex"]) == {"female"}
    # Row 16 (both unknown): the joint known distribution, total weight 8.
    row16 = out.loc[out["source_row"] == 16].set_index(["sex", "age_group"])["base_weight"]
    assert row16.to_dict() == pytest.approx({
        ("male", "18-29"): 5 * 2 / 8, ("male", "60+"): 5 * 2 / 8,
        ("female", "30-44"): 5 * 1 / 8, ("female", "60+"): 5 * 3 / 8})
    # Every voice keeps its total weight.
    assert out.groupby("source_row")["base_weight"].sum().to_dict() == pytest.approx(voices()["w"].to_dict())
    assert report.rows_with_unknown == 2
    assert report.unknown_by_variable == {"sex": 1, "age_group": 2}
    assert report.rows_out == len(out) == 5 + 2 + 4
    assert "2 of 7 rows have one" in report.summary()


def test_fallback_when_nobody_known_shares_the_attributes():
    frame = pd.DataFrame({"sex": ["male", "male", "female"], "age_group": ["18-29", "60+", "unknown"]})
    out, report = allocate_unknown(frame, ["sex", "age_group"])
    # No known female: allocated by the overall distribution, and the fallback counted.
    assert out.loc[out["source_row"] == 2, "base_weight"].tolist() == pytest.approx([0.5, 0.5])
    assert report.fallbacks == {"dropping sex": 1}


def test_exclusion_counts_the_rows_left_out():
    out, report = allocate_unknown(voices(), ["sex", "age_group"], method="exclude")
    assert out["source_row"].tolist() == [10, 11, 12, 13, 14]
    assert report.excluded == 2 and "excluded, 5 rows kept" in report.summary()


def test_missing_values_are_unknown_too_and_allocated_rows_can_be_raked():
    frame = voices().assign(age_group=lambda f: f["age_group"].replace("unknown", np.nan))
    out, _ = allocate_unknown(frame, ["sex", "age_group"], base_weights="w")
    margins = Margins.from_shares({"sex": {"male": 0.5, "female": 0.5},
                                   "age_group": {"18-29": 0.3, "30-44": 0.3, "60+": 0.4}})
    weights = rake(out, margins, base_weights="base_weight").weights
    assert weights.groupby(out["sex"]).sum().to_dict() == pytest.approx({"male": 5.5, "female": 5.5})


def test_errors_name_the_problem():
    with pytest.raises(WeightingError, match="column 'age' not found"):
        allocate_unknown(voices(), ["age"])
    with pytest.raises(WeightingError, match="method='impute'"):
        allocate_unknown(voices(), ["sex"], method="impute")
    everyone = pd.DataFrame({"sex": ["unknown", "unknown"]})
    with pytest.raises(WeightingError, match="every row has an unknown value of sex"):
        allocate_unknown(everyone, ["sex"])
