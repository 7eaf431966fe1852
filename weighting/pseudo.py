"""Propensity pseudo-weights for a non-probability sample (Chen, Li & Wu 2020).

Online voices are not a probability sample: nobody knows each voice's chance of being
there. A probability reference sample (the door-to-door survey, with design weights)
that shares some covariates lets us estimate that chance. The participation model is
``logit(pi(x)) = x'beta``, fitted by the pseudo-likelihood whose score is

    sum over the online sample of x  -  sum over the reference of d * pi(x) * x  =  0,

solved by Newton's method. Three estimators of a mean follow:

- ``ipw``: inverse-propensity weighting in Hajek form, sum(y / pi) / sum(1 / pi);
- ``mi``: mass imputation, a linear model of y on x fitted on the online sample and
  predicted on the reference, averaged with the reference weights;
- ``dr``: doubly robust, the model residuals' inverse-propensity total plus the ``mi``
  total, each over the population size. By default (``dr_scale="reference"``) both
  totals are divided by the reference sample's estimate of the population size, the sum
  of its weights, as R's nonprobsvy does (its ``mu_hatDR``: residual total over
  ``pop_size`` plus the mass-imputation mean); on its jvs/admin data the two agree to
  the solver's tolerance. ``dr_scale="sample"`` divides the residual total by the
  online sample's own estimate, sum(1 / pi), instead (the Hajek form of the residual
  mean, as in Chen, Li & Wu's DR2): 1.4e-5 (relative) away on jvs/admin. The standard
  errors are the Hajek form's linearisation in both cases.

Categorical covariates become treatment dummies over the levels seen in both samples
(first level, in sorted order, as baseline); numeric columns enter as they are.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from weighting._sample import base_weights as _base_weights
from weighting._sample import show
from weighting.diagnostics import weight_summary
from weighting.errors import ConvergenceError, WeightingError
from weighting.result import WeightingResult

logger = logging.getLogger(__name__)

ESTIMATORS = ("ipw", "mi", "dr")
DR_SCALES = ("reference", "sample")


@dataclass(frozen=True)
class ReferenceSample:
    """A probability sample used as the population's stand-in: its rows and design weights.

    Its variance is treated as that of a with-replacement sample of units (no clusters).
    """

    data: pd.DataFrame
    weights: np.ndarray
    source: str = "<reference>"

    @classmethod
    def from_frame(
        cls, data: pd.DataFrame, weights: pd.Series | str | None, source: str = "<reference>"
    ) -> ReferenceSample:
        if data.empty:
            raise WeightingError(f"{source}: the reference sample has no rows")
        try:
            d = _base_weights(data, weights)
        except WeightingError as exc:
            raise WeightingError(f"{source}: {exc}") from None
        return cls(data=data.reset_index(drop=True), weights=d, source=source)

    @property
    def population(self) -> float:
        """The population size the design weights estimate."""
        return float(self.weights.sum())


@dataclass
class PropensityFit:
    """The fitted participation model: coefficients, the design matrices and propensities."""

    beta: np.ndarray
    columns: list[str]
    x_sample: np.ndarray
    x_reference: np.ndarray
    pi_sample: np.ndarray
    pi_reference: np.ndarray
    iterations: int
    converged: bool
    diagnostics: dict[str, float] = field(default_factory=dict)


def _stripped_text(values: pd.Series) -> np.ndarray:
    """Each value as text without surrounding spaces (object array), each distinct value
    converted once: a sample of cells repeats a few levels over many rows."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    return np.array([str(u).strip() for u in uniques], dtype=object)[codes]


