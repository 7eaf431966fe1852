"""The blend: online voices and survey respondents mixed within groups.

Within each blend group (default age group x urban/rural) each source gives an agenda
share: the online voices post-stratified to the group, the respondents with their
calibrated survey weights. The groups are combined in their population proportions
(weighted by how often the group raises any concern, as the survey measures it).
How the two sources are mixed inside a group is the ``mix``:

- ``composite`` (default): the composite estimator of Elliott & Haviland (2007), "Use of
  a web-based convenience sample to supplement a probability sample", *Survey
  Methodology* 33(2), 211-215. Per group and topic, the survey's estimate ``p_s`` (design
  unbiased, variance ``v_s``) and the online estimate ``p_o`` (variance ``v_o``, unknown
  bias) are mixed as ``lam * p_s + (1 - lam) * p_o`` with

      lam = (v_o + b^2) / (v_o + b^2 + v_s),   b = p_o - p_s,

  the weight that minimises the mean squared error when the online bias is ``b``. Where
  the web agrees with the survey (``b`` small against the variances) it narrows the
  interval; where it does not, the mix leans on the survey. ``b^2`` is the plug-in
  estimate, which on average overstates the squared bias by ``v_o + v_s``: the mix leans
  on the survey a little more than the optimum, the safe side. The variances are
  linearised ratio variances within the group (online voices as units, survey clusters as
  units). The bootstrap replicates redo the whole mix, so the interval includes the
  uncertainty of ``lam`` and of the discrepancy.
- ``ess``: the sources mixed in proportion to their effective sample sizes (Kish), the same
  mix for every topic. It assumes that within a group online voices and respondents share
  the concern; where they do not, the web's discrepancy goes into the estimate and not
  into the interval. Kept for comparison.

A group with no respondent is carried by the online voices alone (nothing can measure
their bias there) and a group with no online voice by the survey; a group with neither
is a blind spot, reported in the carry table.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIXES = ("composite", "ess")

__all__ = ["MIXES", "BlendResult", "any_share", "blend", "kish", "ratio", "ratio_variance", "unit_ratio"]


def kish(w: np.ndarray, count: np.ndarray | None = None) -> float:
    """Kish's effective sample size of weights ``w``: (sum w)^2 / sum w^2; 0 for no weight.

    ``count`` (same shape): over how many voices of equal weight each weight is spread
    (a row standing for ``c`` identical voices: ``c`` voices of weight ``w / c``), which
    makes the denominator sum w^2 / c; default 1."""
    total = float(np.sum(w))
    if total <= 0:
        return 0.0
    squares = w * w if count is None else w * w / count
    return total * total / float(np.sum(squares))


def ratio(w: np.ndarray, y: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Ratio estimate per column of ``y`` (n, k): sum w y / sum w d; NaN when sum w d <= 0."""
    denominator = (w * d).sum()
    if denominator <= 0:
        return np.full(y.shape[1], np.nan)
    return np.asarray((w[:, None] * y).sum(axis=0) / denominator)


def any_share(w: np.ndarray, d: np.ndarray) -> float:
    """Weighted share of units with ``d`` (raises any concern); NaN for no weight."""
    total = w.sum()
    return float((w * d).sum() / total) if total > 0 else float("nan")


