"""The sampling design behind the intervals: bootstrap replicates and degrees of freedom.

Two sources, two designs. Online voices are resampled as independent units (one stratum,
each voice its own unit). Survey respondents are resampled by cluster (village) within
their stratum, ``n_h - 1`` clusters drawn with replacement from the ``n_h`` of stratum
``h`` and rescaled by ``n_h / (n_h - 1)`` (the Rao-Wu rescaling bootstrap; Rao & Wu 1988,
JASA 83:231-241). A survey that names no strata is one stratum. Strata with a single
cluster cannot show their own variance: they are pooled into one collapsed stratum (the
collapsed-strata estimator; Wolter 2007, *Introduction to Variance Estimation*, §2.5),
and a lone singleton joins the stratum with the fewest clusters.

Intervals use the replicates' standard error with Student's t at the design's effective
degrees of freedom, not the normal quantile. A survey of two villages in each of ten
townships has at most 10 degrees of freedom; where a few strata carry most of the weight
(the two urban 街道 of a county, each represented by two villages) its variance rests on
those few and has fewer still. The effective degrees of freedom are Satterthwaite's
(1946) for a sum of stratum variances, each with ``n_h - 1`` degrees of freedom, with
the stratum variances taken from the design (the sums of squared weights, as if every
voice had the same variance: Potthoff, Woodbury & Manton 1992, JASA 87:383-396)
rather than from the noisy sample variances (Valliant & Rust 2010, JOS 26:585-602,
compare these approximations). Online voices, each its own unit, add
thousands of degrees of freedom and leave t near 1.96.

A voices frame may collapse online voices that share every attribute and topic into one
row with a ``count`` column (:func:`voice_counts`). Such a row is ``count`` units of
equal weight: the bootstrap draws voices, not rows, and the degrees of freedom count
voices, so every result is that of the frame with each voice on its own row.

The interval is built on the logit scale (Korn & Graubard 1999, *Analysis of Health
Surveys*, §5.2; R survey's ``svyciprop(method = "logit")``), so it stays inside [0, 1]
and is asymmetric near its ends; an estimate at 0 or 1, or outside [0, 1] (a
coder-corrected pseudo-outcome estimate), gets the symmetric t interval.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from opinion.errors import InputError

COLLAPSED = "(collapsed strata)"
ONLINE = "(online)"


def voice_counts(voices: pd.DataFrame) -> np.ndarray:
    """How many identical voices each row of ``voices`` stands for, shape (n,), float: its
    ``count`` column, or 1 for every row when the frame has none.

    Raises:
        InputError: a count that is missing or not a whole number >= 1, or a survey
            respondent's count other than 1 (a respondent carries its own design weight).
    """
    if "count" not in voices.columns:
        return np.ones(len(voices))
    count = pd.to_numeric(voices["count"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(count) | (count < 1) | (count != np.floor(count))
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        value = voices["count"].iloc[at]
        shown = repr(value.item() if isinstance(value, np.generic) else value)
        raise InputError(f"voices row {voices.index[at]}: count {shown} is not a whole "
                         "number >= 1 (the number of identical voices the row stands for)")
    survey = (voices["source"] == "survey").to_numpy() & (count != 1)
    if survey.any():
        at = int(np.flatnonzero(survey)[0])
        raise InputError(f"voices row {voices.index[at]}: a survey respondent has count {count[at]:g}; "
                         "respondents are one row each (count 1), their design weight says whom they stand for")
    return count


def equal_voices(count: np.ndarray, multipliers: np.ndarray | None = None) -> np.ndarray:
    """Over how many voices of equal weight each row's weight is spread, shape (n,), for
    Kish's effective size and linearised variances (a row of weight ``W`` is that many
    voices of weight ``W / size``).

    On the full sample (``multipliers`` None) it is the row's ``count``. In a bootstrap
    replicate a row of ``c`` voices drawn ``M`` times in all has each voice drawn ``m_v``
    times, uniformly, so ``E[sum m_v^2 | M] = M + M (M - 1) / c`` and the row's squared
    weight spreads as over ``M^2 / E[...] = M c / (c + M - 1)`` voices: on average what
    the replicate of the frame with a row per voice gives. It is 1 for a row of one voice
    (and for every respondent), whatever its multiplier.
    """
    count = np.asarray(count, dtype=float)
    if multipliers is None:
        return count
    m = np.asarray(multipliers, dtype=float)
    drawn = m > 0
    size = count.copy()
    size[drawn] = m[drawn] * count[drawn] / (count[drawn] + m[drawn] - 1.0)
    return size


def strata_and_units(voices: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each voice's variance stratum and unit, shapes (n,) and (n,), as strings.

    Online voices: stratum ``(online)``, each voice its own unit. Respondents: the
    survey's ``stratum`` column where it is filled (else one stratum for the whole
    survey), units their ``cluster`` (else the respondent); singleton strata collapsed
    (module docstring)."""
    n = len(voices)
    online = (voices["source"] == "online").to_numpy()
    units = np.array([f"voice {i}" for i in range(n)], dtype=object)
    strata = np.full(n, ONLINE, dtype=object)
    survey = ~online
    if not survey.any():
        return strata, units
    if "cluster" in voices.columns:
        cluster = voices["cluster"].to_numpy(dtype=object)
        named = survey & pd.notna(cluster) & (voices["cluster"].astype(str).str.strip() != "").to_numpy()
        units[named] = [f"cluster {c}" for c in cluster[named]]
    if "stratum" in voices.columns:
        stratum = voices["stratum"].astype(object).where(voices["stratum"].notna(), None).to_numpy(dtype=object)
        strata[survey] = ["survey" if s is None or str(s).strip() == "" else f"stratum {s}" for s in stratum[survey]]
    else:
        strata[survey] = "survey"
    strata[survey] = _collapse_singletons(strata[survey], units[survey])
    return strata, units


