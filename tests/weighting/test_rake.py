from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weighting import ConvergenceError, Margins, WeightingError, margin_residuals, rake


def two_by_two() -> pd.DataFrame:
    # cells (a1,b1) x2, (a1,b2) x1, (a2,b1) x1, (a2,b2) x2
    return pd.DataFrame({"a": ["a1", "a1", "a1", "a2", "a2", "a2"],
                         "b": ["b1", "b1", "b2", "b1", "b2", "b2"]})


def test_two_by_two_matches_the_solution_on_paper():
    # Targets (n = 6): a1 3.6, a2 2.4; b1 3, b2 3. IPF keeps the seed's odds ratio
    # (2*2)/(1*1) = 4, so with m11 = t: t(t - 0.6) = 4(3.6 - t)(3 - t),
    # i.e. t^2 - 8.6 t + 14.4 = 0, whose root below 3 is t = (8.6 - sqrt(16.36)) / 2.
    t = (8.6 - math.sqrt(16.36)) / 2
    m11, m12, m21, m22 = t, 3.6 - t, 3 - t, t - 0.6
    margins = Margins.from_shares({"a": {"a1": 0.6, "a2": 0.4}, "b": {"b1": 0.5, "b2": 0.5}})
    result = rake(two_by_two(), margins)
    expected = [m11 / 2, m11 / 2, m12, m21, m22 / 2, m22 / 2]
    assert result.weights.to_numpy() == pytest.approx(expected, rel=1e-9)
    assert result.converged and result.method == "rake"
    assert result.weights.sum() == pytest.approx(6)


def test_counts_scale_to_the_population_total():
    margins = Margins.from_shares({"a": {"a1": 0.6, "a2": 0.4}, "b": {"b1": 0.5, "b2": 0.5}}, total=1200)
    result = rake(two_by_two(), margins)
    assert result.weights.sum() == pytest.approx(1200)


@st.composite
def samples(draw):
    n = draw(st.integers(20, 80))
    la, lb = draw(st.integers(2, 4)), draw(st.integers(2, 3))
    a = draw(st.lists(st.integers(0, la - 1), min_size=n, max_size=n))
    b = draw(st.lists(st.integers(0, lb - 1), min_size=n, max_size=n))
    a[:la] = range(la)  # every level observed, and every (a, b) cell of the first row seen
    b[:lb] = range(lb)
    frame = pd.DataFrame({"a": [f"a{i}" for i in a], "b": [f"b{j}" for j in b]})
    base = draw(st.lists(st.floats(0.5, 3.0), min_size=n, max_size=n))
    frame["w"] = base
    shares_a = draw(st.lists(st.floats(0.2, 1.0), min_size=la, max_size=la))
    shares_b = draw(st.lists(st.floats(0.2, 1.0), min_size=lb, max_size=lb))
    targets = {
        "a": {f"a{i}": s / sum(shares_a) for i, s in enumerate(shares_a)},
        "b": {f"b{j}": s / sum(shares_b) for j, s in enumerate(shares_b)},
    }
    return frame, targets


def _full_cross(frame):
    return frame.groupby(["a", "b"]).size().size == frame["a"].nunique() * frame["b"].nunique()


@settings(max_examples=40, deadline=None)
@given(samples())
def test_raked_margins_equal_targets(case):
    frame, targets = case
    if not _full_cross(frame):  # with every cell observed the margins are always reachable
        frame = pd.concat([frame, pd.DataFrame(
            [{"a": a, "b": b, "w": 1.0} for a in targets["a"] for b in targets["b"]])],
            ignore_index=True)
    margins = Margins.from_shares(targets)
    result = rake(frame, margins, base_weights="w")
    for var in ("a", "b"):
        got = result.weights.groupby(frame[var]).sum() / result.weights.sum()
        for level, share in targets[var].items():
            assert got[level] == pytest.approx(share, abs=1e-9)
    residuals = margin_residuals(frame, result.weights, margins)
    assert residuals["residual"].abs().max() < 1e-9