def ratio_variance(w: np.ndarray, y: np.ndarray, d: np.ndarray, units: np.ndarray,
                   count: np.ndarray | None = None) -> np.ndarray:
    """Linearised variance (k,) of :func:`ratio` with rows grouped into sampling ``units``
    (a voice split in parts, or a survey cluster): with-replacement variance of the unit
    totals of ``w (y - p d)``, scaled by n/(n-1), over (sum w d)^2. ``count`` (rows,): how
    many identical units each row's unit stands for (a row of ``c`` voices: ``c`` units,
    each an equal part of its total; default 1), the same for every row of a unit. NaN
    with fewer than two units."""
    live = w > 0
    denominator = (w * d).sum()
    codes, first, inverse = np.unique(units[live], return_index=True, return_inverse=True)
    size = np.ones(len(codes)) if count is None else np.asarray(count, dtype=float)[live][first]
    n = float(size.sum())
    if n < 2 or denominator <= 0:
        return np.full(y.shape[1], np.nan)
    p = ratio(w, y, d)
    residual = w[live, None] * (y[live] - p[None, :] * d[live, None])
    totals = np.column_stack([np.bincount(inverse, weights=residual[:, j], minlength=len(codes))
                              for j in range(y.shape[1])]) if y.shape[1] else np.zeros((len(codes), 0))
    # c units of total T / c each: c (T / c)^2 = T^2 / c
    return np.asarray(n / (n - 1) * (totals**2 / size[:, None]).sum(axis=0) / denominator**2)


@dataclass
class BlendResult:
    """``estimate`` (k,); ``carry``: one row per group (population share, effective sizes,
    the survey's mean share of the mix); ``ess``: the blend's effective size; ``units``
    (n, k): per voice and topic the unit weight that reproduces the estimate as
    ``sum u y / sum u d`` (for domains such as a ``--by`` group)."""

    estimate: np.ndarray
    carry: pd.DataFrame
    ess: float
    units: np.ndarray


def _survey_share(mix: str, p_on: np.ndarray, p_sv: np.ndarray, v_on: np.ndarray, v_sv: np.ndarray,
                  ess_on: float, ess_sv: float) -> np.ndarray:
    """The survey's share ``lam`` of the mix per topic (see the module docstring)."""
    k = len(p_on)
    if ess_sv <= 0:
        return np.zeros(k)
    if ess_on <= 0:
        return np.ones(k)
    by_size = np.full(k, ess_sv / (ess_on + ess_sv))
    if mix == "ess":
        return by_size
    bias2 = (p_on - p_sv) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        lam = (v_on + bias2) / (v_on + bias2 + v_sv)
    usable = np.isfinite(lam) & np.isfinite(p_on) & np.isfinite(p_sv) & ((v_on + bias2 + v_sv) > 0)
    return np.where(usable, lam, by_size)