def _collapse_singletons(strata: np.ndarray, units: np.ndarray) -> np.ndarray:
    sizes = pd.Series(units).groupby(pd.Series(strata)).nunique()
    single = set(sizes.index[sizes < 2])
    if not single:
        return strata
    out = np.where(np.isin(strata, list(single)), COLLAPSED, strata).astype(object)
    if len(single) == 1 and len(sizes) > 1:
        # one singleton has nobody to pair with: it joins the stratum with the fewest clusters
        host = sizes.drop(list(single)).sort_values(kind="stable").index[0]
        out[out == COLLAPSED] = host
    return out


def bootstrap_multipliers(voices: pd.DataFrame, rng: np.random.Generator,
                          design: tuple[np.ndarray, np.ndarray] | None = None) -> pd.Series:
    """Frequency weights (n,) of one replicate: online voices resampled as units; survey
    clusters resampled within their strata, ``n_h - 1`` of ``n_h`` with replacement and
    rescaled by ``n_h / (n_h - 1)`` (Rao-Wu). A stratum with a single cluster (only when
    the whole survey is one cluster) keeps multiplier 1. ``design``: the result of
    :func:`strata_and_units` for ``voices`` (computed when not given).

    The ``N`` online voices are drawn ``N`` times, each with probability ``1 / N``; a row
    of ``count`` voices (:func:`voice_counts`) is drawn with probability ``count / N``,
    its multiplier the draws of its voices together (the same distribution as drawing
    voice by voice and summing per row). Without a ``count`` column, or with every count
    1, the draws are exactly those of ``multinomial(N, 1/N)`` over the rows, so a seed
    gives the replicates it always gave.

    Raises:
        InputError: a bad ``count`` (see :func:`voice_counts`).
    """
    strata, units = design if design is not None else strata_and_units(voices)
    m = np.zeros(len(voices))
    online = strata == ONLINE
    if online.any():
        count = voice_counts(voices)[online]
        total = float(count.sum())
        m[online] = rng.multinomial(int(total), count / total)
    for stratum in sorted(set(strata[~online])):
        rows = np.flatnonzero(strata == stratum)
        labels, position = np.unique(units[rows], return_inverse=True)
        if len(labels) < 2:
            m[rows] = 1.0
            continue
        counts = rng.multinomial(len(labels) - 1, np.full(len(labels), 1 / len(labels)))
        m[rows] = (counts * len(labels) / (len(labels) - 1))[position]
    return pd.Series(m, index=voices.index)


