from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.helpers import REFERENCE
from weighting import (
    ReferenceSample,
    WeightingError,
    fit_propensity,
    pseudo,
    pseudo_estimate,
)
from weighting.pseudo import pseudo_means

COVARIATES = ["region", "private", "nace", "size"]
# nonprobsvy (R), jvs + admin, logit participation model on the four covariates.
IPW_HAJEK = 0.708322897640164
IPW_SE = 0.0098477
MASS_IMPUTATION = 0.703858701257595


@pytest.fixture(scope="module")
def jvs_admin() -> tuple[pd.DataFrame, ReferenceSample]:
    paths = [REFERENCE / "nonprobsvy_admin.csv", REFERENCE / "nonprobsvy_jvs.csv"]
    for path in paths:
        if not path.exists():
            pytest.skip(f"reference data {path} is absent (it lives in the shared folder)")
    admin = pd.read_csv(paths[0], dtype={"region": str})
    jvs = pd.read_csv(paths[1], dtype={"region": str})
    return admin, ReferenceSample.from_frame(jvs, "weight", source="jvs")


def share_true(table: pd.DataFrame) -> pd.Series:
    return table.loc[table["level"] == "True"].iloc[0]


def test_ipw_hajek_matches_nonprobsvy(jvs_admin):
    admin, jvs = jvs_admin
    row = share_true(pseudo_estimate(admin, jvs, "single_shift", covariates=COVARIATES))
    assert row["estimate"] == pytest.approx(IPW_HAJEK, rel=1e-6)
    assert row["n"] == len(admin)
    # The linearised SE follows Chen-Li-Wu; nonprobsvy's differs in small-sample details.
    assert row["se"] == pytest.approx(IPW_SE, rel=0.02)


def test_mass_imputation_matches_nonprobsvy(jvs_admin):
    admin, jvs = jvs_admin
    row = share_true(pseudo_estimate(admin, jvs, "single_shift", covariates=COVARIATES, estimator="mi"))
    assert row["estimate"] == pytest.approx(MASS_IMPUTATION, rel=1e-6)
    assert 0.005 < row["se"] < 0.02


def test_doubly_robust_lies_near_both_and_away_from_the_naive_mean(jvs_admin):
    admin, jvs = jvs_admin
    row = share_true(pseudo_estimate(admin, jvs, "single_shift", covariates=COVARIATES, estimator="dr"))
    naive = admin["single_shift"].mean()
    assert naive == pytest.approx(0.660531, abs=1e-6)
    assert abs(row["estimate"] - MASS_IMPUTATION) < 0.01
    assert abs(row["estimate"] - naive) > 0.03
    assert row["ci_low"] < row["estimate"] < row["ci_high"]


def test_score_equation_holds_at_the_fit(jvs_admin):
    admin, jvs = jvs_admin
    fit = fit_propensity(admin, jvs, COVARIATES)
    score = fit.x_sample.sum(axis=0) - fit.x_reference.T @ (jvs.weights * fit.pi_reference)
    assert np.max(np.abs(score)) < 1e-6 * len(admin)
    result = pseudo(admin, jvs, variables=COVARIATES)
    assert result.method == "pseudo" and result.converged
    assert result.weights.to_numpy() == pytest.approx(1.0 / fit.pi_sample)
    # The estimated population is of the order of the reference's (51,870).
    assert 0.9 * jvs.population < result.weights.sum() < 1.1 * jvs.population


def test_bootstrap_se_is_seeded_and_close_to_linearised(jvs_admin):
    admin, jvs = jvs_admin
    kwargs = dict(covariates=COVARIATES, replicates="bootstrap", n_replicates=40, seed=3)
    first = share_true(pseudo_estimate(admin, jvs, "single_shift", **kwargs))
    again = share_true(pseudo_estimate(admin, jvs, "single_shift", **kwargs))
    assert first["se"] == again["se"]
    assert first["se"] == pytest.approx(IPW_SE, rel=0.35)


def test_unweighted_reference_equal_to_sample_gives_flat_weights():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"age": rng.choice(["a", "b", "c"], 300), "y": rng.normal(size=300)})
    reference = ReferenceSample.from_frame(frame, pd.Series(10.0, index=frame.index))
    fit = fit_propensity(frame, reference, ["age"])
    assert fit.pi_sample == pytest.approx(np.full(300, 0.1))


def test_level_missing_from_the_reference_is_named():
    sample = pd.DataFrame({"age": ["a", "b", "z"], "y": [1.0, 2.0, 3.0]})
    reference = ReferenceSample.from_frame(pd.DataFrame({"age": ["a", "b"], "w": [5, 5]}), "w",
                                           source="survey.csv")
    with pytest.raises(WeightingError, match=r"level\(s\) 'z' occur in the sample but not in survey.csv"):
        pseudo_estimate(sample, reference, "y", covariates=["age"])


def test_missing_covariate_column_is_named():
    sample = pd.DataFrame({"age": ["a", "b"], "y": [1.0, 2.0]})
    reference = ReferenceSample.from_frame(pd.DataFrame({"sex": ["m", "f"], "w": [5, 5]}), "w",
                                           source="survey.csv")
    with pytest.raises(WeightingError, match=r"survey.csv: covariate column 'age' not found"):
        pseudo_estimate(sample, reference, "y", covariates=["age"])


def test_jk1_is_refused_for_pseudo():
    sample = pd.DataFrame({"age": ["a", "b"], "y": [1.0, 2.0]})
    reference = ReferenceSample.from_frame(pd.DataFrame({"age": ["a", "b"], "w": [5, 5]}), "w")
    with pytest.raises(WeightingError, match="replicates='jk1' with pseudo"):
        pseudo_estimate(sample, reference, "y", covariates=["age"], replicates="jk1")


# nonprobsvy's doubly robust mean (mu_hatDR: the residuals' inverse-propensity total over
# pop_size, plus the mass-imputation mean; pop_size defaults to the sum of the reference
# weights), and the gap measured between it and the Hajek-form residual mean.
DR_GAP_TO_NONPROBSVY = 1.4e-5


def test_doubly_robust_follows_nonprobsvys_normalisation(jvs_admin):
    admin, jvs = jvs_admin
    fit = fit_propensity(admin, jvs, COVARIATES)
    y = admin["single_shift"].astype(float).to_numpy()
    x_s, x_r = fit.x_sample, fit.x_reference
    gamma = np.linalg.lstsq(x_s, y, rcond=None)[0]
    residual_total = np.sum((y - x_s @ gamma) / fit.pi_sample)
    pop_size = jvs.weights.sum()
    by_formula = residual_total / pop_size + np.sum(jvs.weights * (x_r @ gamma)) / pop_size
    default = share_true(pseudo_estimate(admin, jvs, "single_shift", covariates=COVARIATES, estimator="dr"))
    assert default["estimate"] == pytest.approx(by_formula, rel=1e-9)
    assert default["estimate"] == pytest.approx(MASS_IMPUTATION, abs=1e-3)
    one = np.ones((len(admin), 1))
    hajek = pseudo_means(admin, jvs, COVARIATES, y[:, None], one, np.ones((len(jvs.weights), 1)),
                         estimator="dr", dr_scale="sample", with_se=False).estimate[0]
    assert (hajek - default["estimate"]) / default["estimate"] == pytest.approx(DR_GAP_TO_NONPROBSVY, rel=0.05)
    with pytest.raises(WeightingError, match="dr_scale='nope'"):
        pseudo_means(admin, jvs, COVARIATES, y[:, None], one, np.ones((len(jvs.weights), 1)),
                     estimator="dr", dr_scale="nope")