@settings(max_examples=25, deadline=None)
@given(samples(), st.randoms(use_true_random=False))
def test_invariant_to_row_order(case, rnd):
    frame, targets = case
    frame = pd.concat([frame, pd.DataFrame(
        [{"a": a, "b": b, "w": 1.0} for a in targets["a"] for b in targets["b"]])], ignore_index=True)
    margins = Margins.from_shares(targets)
    order = list(frame.index)
    rnd.shuffle(order)
    first = rake(frame, margins, base_weights="w").weights
    shuffled = rake(frame.loc[order], margins, base_weights="w").weights
    assert list(shuffled.index) == order
    assert shuffled.reindex(first.index).to_numpy() == pytest.approx(first.to_numpy(), rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(samples())
def test_sample_matching_its_targets_keeps_its_weights(case):
    frame, _ = case
    w = frame["w"]
    total = float(w.sum())
    targets = {var: (w.groupby(frame[var]).sum() / total).to_dict() for var in ("a", "b")}
    result = rake(frame, Margins.from_shares(targets, total=total), base_weights="w")
    assert result.weights.to_numpy() == pytest.approx(w.to_numpy(), rel=1e-9)
    assert result.iterations == 1


def test_joint_variable_is_one_dimension():
    frame = pd.DataFrame({"a": ["x", "x", "y", "y", "y"], "b": ["p", "q", "p", "q", "q"],
                          "c": ["u", "v", "u", "v", "u"]})
    margins = Margins.from_frame(pd.DataFrame({
        "variable": ["a*b"] * 4 + ["c"] * 2,
        "level": ["x*p", "x*q", "y*p", "y*q", "u", "v"],
        "target": [0.1, 0.2, 0.3, 0.4, 0.5, 0.5],
    }))
    result = rake(frame, margins)
    assert result.variables == ("a*b", "c")
    cells = result.weights.groupby([frame["a"], frame["b"]]).sum() / 5
    assert cells[("y", "q")] == pytest.approx(0.4)
    assert (result.weights.groupby(frame["c"]).sum() / 5)["u"] == pytest.approx(0.5)


def test_sample_level_without_target_is_named():
    frame = pd.DataFrame({"sex": ["male", "female", "other", "other"]})
    margins = Margins.from_shares({"sex": {"male": 0.5, "female": 0.5}})
    with pytest.raises(WeightingError) as err:
        rake(frame, margins)
    assert "'sex': sample level(s) 'other' have no target" in str(err.value)
    assert "levels are: 'male', 'female'" in str(err.value)


def test_target_without_sample_unit_is_named():
    frame = pd.DataFrame({"age_group": ["18-29", "30-44"]})
    margins = Margins.from_shares({"age_group": {"18-29": 0.3, "30-44": 0.3, "60+": 0.4}})
    with pytest.raises(WeightingError, match=r"'age_group': target level\(s\) '60\+' have no sample unit"):
        rake(frame, margins)


def test_missing_values_in_a_weighting_column_are_an_error():
    frame = pd.DataFrame({"sex": ["male", None, "female"]})
    with pytest.raises(WeightingError, match=r"column 'sex' has 1 missing value\(s\) \(rows 1\)"):
        rake(frame, Margins.from_shares({"sex": {"male": 0.5, "female": 0.5}}))


def test_negative_base_weight_is_an_error():
    frame = pd.DataFrame({"sex": ["male", "female"], "w": [1.0, -2.0]})
    with pytest.raises(WeightingError, match=r"weight column 'w': 1 value\(s\) are missing, negative"):
        rake(frame, Margins.from_shares({"sex": {"male": 0.5, "female": 0.5}}), base_weights="w")


def test_impossible_targets_do_not_converge():
    # a1 is only ever seen with b1, so share(a1) must equal share(b1): 0.5 vs 0.7 cannot hold.
    frame = pd.DataFrame({"a": ["a1", "a2", "a2"], "b": ["b1", "b2", "b2"]})
    margins = Margins.from_shares({"a": {"a1": 0.5, "a2": 0.5}, "b": {"b1": 0.7, "b2": 0.3}})
    with pytest.raises(ConvergenceError, match="did not converge in 50 iterations"):
        rake(frame, margins, max_iter=50)
    result = rake(frame, margins, max_iter=50, on_nonconvergence="warn")
    assert not result.converged and result.iterations == 50
    assert np.isfinite(result.weights).all()


# -- targets the sample contradicts ----------------------------------------------------------

def _merged_township() -> tuple[pd.DataFrame, Margins]:
    # 新河乡 was merged into 柳林乡: its target is 0, yet three respondents still name it.
    frame = pd.DataFrame(
        {"region": ["城关镇", "新河乡", "柳林乡", "新河乡", "城关镇", "新河乡", "柳林乡"],
         "sex": ["male", "female", "male", "female", "female", "male", "female"]},
        index=["r1", "r2", "r3", "r4", "r5", "r6", "r7"],
    )
    margins = Margins.from_frame(pd.DataFrame({
        "variable": ["region"] * 3 + ["sex"] * 2,
        "level": ["城关镇", "柳林乡", "新河乡", "male", "female"],
        "target": [600, 400, 0, 480, 520],
    }), source="margins.csv")
    return frame, margins


def test_a_level_with_target_0_that_the_sample_has_is_an_error_naming_it():
    frame, margins = _merged_township()
    with pytest.raises(WeightingError) as err:
        rake(frame, margins)
    message = str(err.value)
    assert message.startswith("margins.csv: target 0 for level(s) the sample has: 'region' level '新河乡': 3 row(s) "
                              "(r2, r4, r6)")
    assert "on_zero_target='drop'" in message and "\n" not in message


def test_rows_in_a_level_with_target_0_are_dropped_when_asked_and_counted():
    frame, margins = _merged_township()
    result = rake(frame, margins, on_zero_target="drop")
    assert result.weights[["r2", "r4", "r6"]].tolist() == [0.0, 0.0, 0.0]
    assert result.diagnostics["dropped_rows"] == 3
    assert result.diagnostics["dropped"] == {"region=新河乡": 3}
    assert result.weights.sum() == pytest.approx(1000)
    kept = result.weights.drop(["r2", "r4", "r6"])
    assert kept.groupby(frame["region"]).sum().to_dict() == pytest.approx({"城关镇": 600, "柳林乡": 400})
    assert kept.groupby(frame["sex"]).sum().to_dict() == pytest.approx({"male": 480, "female": 520})
    # the same as raking without those rows
    alone = rake(frame.drop(["r2", "r4", "r6"]), margins)
    assert kept.to_numpy() == pytest.approx(alone.weights.to_numpy(), rel=1e-9)


def test_joint_zero_targets_and_many_rows_are_named_briefly():
    frame = pd.DataFrame({"a": ["x"] * 8 + ["y"] * 2, "b": ["p"] * 7 + ["q", "p", "q"]})
    margins = Margins.from_frame(pd.DataFrame({
        "variable": ["a*b"] * 4, "level": ["x*p", "x*q", "y*p", "y*q"], "target": [0.5, 0.0, 0.2, 0.3]}))
    with pytest.raises(WeightingError, match=r"'a\*b' level 'x\*q': 1 row\(s\) \(7\)"):
        rake(frame, margins)
    frame = pd.DataFrame({"a": ["x"] * 9 + ["y"] * 2, "b": ["q"] * 8 + ["p", "p", "q"]})
    margins = Margins.from_frame(pd.DataFrame({
        "variable": ["a*b"] * 4, "level": ["x*p", "x*q", "y*p", "y*q"], "target": [0.5, 0.0, 0.2, 0.3]}))
    with pytest.raises(WeightingError, match=r"'x\*q': 8 row\(s\) \(0, 1, 2, 3, 4, \.\.\. \(8 in all\)\)"):
        rake(frame, margins)


def test_dropping_cannot_leave_a_target_without_rows():
    frame = pd.DataFrame({"region": ["a", "gone", "a"], "sex": ["male", "female", "male"]})
    margins = Margins.from_shares({"region": {"a": 1.0, "gone": 0.0}, "sex": {"male": 0.5, "female": 0.5}})
    with pytest.raises(WeightingError, match=r"'sex': after dropping .* target level\(s\) 'female' have no sample"):
        rake(frame, margins, on_zero_target="drop")
    with pytest.raises(WeightingError, match=r"on_zero_target='keep'; expected one of raise, drop"):
        rake(frame, margins, on_zero_target="keep")


def test_a_row_with_base_weight_0_in_a_level_with_target_0_is_no_contradiction():
    frame = pd.DataFrame({"region": ["a", "gone", "b"], "w": [1.0, 0.0, 1.0]})
    margins = Margins.from_shares({"region": {"a": 0.5, "b": 0.5, "gone": 0.0}})
    assert rake(frame, margins, base_weights="w").weights.tolist() == pytest.approx([1.5, 0.0, 1.5])