def effective_df(units_weight: np.ndarray, strata: np.ndarray, units: np.ndarray,
                 y: np.ndarray | None = None, count: np.ndarray | None = None) -> float:
    """Satterthwaite's effective degrees of freedom of a weighted share whose weights are
    ``units_weight`` (n,) (0 for voices it does not count: no concern, another domain).

    Within a source each stratum's variance is taken as the sum of its squared weights
    (every voice the same variance) with ``n_h - 1`` degrees of freedom, ``n_h`` its units
    (module docstring). With ``y`` (n,), the share's outcome, an estimate that draws on
    both sources (the blend) splits its variance between them by linearisation (the
    residuals ``w (y - R) / sum(w)`` summed by unit within stratum) and combines the two
    sources' degrees of freedom by Satterthwaite's rule; without it the design alone
    weighs them. ``count`` (n,): how many identical voices each row stands for
    (:func:`voice_counts`; default 1), a row of ``c`` voices being ``c`` units that share
    its weight equally. ``inf`` when nothing carries weight.
    """
    w = np.asarray(units_weight, dtype=float)
    if not (w != 0).any():
        return float("inf")
    c = np.ones(len(w)) if count is None else np.asarray(count, dtype=float)
    if y is None:
        return _design_df(w, strata, units, c)
    online = strata == ONLINE
    parts = []
    for rows in (online, ~online):
        if not (w[rows] != 0).any():
            continue
        parts.append((_linearised_variance(w, np.asarray(y, dtype=float), strata, units, rows, c),
                      _design_df(w[rows], strata[rows], units[rows], c[rows])))
    total = sum(v for v, _ in parts)
    denominator = sum(v ** 2 / df for v, df in parts if np.isfinite(df) and df > 0)
    if len(parts) < 2 or total <= 0 or denominator <= 0:
        return _design_df(w, strata, units, c) if len(parts) < 2 or total <= 0 else float("inf")
    return float(total ** 2 / denominator)


def _design_df(w: np.ndarray, strata: np.ndarray, units: np.ndarray, count: np.ndarray) -> float:
    # a row of c voices is c units of weight w / c: c (w / c)^2 = w^2 / c
    frame = pd.DataFrame({"stratum": strata, "unit": units, "w2": w ** 2 / count, "count": count})
    per_stratum = frame.groupby("stratum", sort=False)["w2"].sum()
    # every unit of the stratum counts, including those the estimate gives no weight (a domain)
    size = (frame.drop_duplicates(["stratum", "unit"]).groupby("stratum", sort=False)["count"].sum()
            .reindex(per_stratum.index))
    keep = size > 1
    a, dof = per_stratum[keep].to_numpy(), (size[keep] - 1).to_numpy(dtype=float)
    denominator = float(np.sum(a ** 2 / dof))
    return float(np.sum(a) ** 2 / denominator) if denominator > 0 else float("inf")


def _linearised_variance(w: np.ndarray, y: np.ndarray, strata: np.ndarray, units: np.ndarray,
                         rows: np.ndarray, count: np.ndarray) -> float:
    """The part of a weighted share's linearised variance that ``rows`` contribute (their
    strata's between-unit spread of the residual totals; a unit of ``count`` voices is
    that many units, each with an equal part of its total)."""
    share = float(np.sum(w * y) / np.sum(w))
    z = w * (y - share) / np.sum(w)
    frame = pd.DataFrame({"stratum": strata[rows], "unit": units[rows], "z": z[rows], "count": count[rows]})
    per_unit = frame.groupby(["stratum", "unit"], sort=False).agg(z=("z", "sum"), count=("count", "first"))
    variance = 0.0
    for _, part in per_unit.groupby(level=0, sort=False):
        total, size = part["z"].to_numpy(), part["count"].to_numpy()
        n = float(size.sum())
        if n > 1:
            mean = float(total.sum()) / n
            variance += n / (n - 1) * float(np.sum(size * (total / size - mean) ** 2))
    return variance


def t_interval(estimate: float, se: float, df: float) -> tuple[float, float]:
    """The 95% interval of a share from its estimate, standard error and degrees of freedom
    (logit scale inside (0, 1), else symmetric; module docstring). NaN when either is NaN."""
    if not (np.isfinite(estimate) and np.isfinite(se)):
        return float("nan"), float("nan")
    q = float(stats.t.ppf(0.975, max(df, 1.0))) if np.isfinite(df) else float(stats.norm.ppf(0.975))
    if 0.0 < estimate < 1.0 and se > 0:
        centre = np.log(estimate / (1 - estimate))
        half = q * se / (estimate * (1 - estimate))
        return float(1 / (1 + np.exp(-(centre - half)))), float(1 / (1 + np.exp(-(centre + half))))
    return float(estimate - q * se), float(estimate + q * se)