def blend(
    yv: np.ndarray,
    d: np.ndarray,
    counted: np.ndarray,
    population: pd.Series,
    group_of: np.ndarray,
    online_rows: tuple[np.ndarray, np.ndarray, np.ndarray],
    survey_weights: np.ndarray,
    clusters: np.ndarray,
    *,
    mix: str = "composite",
    count: np.ndarray | None = None,
    parts: np.ndarray | None = None,
) -> BlendResult:
    """The blended estimate over ``n`` voices and ``k`` topics.

    ``yv`` (n, k) and ``d`` (n,): outcomes and "any concern" (0/1 or pseudo-outcomes);
    ``counted`` (n,): the 0/1 indicator the effective sizes are taken over;
    ``population``: group label -> population share; ``group_of`` (n,): each voice's group;
    ``online_rows``: the online part as (voice positions, group labels, weights), one row
    per voice or per fractional part of a voice; ``survey_weights`` (n,): calibrated
    weights (0 for online voices); ``clusters`` (n,): each respondent's cluster (the unit
    of the survey's variance); ``count`` (n,): over how many voices of equal weight each
    voice's weight is spread (a row standing for identical online voices:
    :func:`opinion.estimates.design.equal_voices`; default 1), for the effective sizes and
    the variances; ``parts`` (one per online row): the part of its voice the row is (a
    voice of unknown age allocated 0.3 to a group is 0.3 of a voice there; default 1), so
    that a group's effective size counts voices, not pieces of them: Kish's formula over
    the pieces as if each were a voice would exceed the voices in the group.

    Raises:
        ValueError: ``mix`` is not one of :data:`MIXES`.
    """
    if mix not in MIXES:
        raise ValueError(f"mix={mix!r}; expected one of {', '.join(MIXES)}")
    n, k = yv.shape
    size = np.ones(n) if count is None else np.asarray(count, dtype=float)
    everyone = np.arange(n)
    sources = {"online": online_rows, "survey": (everyone, group_of, survey_weights)}
    # sampling units as integer codes: a voice (its position), a survey cluster
    units_of = {"online": np.asarray(online_rows[0]), "survey": pd.factorize(np.asarray(clusters).astype(str))[0]}
    # each source's rows by group, in row order: a group's sums run over its own rows only
    members = {source: pd.Series(np.arange(len(groups))).groupby(np.asarray(groups, dtype=object)).indices
               for source, (_, groups, _) in sources.items()}
    nobody = np.zeros(0, dtype=int)
    overall_any = any_share(survey_weights, d)
    estimate = np.zeros(k)
    total_weight = 0.0
    inverse_ess = 0.0
    units = np.zeros((n, k))
    rows = []
    piece = np.ones(len(online_rows[0])) if parts is None else np.asarray(parts, dtype=float)
    for group, share in population.items():
        found = {}
        for source, (all_at, _, all_w) in sources.items():
            sel = members[source].get(group, nobody)
            at, w = np.asarray(all_at)[sel], np.asarray(all_w, dtype=float)[sel]
            p = ratio(w, yv[at], d[at])
            v = (ratio_variance(w, yv[at], d[at], units_of[source][sel], size[at]) if mix == "composite"
                 else np.full(k, np.nan))
            speaks = counted[at] > 0
            voices_of = size[at] * (piece[sel] if source == "online" else 1.0)
            found[source] = (at, w, p, v, kish(w[speaks], voices_of[speaks]))
        (_, _, p_on, v_on, ess_on), (_, _, p_sv, v_sv, ess_sv) = found["online"], found["survey"]
        lam = _survey_share(mix, p_on, p_sv, v_on, v_sv, ess_on, ess_sv)
        rows.append({"group": group, "population_share": float(share), "online_ess": ess_on, "survey_ess": ess_sv,
                     "survey_fraction": float(np.mean(lam)) if ess_on + ess_sv > 0 else np.nan})
        if ess_on + ess_sv <= 0:
            continue  # a blind spot: nobody speaks for this group; reported in the carry table
        p = (1 - lam) * np.nan_to_num(p_on) + lam * np.nan_to_num(p_sv)
        survey_at = found["survey"][0]
        group_any = any_share(survey_weights[survey_at], d[survey_at])
        weight = float(share) * (group_any if np.isfinite(group_any) else overall_any)
        estimate += weight * p
        total_weight += weight
        spread = np.zeros(k)
        if ess_on > 0:
            spread += (1 - lam) ** 2 / ess_on
        if ess_sv > 0:
            spread += lam**2 / ess_sv
        inverse_ess += weight * weight * float(np.mean(spread))
        for source, part in (("online", 1 - lam), ("survey", lam)):
            at, w = found[source][0], found[source][1]
            speaking = (w * d[at]).sum()
            if speaking > 0 and np.any(part > 0):
                np.add.at(units, at, np.outer(w, part) * weight / speaking)
    carry = pd.DataFrame(rows)
    if total_weight <= 0:
        return BlendResult(np.full(k, np.nan), carry, 0.0, units)
    ess = total_weight * total_weight / inverse_ess if inverse_ess > 0 else 0.0
    return BlendResult(estimate / total_weight, carry, ess, units)


def unit_ratio(units: np.ndarray, yv: np.ndarray, d: np.ndarray, inside: np.ndarray | None = None) -> np.ndarray:
    """Per topic ``sum u y / sum u d`` over the voices ``inside`` (all by default), with
    ``units`` (n, k) from :class:`BlendResult`; NaN where nobody inside raises a concern."""
    u = units if inside is None else units * inside[:, None]
    denominator = (u * d[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (u * yv).sum(axis=0) / denominator, np.nan)
