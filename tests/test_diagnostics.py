from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from weighting import (
    Margins,
    WeightingError,
    effective_sample_size,
    kish_deff,
    margin_residuals,
    weight_summary,
)


def test_kish_deff_and_ess_by_hand():
    w = [1.0, 1.0, 2.0, 2.0]  # sum 6, sum of squares 10
    assert kish_deff(w) == pytest.approx(4 * 10 / 36)
    assert effective_sample_size(w) == pytest.approx(36 / 10)


def test_equal_weights_cost_nothing():
    w = np.full(50, 3.7)
    assert kish_deff(w) == pytest.approx(1.0)
    assert effective_sample_size(w) == pytest.approx(50)


def test_summary_by_hand():
    summary = weight_summary(pd.Series([1.0, 1.0, 2.0, 2.0]))
    assert summary["n"] == 4
    assert summary["min"] == 1.0 and summary["max"] == 2.0 and summary["ratio"] == 2.0
    assert summary["cv"] == pytest.approx(0.5 / 1.5)  # population sd 0.5, mean 1.5
    assert summary["deff"] == pytest.approx(1 + (1 / 3) ** 2)
    assert summary["ess"] == pytest.approx(3.6)


def test_bad_weights_are_refused():
    with pytest.raises(WeightingError, match="finite and 0 or more"):
        kish_deff([1.0, -1.0])
    with pytest.raises(WeightingError, match="every weight is 0"):
        effective_sample_size([0.0, 0.0])


def test_margin_residuals_by_hand():
    sample = pd.DataFrame({"sex": ["male", "male", "female", "other"]})
    margins = Margins.from_shares({"sex": {"male": 0.4, "female": 0.6}})
    table = margin_residuals(sample, np.array([1.0, 1.0, 1.0, 1.0]), margins)
    rows = {r.level: r for r in table.itertuples()}
    assert rows["male"].weighted_share == pytest.approx(0.5)
    assert rows["male"].residual == pytest.approx(0.1)
    assert rows["female"].residual == pytest.approx(0.25 - 0.6)
    assert rows["other"].target == 0.0 and rows["other"].residual == pytest.approx(0.25)
    assert list(table.columns) == ["variable", "level", "weighted_share", "target", "residual"]
