from __future__ import annotations

import pandas as pd
import pytest

from weighting import (
    MARGIN_METHODS,
    METHODS,
    Margins,
    WeightingError,
    WeightingResult,
    calibrate,
    get_method,
    poststratify,
    pseudo,
    rake,
)


def test_names_resolve_to_the_methods():
    assert get_method("rake") is rake
    assert get_method("poststrat") is poststratify
    assert get_method("calibrate") is calibrate
    assert get_method("pseudo") is pseudo
    assert set(METHODS) == {"rake", "poststrat", "calibrate", "pseudo"}
    assert set(MARGIN_METHODS) == {"rake", "poststrat", "calibrate"}


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(WeightingError, match=r"unknown weighting method 'greg'; known methods are: "
                       r"calibrate, poststrat, pseudo, rake"):
        get_method("greg")


def test_user_callable_with_the_same_signature_is_used():
    def equal(sample, margins, *, variables=None, base_weights=None):
        return WeightingResult(weights=pd.Series(1.0, index=sample.index), method="equal")

    method = get_method(equal)
    result = method(pd.DataFrame({"x": [1, 2]}), Margins.from_shares({"x": {"1": 0.5, "2": 0.5}}))
    assert result.weights.tolist() == [1.0, 1.0]


def test_callable_with_another_signature_is_refused():
    def wrong(sample):
        return None

    with pytest.raises(WeightingError, match=r"must take \(sample, margins\)"):
        get_method(wrong)

    def no_keywords(sample, margins):
        return None

    with pytest.raises(WeightingError, match="lacks the keyword argument"):
        get_method(no_keywords)