def design_matrices(
    sample: pd.DataFrame, reference: pd.DataFrame, covariates: Sequence[str], source: str
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Intercept, numeric columns and treatment dummies, built alike for both samples."""
    if not covariates:
        raise WeightingError("no covariates given; name the columns both samples share")
    xs: list[np.ndarray] = [np.ones(len(sample))]
    xr: list[np.ndarray] = [np.ones(len(reference))]
    names = ["(intercept)"]
    for column in covariates:
        for frame, where in ((sample, "sample"), (reference, source)):
            if column not in frame.columns:
                raise WeightingError(
                    f"{where}: covariate column {column!r} not found (columns are: "
                    f"{', '.join(map(str, frame.columns))})"
                )
            if frame[column].isna().any():
                raise WeightingError(
                    f"{where}: covariate column {column!r} has {int(frame[column].isna().sum())} "
                    "missing value(s); code them as a level such as 'unknown' or drop those rows"
                )
        s, r = sample[column], reference[column]
        numeric = all(
            pd.api.types.is_numeric_dtype(v.dtype) and not pd.api.types.is_bool_dtype(v.dtype)
            for v in (s, r)
        )
        if numeric:
            xs.append(s.to_numpy(dtype="float64"))
            xr.append(r.to_numpy(dtype="float64"))
            names.append(column)
            continue
        s_text, r_text = _stripped_text(s), _stripped_text(r)
        only_s = sorted(set(s_text) - set(r_text))
        only_r = sorted(set(r_text) - set(s_text))
        if only_s:
            raise WeightingError(
                f"covariate {column!r}: level(s) {show(only_s)} occur in the sample but not in "
                f"{source}, so their participation cannot be estimated; merge them with a "
                "neighbouring level or drop those rows"
            )
        if only_r:
            raise WeightingError(
                f"covariate {column!r}: level(s) {show(only_r)} of {source} have no unit in the "
                "sample, so nobody speaks for them; merge them with a neighbouring level"
            )
        levels = sorted(set(s_text))
        for level in levels[1:]:
            xs.append((s_text == level).astype("float64"))
            xr.append((r_text == level).astype("float64"))
            names.append(f"{column}={level}")
    return np.column_stack(xs), np.column_stack(xr), names


def fit_propensity(
    sample: pd.DataFrame,
    reference: ReferenceSample,
    covariates: Sequence[str],
    *,
    base_weights: pd.Series | str | np.ndarray | None = None,
    reference_multipliers: np.ndarray | None = None,
    tol: float = 1e-12,
    max_iter: int = 100,
) -> PropensityFit:
    """Solve the Chen-Li-Wu score by Newton's method (step halving keeps it in range).

    ``base_weights`` on the sample act as frequency weights (a bootstrap replicate
    passes its draw counts); ``reference_multipliers`` scale the reference weights.
    """
    x_s, x_r, names = design_matrices(sample, reference.data, covariates, reference.source)
    f = _frequency(sample, base_weights)
    d = reference.weights if reference_multipliers is None else reference.weights * reference_multipliers
    rank = np.linalg.matrix_rank(x_r[d > 0])
    if rank < x_r.shape[1]:
        raise WeightingError(
            f"the covariates {', '.join(covariates)} are collinear in {reference.source} "
            f"(rank {rank} of {x_r.shape[1]} columns); drop or merge covariates"
        )
    return _fit(x_s, x_r, f, d, names, tol, max_iter)


def _fit(
    x_s: np.ndarray, x_r: np.ndarray, f: np.ndarray, d: np.ndarray, names: list[str],
    tol: float = 1e-12, max_iter: int = 100,
) -> PropensityFit:
    """Newton's method on the score, from the intercept-only solution."""
    target = x_s.T @ f
    beta = np.zeros(x_r.shape[1])
    beta[0] = np.log(f.sum() / max(d.sum() - f.sum(), f.sum() * 1e-6))
    converged, iteration, gap = False, 0, np.inf
    # ``iteration`` is read after the loop (PropensityFit.iterations), so it keeps its name.
    for iteration in range(1, max_iter + 1):  # noqa: B007
        pi = _expit(x_r @ beta)
        score = target - x_r.T @ (d * pi)
        info = x_r.T @ ((d * pi * (1.0 - pi))[:, None] * x_r)
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError:
            raise WeightingError(
                "the participation model is singular: some covariate level has no reference "
                "unit with positive weight; merge sparse levels or use fewer covariates"
            ) from None
        gap = float(np.max(np.abs(step)))
        beta = beta + step
        if gap < tol * max(1.0, float(np.max(np.abs(beta)))):
            converged = True
            break
    if not converged:
        raise ConvergenceError(
            f"the participation model did not converge in {max_iter} Newton steps (last step "
            f"{gap:.3g}); some covariate levels may be (almost) all in the sample: merge sparse "
            "levels or use fewer covariates"
        )
    pi_s = _expit(x_s @ beta)
    pi_r = _expit(x_r @ beta)
    if (pi_s >= 1.0 - 1e-12).any():
        logger.warning("%d sample units have a participation propensity of 1", int((pi_s >= 1 - 1e-12).sum()))
    return PropensityFit(
        beta=beta, columns=names, x_sample=x_s, x_reference=x_r, pi_sample=pi_s,
        pi_reference=pi_r, iterations=iteration, converged=converged,
        diagnostics={"pi_min": float(pi_s.min()), "pi_max": float(pi_s.max()),
                     "population_hat": float(np.sum(f / pi_s))},
    )


def pseudo(
    sample: pd.DataFrame,
    reference: ReferenceSample,
    *,
    variables: Sequence[str] | None = None,
    base_weights: pd.Series | str | None = None,
) -> WeightingResult:
    """Pseudo-weights ``base / pi(x)`` of the sample against a probability reference.

    Same signature as the other methods, with a :class:`ReferenceSample` in place of
    the margins and the covariates as ``variables``. The weights sum to the estimated
    population size; their Hajek means are the ``ipw`` estimates.
    """
    if not isinstance(reference, ReferenceSample):
        raise WeightingError(
            "pseudo weighting needs a ReferenceSample (a probability sample with design "
            f"weights) in place of margins, not {type(reference).__name__}"
        )
    if not variables:
        raise WeightingError("pseudo weighting needs the covariates as variables=[...]")
    fit = fit_propensity(sample, reference, variables, base_weights=base_weights)
    f = _frequency(sample, base_weights)
    weights = pd.Series(f / fit.pi_sample, index=sample.index, name="weight")
    diagnostics: dict[str, object] = dict(weight_summary(weights.to_numpy()))
    diagnostics.update(fit.diagnostics)
    return WeightingResult(
        weights=weights, method="pseudo", converged=fit.converged, iterations=fit.iterations,
        diagnostics=diagnostics, variables=(),
    )


@dataclass
class PseudoEstimates:
    """Point estimates (k,) and, when asked, linearised standard errors (k,)."""

    estimate: np.ndarray
    se: np.ndarray | None
    weights: np.ndarray


def pseudo_means(
    sample: pd.DataFrame,
    reference: ReferenceSample,
    covariates: Sequence[str],
    y: np.ndarray,
    domain_sample: np.ndarray,
    domain_reference: np.ndarray,
    *,
    estimator: str = "ipw",
    base_weights: np.ndarray | None = None,
    reference_multipliers: np.ndarray | None = None,
    with_se: bool = True,
    dr_scale: str = "reference",
) -> PseudoEstimates:
    """Domain means of the columns of ``y`` (n_sample, k) by one of :data:`ESTIMATORS`.

    ``domain_sample`` (n_sample, k) and ``domain_reference`` (n_reference, k) are 1 where
    a unit belongs to the domain of estimate j. The standard errors linearise the
    estimator around the fitted model: the sample treated as a Poisson draw with
    probabilities pi, the reference as a with-replacement draw; ``mi`` adds the
    sandwich variance of the outcome model; ``dr`` omits the outcome model's part,
    which vanishes when either model is right. ``dr_scale``: the population size the
    ``dr`` residual total is divided by (see the module docstring). ``base_weights`` are
    frequency weights: a row of weight ``f`` counts as ``f`` identical units, in the
    estimates and in the standard errors alike.
    """
    if estimator not in ESTIMATORS:
        raise WeightingError(f"estimator={estimator!r}; expected one of {', '.join(ESTIMATORS)}")
    if dr_scale not in DR_SCALES:
        raise WeightingError(f"dr_scale={dr_scale!r}; expected one of {', '.join(DR_SCALES)}")
    fit = fit_propensity(sample, reference, covariates, base_weights=base_weights,
                         reference_multipliers=reference_multipliers)
    f = np.ones(len(sample)) if base_weights is None else base_weights
    d = reference.weights if reference_multipliers is None else reference.weights * reference_multipliers
    return _means(fit, f, d, y, domain_sample, domain_reference, estimator, with_se, dr_scale)


def _means(
    fit: PropensityFit, f: np.ndarray, d: np.ndarray, y: np.ndarray, domain_sample: np.ndarray,
    domain_reference: np.ndarray, estimator: str, with_se: bool, dr_scale: str = "reference",
) -> PseudoEstimates:
    """The estimators of :func:`pseudo_means` on a fitted participation model."""
    w = f / fit.pi_sample
    m_r: np.ndarray | None = None
    if estimator == "ipw":
        resid = y
    else:
        gamma = _ols(fit.x_sample, y, f)
        m_s = fit.x_sample @ gamma
        m_r = fit.x_reference @ gamma
        resid = y - m_s
    wd = w[:, None] * domain_sample
    n_a = wd.sum(axis=0)
    dd = d[:, None] * domain_reference
    n_b = dd.sum(axis=0)
    if (n_a <= 0).any() or (estimator != "ipw" and (n_b <= 0).any()):
        raise WeightingError("a domain has no unit in one of the samples; nothing to estimate")
    ipw_part = (wd * resid).sum(axis=0) / n_a
    if estimator == "ipw":
        theta = ipw_part
    else:
        mi_part = (dd * m_r).sum(axis=0) / n_b
        if estimator == "mi":
            theta = mi_part
        elif dr_scale == "reference":
            theta = (wd * resid).sum(axis=0) / n_b + mi_part
        else:
            theta = ipw_part + mi_part
    se = None
    if with_se:
        se = np.sqrt(_variance(fit, f, d, y, resid, domain_sample, domain_reference, estimator,
                               ipw_part, n_a, n_b, m_r))
    return PseudoEstimates(estimate=theta, se=se, weights=w)


def _variance(
    fit: PropensityFit, f: np.ndarray, d: np.ndarray, y: np.ndarray, resid: np.ndarray,
    dom_s: np.ndarray, dom_r: np.ndarray, estimator: str, ipw_part: np.ndarray,
    n_a: np.ndarray, n_b: np.ndarray, m_r: np.ndarray | None,
) -> np.ndarray:
    """Linearised variance of :func:`pseudo_means` (see its docstring)."""
    pi_s, pi_r, x_s, x_r = fit.pi_sample, fit.pi_reference, fit.x_sample, fit.x_reference
    info = x_r.T @ ((d * pi_r * (1.0 - pi_r))[:, None] * x_r)
    z_ref = np.zeros((len(d), y.shape[1]))
    v_sample = np.zeros(y.shape[1])
    if estimator in ("ipw", "dr"):
        # Hajek mean linearised: u = delta (e - mean) / N_hat, a total over the sample.
        u = dom_s * (resid - ipw_part[None, :]) / n_a[None, :] * f[:, None]
        b = np.linalg.solve(info, x_s.T @ (((1.0 - pi_s) / pi_s)[:, None] * u))  # (p, k)
        # a row of frequency f is f units, each with u / f: f (u / (f pi) - x b)^2
        per_unit = np.divide(u, (f * pi_s)[:, None], out=np.zeros_like(u), where=(f > 0)[:, None])
        v_sample = np.sum((f * (1.0 - pi_s))[:, None] * (per_unit - x_s @ b) ** 2, axis=0)
        z_ref += (d * pi_r)[:, None] * (x_r @ b)
    if estimator in ("mi", "dr"):
        assert m_r is not None
        mi_mean = (d[:, None] * dom_r * m_r).sum(axis=0) / n_b
        z_ref += d[:, None] * dom_r * (m_r - mi_mean[None, :]) / n_b[None, :]
    n_r = len(d)
    centred = z_ref - z_ref.mean(axis=0)
    v_ref = n_r / (n_r - 1) * np.sum(centred**2, axis=0)
    variance = v_sample + v_ref
    if estimator == "mi":
        # Outcome model: sandwich variance of the coefficients, carried by g = mean of x.
        bread = np.linalg.pinv(x_s.T @ (f[:, None] * x_s))
        g = (x_r.T @ (d[:, None] * dom_r)) / n_b[None, :]  # (p, k)
        for j in range(y.shape[1]):
            # f units of residual r each: f r^2
            meat = x_s.T @ ((f * resid[:, j] ** 2)[:, None] * x_s)
            cov = bread @ meat @ bread
            variance[j] += float(g[:, j] @ cov @ g[:, j])
    return variance


def _ols(x: np.ndarray, y: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Least squares of every column of ``y`` on ``x`` with frequency weights ``f``."""
    root = np.sqrt(f)[:, None]
    gamma, *_ = np.linalg.lstsq(x * root, y * root, rcond=None)
    return gamma


def _frequency(sample: pd.DataFrame, base: pd.Series | str | np.ndarray | None) -> np.ndarray:
    if isinstance(base, np.ndarray):
        return base.astype("float64")
    return _base_weights(sample, base)


def _expit(eta: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * eta))


def pseudo_estimate(
    sample: pd.DataFrame,
    reference: ReferenceSample,
    variable: str,
    *,
    covariates: Sequence[str],
    estimator: str = "ipw",
    by: str | None = None,
    replicates: str = "none",
    n_replicates: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Estimates of a mean or level shares of ``variable`` from the sample, with SEs.

    Same columns as :func:`weighting.estimate`. ``replicates="none"`` linearises (see
    :func:`pseudo_means`); ``"bootstrap"`` redraws both samples independently (units
    with replacement, rescaled) and refits the participation and outcome models in
    each replicate. Rows with a missing ``variable`` are left out before fitting.
    With ``by``, ``mi`` and ``dr`` need the ``by`` column in the reference too.
    """
    from weighting.estimate import COLUMNS, Z_95, _columns  # local: estimate imports variance
    from weighting.variance import make_design, replicate_multipliers, replicate_variance

    if replicates not in ("none", "bootstrap"):
        raise WeightingError(
            f"replicates={replicates!r} with pseudo weighting; use none (linearisation) or "
            "bootstrap (jk1 needs clusters, which an online sample has not)"
        )
    if variable not in sample.columns:
        raise WeightingError(
            f"variable column {variable!r} not found in the sample (columns are: "
            f"{', '.join(map(str, sample.columns))})"
        )
    kept = sample.loc[sample[variable].notna()].reset_index(drop=True)
    if len(kept) < len(sample):
        logger.info("%d sample rows without %r left out", len(sample) - len(kept), variable)
    y, dom_s, rows = _columns(kept, variable, by)
    if by is not None and estimator != "ipw":
        if by not in reference.data.columns:
            raise WeightingError(
                f"{reference.source}: by column {by!r} not found; the {estimator} estimator "
                "averages over the reference, which needs the groups too"
            )
        ref_by = reference.data[by].astype(str).to_numpy()
        dom_r = np.column_stack([(ref_by == str(row["by"])).astype("float64") for row in rows])
    else:
        dom_r = np.ones((len(reference.data), len(rows)))
    result = pseudo_means(kept, reference, covariates, y, dom_s, dom_r, estimator=estimator,
                          with_se=replicates == "none")
    theta = result.estimate
    if replicates == "none":
        assert result.se is not None
        se = result.se
    else:
        rng = np.random.default_rng(seed)
        mult_s, factors = replicate_multipliers(make_design(len(kept), None, None), "bootstrap",
                                                n_replicates, rng)
        mult_r, _ = replicate_multipliers(make_design(len(reference.data), None, None),
                                          "bootstrap", n_replicates, rng)
        x_s, x_r, names = design_matrices(kept, reference.data, covariates, reference.source)
        thetas = np.empty((n_replicates, len(theta)))
        for r in range(n_replicates):
            keep = mult_s[r] > 0
            d_r = reference.weights * mult_r[r]
            try:
                fit = _fit(x_s[keep], x_r, mult_s[r, keep], d_r, names)
                thetas[r] = _means(fit, mult_s[r, keep], d_r, y[keep], dom_s[keep], dom_r,
                                   estimator, with_se=False).estimate
            except WeightingError as exc:
                raise WeightingError(
                    f"bootstrap replicate {r + 1} of {n_replicates}: {exc}"
                ) from exc
        se = np.sqrt(replicate_variance(thetas, theta, factors))
    out = pd.DataFrame(rows)
    out["estimate"] = theta
    out["se"] = se
    is_share = out["level"] != ""
    low, high = theta - Z_95 * se, theta + Z_95 * se
    out["ci_low"] = np.where(is_share, np.clip(low, 0.0, 1.0), low)
    out["ci_high"] = np.where(is_share, np.clip(high, 0.0, 1.0), high)
    wd = result.weights[:, None] * dom_s
    out["n"] = dom_s.sum(axis=0).astype("int64")
    out["ess"] = wd.sum(axis=0) ** 2 / (wd**2).sum(axis=0)
    return out[COLUMNS]
