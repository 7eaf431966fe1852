from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import REFERENCE
from weighting import ConvergenceError, Margins, WeightingError, calibrate, estimate, poststratify

STYPE = pd.DataFrame({"variable": ["stype"] * 3, "level": ["E", "H", "M"], "target": [4421, 755, 1018]})
MARGINS = Margins.from_shares({"a": {"x": 0.3, "y": 0.3, "z": 0.4}, "b": {"m": 0.5, "f": 0.5}},
                              total=10_000)


@pytest.fixture()
def sample() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 2000
    return pd.DataFrame({
        "a": rng.choice(list("xyz"), n, p=[0.6, 0.3, 0.1]),
        "b": rng.choice(["m", "f"], n, p=[0.7, 0.3]),
        "d": rng.uniform(1, 3, n),
    })


def totals(frame: pd.DataFrame, weights: pd.Series) -> dict[str, float]:
    out = weights.groupby(frame["a"]).sum().to_dict()
    out.update(weights.groupby(frame["b"]).sum().to_dict())
    return out


EXPECTED = {"x": 3000.0, "y": 3000.0, "z": 4000.0, "m": 5000.0, "f": 5000.0}


def test_linear_calibration_is_the_greg_closed_form(sample):
    result = calibrate(sample, MARGINS, base_weights="d")
    d = sample["d"].to_numpy() * 10_000 / sample["d"].sum()
    x = pd.get_dummies(sample[["a", "b"]]).to_numpy(dtype=float)
    order = ["a_x", "a_y", "a_z", "b_f", "b_m"]
    columns = list(pd.get_dummies(sample[["a", "b"]]).columns)
    t = np.array([EXPECTED[c[2:]] for c in columns])
    assert sorted(columns) == order
    lam = np.linalg.lstsq(x.T @ (d[:, None] * x), t - x.T @ d, rcond=None)[0]
    assert result.weights.to_numpy() == pytest.approx(d * (1 + x @ lam), rel=1e-9)
    assert totals(sample, result.weights) == pytest.approx(EXPECTED, rel=1e-9)
    assert result.method == "calibrate" and result.variables == ("a", "b")


def test_one_margin_linear_calibration_is_poststratification(sample):
    margins = Margins.from_shares({"a": {"x": 0.3, "y": 0.3, "z": 0.4}}, total=500)
    cal = calibrate(sample, margins, base_weights="d").weights
    post = poststratify(sample, margins, base_weights="d").weights
    assert cal.to_numpy() == pytest.approx(post.to_numpy(), rel=1e-12)


def test_logit_respects_its_bounds_and_hits_the_targets(sample):
    result = calibrate(sample, MARGINS, base_weights="d", distance="logit", bounds=(0.3, 6.0))
    ratio = result.weights / (sample["d"] * 10_000 / sample["d"].sum())
    assert ratio.min() > 0.3 and ratio.max() < 6.0
    assert ratio.max() > 3.0  # the bound matters: z is 10% of the sample, 40% of targets
    assert totals(sample, result.weights) == pytest.approx(EXPECTED, rel=1e-9)


def test_bounds_too_tight_is_a_convergence_error(sample):
    with pytest.raises(ConvergenceError, match="bounds are too tight"):
        calibrate(sample, MARGINS, distance="logit", bounds=(0.9, 1.1))


def test_linear_bounds_truncate(sample):
    result = calibrate(sample, MARGINS, bounds=(0.3, 4.5))
    ratio = result.weights / 5.0  # unit base weights scaled to 10,000 / 2,000
    assert ratio.min() >= 0.3 - 1e-12 and ratio.max() <= 4.5 + 1e-12
    assert totals(sample, result.weights) == pytest.approx(EXPECTED, rel=1e-9)


@pytest.mark.parametrize("kwargs", [{"trim_ratio": 4.2}, {"trim_percentile": 95.0}])
def test_trimming_then_recalibration(sample, kwargs):
    untrimmed = calibrate(sample, MARGINS)
    result = calibrate(sample, MARGINS, **kwargs)
    w = result.weights
    assert totals(sample, w) == pytest.approx(EXPECTED, rel=1e-9)
    assert w.max() < untrimmed.weights.max()
    assert result.diagnostics["trimmed"] > 0
    if "trim_ratio" in kwargs:
        assert w.max() <= 4.2 * w.mean() * (1 + 1e-9)


def test_impossible_trim_is_reported(sample):
    with pytest.raises(ConvergenceError):
        calibrate(sample, MARGINS, trim_ratio=2.0)


def test_bad_options_are_refused(sample):
    with pytest.raises(WeightingError, match="logit calibration needs bounds"):
        calibrate(sample, MARGINS, distance="logit")
    with pytest.raises(WeightingError, match=r"0 <= L < 1 < U"):
        calibrate(sample, MARGINS, bounds=(1.2, 3))
    with pytest.raises(WeightingError, match="distance='raking'"):
        calibrate(sample, MARGINS, distance="raking")


def test_apiclus1_calibrated_linearised_se_matches_r_survey():
    path = REFERENCE / "apiclus1.csv"
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (it lives in the shared folder)")
    data = pd.read_csv(path)

    def reweight(sample, base):
        return calibrate(sample, Margins.from_frame(STYPE), base_weights=base)

    row = estimate(data, "api00", weights="pw", cluster="dnum", reweight=reweight).iloc[0]
    assert row["estimate"] == pytest.approx(642.310788211584, rel=1e-9)
    assert row["se"] == pytest.approx(24.1610605814973, rel=1e-9)


@st.composite
def cases(draw):
    n = draw(st.integers(12, 60))
    la, lb = draw(st.integers(2, 4)), draw(st.integers(2, 3))
    a = draw(st.lists(st.integers(0, la - 1), min_size=n, max_size=n))
    b = draw(st.lists(st.integers(0, lb - 1), min_size=n, max_size=n))
    frame = pd.DataFrame({"a": [f"a{i}" for i in a], "b": [f"b{j}" for j in b]})
    # every (a, b) cell observed, so any positive targets are reachable
    frame = pd.concat([frame, pd.DataFrame([{"a": f"a{i}", "b": f"b{j}"}
                                            for i in range(la) for j in range(lb)])],
                      ignore_index=True)
    frame["w"] = draw(st.lists(st.floats(0.5, 3.0), min_size=len(frame), max_size=len(frame)))
    sa = draw(st.lists(st.floats(0.2, 1.0), min_size=la, max_size=la))
    sb = draw(st.lists(st.floats(0.2, 1.0), min_size=lb, max_size=lb))
    targets = {"a": {f"a{i}": s / sum(sa) for i, s in enumerate(sa)},
               "b": {f"b{j}": s / sum(sb) for j, s in enumerate(sb)}}
    return frame, targets


@settings(max_examples=30, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_linear_calibration_hits_the_margins_whatever_the_row_order(case, rnd):
    frame, targets = case
    margins = Margins.from_shares(targets)
    result = calibrate(frame, margins, base_weights="w")
    w = result.weights
    for var in ("a", "b"):
        got = w.groupby(frame[var]).sum() / w.sum()
        for level, share in targets[var].items():
            assert got[level] == pytest.approx(share, abs=1e-9)
    order = list(frame.index)
    rnd.shuffle(order)
    shuffled = calibrate(frame.loc[order], margins, base_weights="w").weights
    assert shuffled.reindex(w.index).to_numpy() == pytest.approx(w.to_numpy(), rel=1e-9, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(cases())
def test_calibration_keeps_weights_that_already_match(case):
    frame, _ = case
    w = frame["w"]
    targets = {var: (w.groupby(frame[var]).sum() / w.sum()).to_dict() for var in ("a", "b")}
    for distance, bounds in (("linear", None), ("logit", (0.5, 2.0))):
        result = calibrate(frame, Margins.from_shares(targets, total=float(w.sum())),
                           base_weights="w", distance=distance, bounds=bounds)
        assert result.weights.to_numpy() == pytest.approx(w.to_numpy(), rel=1e-9)
