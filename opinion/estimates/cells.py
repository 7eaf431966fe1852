"""Raw and raked estimates of online voices from cell-level sufficient statistics.

Raking only ever sees cell totals (the iteration runs on the observed cells: see
:mod:`weighting.rake`), and each voice's raked weight is its base weight times its
cell's factor. So the ``raw`` and ``rake`` estimates of
:func:`opinion.estimates.methods.point_estimates`, their counts and their effective
sample sizes follow from a handful of sums per cell, whatever the number of voices:

* ``base``: the sum of base weights (bootstrap multipliers; 1 for a plain count);
* ``speaking``: the sum of base weights times "raises at least one concern" (``has_any``);
* ``topics``: per topic, the sum of base weights times the topic indicator;
* ``counted``/``counted_sq``/``counted_n``: sums of base weights, of their squares and
  the number of voices with a positive weight, over the voices that count for the
  effective sample size (``counted``, default ``has_any``).

A cell is a combination of the weighting variables' levels, ``unknown`` included, and
of the voices' topics (column ``_topics``, the 0/1 flags of :func:`opinion.estimates.methods.topic_pattern`).
Voices whose attributes are unknown are split across the cells they could belong to
exactly as :func:`weighting.unknown.allocate_unknown` splits them (in proportion to the
known voices sharing their known attributes and their topics: the shares depend on the
cell only, so splitting a cell's sums splits its voices). Ten million voices make about a hundred
cells; the sums come from :func:`cell_stats` (numpy, ``bincount``) or
:func:`cell_stats_sql` (``GROUP BY`` in the database).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from opinion.attributes import UNKNOWN
from opinion.estimates.design import t_interval
from opinion.estimates.methods import topic_pattern
from weighting import Margins, rake
from weighting.errors import WeightingError
from weighting.unknown import UNKNOWN_METHODS, allocate_unknown

TOPICS = "_topics"  # the cells' column of topic patterns

__all__ = ["CellEstimates", "CellStats", "cell_intervals", "cell_stats", "cell_stats_from_codes", "cell_stats_sql",
           "rake_cells", "raw_cells", "replicate_cells"]


@dataclass
class CellStats:
    """Sufficient statistics of voices by cell; arrays are aligned with the rows of ``cells``."""

    cells: pd.DataFrame  # one row per cell: the level of each weighting variable (UNKNOWN when unknown)
    base: np.ndarray
    speaking: np.ndarray
    topics: np.ndarray  # cells x topics
    counted: np.ndarray
    counted_sq: np.ndarray
    counted_n: np.ndarray
    topic_names: list[str]

    @property
    def variables(self) -> list[str]:
        """The weighting variables (the cells' columns but the topics pattern)."""
        return [str(c) for c in self.cells.columns if c != TOPICS]


@dataclass
class CellEstimates:
    """Estimates of each topic (agenda shares), with the voices counted and their effective size."""

    values: pd.Series  # topic -> estimate
    n: int
    ess: float
    iterations: int = 0
    cells: int = 0


def cell_stats_from_codes(codes: Sequence[np.ndarray], levels: Sequence[Sequence[str]], variables: Sequence[str],
                          y: np.ndarray, has_any: np.ndarray, topic_names: Sequence[str], *,
                          base: np.ndarray | None = None, counted: np.ndarray | None = None) -> CellStats:
    """Cell sums of voices given as integer codes (one array per variable, ``levels[i][code]``).

    ``y`` is voices x topics (0/1 or any numbers), ``has_any`` and ``counted`` one value
    per voice, ``base`` the base weights (default 1). The fast path: one ``bincount``
    per sum, memory of a few arrays of voices' length.
    """
    sizes = tuple(len(lv) for lv in levels)
    flat = np.ravel_multi_index(tuple(np.asarray(c, dtype=np.int64) for c in codes), sizes)
    full = int(np.prod(sizes))
    if full <= 4 * len(flat) + 1024:  # a lookup over the full cross-classification: no sort of the voices
        present = np.bincount(flat, minlength=full)
        observed = np.flatnonzero(present)
        position = np.zeros(full, dtype=np.int64)
        position[observed] = np.arange(len(observed))
        cell = position[flat]
    else:
        observed, cell = np.unique(flat, return_inverse=True)
    k = len(observed)
    b = np.ones(len(flat)) if base is None else np.asarray(base, dtype=float)
    d = np.asarray(has_any, dtype=float)
    dc = d if counted is None else np.asarray(counted, dtype=float)
    weighted_count = b * (dc > 0)

    def total(values: np.ndarray | None) -> np.ndarray:
        return np.bincount(cell, weights=values, minlength=k).astype(float)

    topics = np.column_stack([total(b * np.asarray(y[:, j], dtype=float)) for j in range(y.shape[1])]) \
        if y.shape[1] else np.zeros((k, 0))
    unravelled = np.unravel_index(observed, sizes)
    frame = pd.DataFrame({v: np.asarray(levels[i], dtype=object)[unravelled[i]] for i, v in enumerate(variables)})
    return CellStats(cells=frame, base=total(b), speaking=total(b * d), topics=topics,
                     counted=total(weighted_count), counted_sq=total(b * weighted_count),
                     counted_n=total(((dc > 0) & (b > 0)).astype(float)), topic_names=list(topic_names))


def cell_stats(voices: pd.DataFrame, variables: Sequence[str], y: pd.DataFrame, has_any: pd.Series, *,
               base: pd.Series | None = None, counted: pd.Series | None = None) -> CellStats:
    """Cell sums of a voice-level frame (missing values count as ``unknown``); the cells are
    crossed with the voices' topic patterns."""
    codes, levels = [], []
    columns = [voices[v].astype(object).where(voices[v].notna(), UNKNOWN).astype(str) for v in variables]
    columns.append(pd.Series(topic_pattern(y.to_numpy(dtype=float)), index=voices.index))
    for column in columns:
        code, uniques = pd.factorize(column, sort=True)
        codes.append(code)
        levels.append([str(u) for u in uniques])
    return cell_stats_from_codes(
        codes, levels, [*variables, TOPICS], y.to_numpy(dtype=float), has_any.to_numpy(dtype=float), [str(c) for c in y.columns],
        base=None if base is None else base.to_numpy(dtype=float),
        counted=None if counted is None else counted.to_numpy(dtype=float),
    )


def cell_stats_sql(conn: sa.Connection, source: sa.FromClause, variables: Sequence[str], topics: Sequence[str],
                   has_any: str) -> CellStats:
    """Cell sums computed by the database: one ``GROUP BY`` over ``source`` (a table or subquery).

    ``source`` has one row per voice, the columns ``variables`` (NULL counts as unknown),
    0/1 columns ``topics`` and ``has_any``. Each voice has base weight 1 and counts for
    the effective size when it raises a concern.
    """
    levels = [sa.func.coalesce(source.c[v], UNKNOWN).label(v) for v in variables]
    flags = [sa.cast(sa.case((source.c[t] > 0.5, 1), else_=0), sa.String) for t in topics]
    pattern: sa.ColumnElement[str] = flags[0] if flags else sa.literal("")
    for flag in flags[1:]:
        pattern = pattern.concat(flag)
    levels.append(pattern.label(TOPICS))
    speaking = sa.func.sum(source.c[has_any])
    query = sa.select(*levels, sa.func.count().label("_n"), speaking.label("_d"),
                      *(sa.func.sum(source.c[t]).label(f"_t{i}") for i, t in enumerate(topics)))
    keys = [*(source.c[v] for v in variables), pattern]
    query = query.group_by(*keys).order_by(*keys)
    rows = conn.execute(query).all()
    width = len(variables) + 1
    frame = pd.DataFrame([tuple(str(x) for x in r[:width]) for r in rows], columns=[*variables, TOPICS])
    numbers = np.array([r[width:] for r in rows], dtype=float).reshape(len(rows), 2 + len(topics))
    d = numbers[:, 1]
    return CellStats(cells=frame, base=numbers[:, 0], speaking=d, topics=numbers[:, 2:], counted=d,
                     counted_sq=d, counted_n=d, topic_names=list(topics))


def raw_cells(stats: CellStats) -> CellEstimates:
    """The ``raw`` estimate: unweighted online voices (base weights only)."""
    return _estimates(stats, np.ones(len(stats.base)), iterations=0)


def rake_cells(stats: CellStats, margins: Margins, *, variables: Sequence[str] | None = None,
               unknown: str = "fractional", max_iter: int = 200, tol: float = 1e-10) -> CellEstimates:
    """The ``rake`` estimate from cell sums: the same numbers as ``point_estimates(...)`` gives
    for online voices (up to floating-point rounding), at the cost of the cells alone.

    ``unknown``: ``fractional`` (split as :func:`weighting.unknown.allocate_unknown`) or
    ``exclude`` (cells with an unknown level left out).

    Raises:
        WeightingError: as :func:`weighting.rake` (a level missing from the margins, no
            convergence), or when no cell has a positive base weight.
    """
    if unknown not in UNKNOWN_METHODS:
        raise WeightingError(f"unknown={unknown!r}; expected one of {', '.join(UNKNOWN_METHODS)}")
    dims = list(variables or stats.variables)
    alive = stats.base > 0
    if not alive.any():
        raise WeightingError("no voice with a positive base weight to rake")
    condition = [TOPICS] if TOPICS in stats.cells.columns else []
    frame = stats.cells.loc[alive, dims + condition].reset_index(drop=True)
    frame["_cell"] = np.flatnonzero(alive)
    if unknown == "exclude":
        known = frame[dims].ne(UNKNOWN).all(axis=1)
        parts = frame.loc[known].reset_index(drop=True)
        parts["_base"] = stats.base[parts["_cell"].to_numpy()]
    else:
        parts, _ = allocate_unknown(frame, dims, unknown=UNKNOWN, base_weights=pd.Series(stats.base[alive]),
                                    weight_column="_base", condition=condition)
    if parts.empty:
        raise WeightingError(f"no cell with known {', '.join(dims)} to rake")
    result = rake(parts[dims], margins, variables=dims, base_weights=parts["_base"], max_iter=max_iter, tol=tol)
    part_base = parts["_base"].to_numpy()
    factor = np.divide(result.weights.to_numpy(), part_base, out=np.zeros(len(parts)), where=part_base > 0)
    cell = parts["_cell"].to_numpy()
    share = part_base / stats.base[cell]
    # g: each cell's voices' weight per unit of base weight, summed over the cells they were split into.
    g = np.zeros(len(stats.base))
    np.add.at(g, cell, share * factor)
    return _estimates(stats, g, iterations=result.iterations)


def _estimates(stats: CellStats, g: np.ndarray, iterations: int) -> CellEstimates:
    speaking = float((g * stats.speaking).sum())
    values = (g[:, None] * stats.topics).sum(axis=0) / speaking if speaking > 0 else \
        np.full(len(stats.topic_names), np.nan)
    weighted = float((g * stats.counted).sum())
    squares = float((g * g * stats.counted_sq).sum())
    return CellEstimates(
        values=pd.Series(values, index=stats.topic_names, dtype=float),
        n=int(stats.counted_n[g > 0].sum()),
        ess=weighted * weighted / squares if squares > 0 else 0.0,
        iterations=iterations,
        cells=len(stats.base),
    )


def replicate_cells(stats: CellStats, rng: np.random.Generator) -> CellStats:
    """One bootstrap replicate of the voices behind ``stats``, resampled as units, drawn at
    the cell level.

    Drawing ``n`` voices with replacement from voices of base weight 1 puts
    Multinomial(``n``, count / ``n``) voices in the cells; a cell's voices share their
    attributes and their 0/1 topics (cells are crossed with topic patterns), so each of
    its sums scales with its draw. The replicate therefore has the distribution of
    :func:`opinion.estimates.methods.bootstrap_multipliers` over online voices, at the cost
    of the cells. ``counted_sq`` counts each drawn voice once (a replicate's effective size
    is not used).

    Raises:
        WeightingError: the cells are not crossed with topic patterns (their voices would
            differ in what they said), or the base weights are not whole counts of voices
            (replicates of weighted voices need the voices).
    """
    if TOPICS not in stats.cells.columns:
        raise WeightingError(f"cell-level replicates need cells crossed with topic patterns (column {TOPICS!r})")
    base = np.asarray(stats.base, dtype=float)
    if not np.allclose(base, np.round(base)) or (base < 0).any():
        raise WeightingError("cell-level replicates need plain counts of voices (base weight 1 each)")
    total = int(round(base.sum()))
    drawn = rng.multinomial(total, base / base.sum()).astype(float) if total else np.zeros_like(base)
    scale = np.divide(drawn, base, out=np.zeros_like(base), where=base > 0)
    return CellStats(cells=stats.cells, base=drawn, speaking=stats.speaking * scale,
                     topics=stats.topics * scale[:, None], counted=stats.counted * scale,
                     counted_sq=stats.counted * scale, counted_n=stats.counted_n * scale,
                     topic_names=stats.topic_names)


def cell_intervals(stats: CellStats, margins: Margins, *, replicates: int = 200, seed: int = 20201101,
                   variables: Sequence[str] | None = None, unknown: str = "fractional") -> pd.DataFrame:
    """``raw`` and ``rake`` estimates with 95% intervals from cell sums alone: replicates
    drawn at the cell level (:func:`replicate_cells`), the rake redone in each, Student's t
    at the voices' degrees of freedom (``n - 1``; online voices are one stratum of
    independent units) on the logit scale (:func:`opinion.estimates.design.t_interval`).

    Returns a long table (column, method, estimate, se, df, ci_low, ci_high, n, ess), as
    :func:`opinion.estimates.methods.estimate_with_intervals` gives for these methods.

    Raises:
        WeightingError: as :func:`rake_cells` and :func:`replicate_cells`.
    """
    point = {"raw": raw_cells(stats), "rake": rake_cells(stats, margins, variables=variables, unknown=unknown)}
    rng = np.random.default_rng(seed)
    draws: dict[str, list[np.ndarray]] = {"raw": [], "rake": []}
    for _ in range(replicates):
        replicate = replicate_cells(stats, rng)
        draws["raw"].append(raw_cells(replicate).values.to_numpy())
        try:
            draws["rake"].append(rake_cells(replicate, margins, variables=variables, unknown=unknown).values.to_numpy())
        except WeightingError:
            draws["rake"].append(np.full(len(stats.topic_names), np.nan))
    df = float(max(round(stats.base.sum()) - 1, 1))
    rows = []
    for method, estimate in point.items():
        stacked = np.stack(draws[method]) if draws[method] else np.full((1, len(stats.topic_names)), np.nan)
        ok = np.isfinite(stacked).all(axis=1)
        se = stacked[ok].std(axis=0, ddof=1) if ok.sum() > 1 else np.full(len(stats.topic_names), np.nan)
        for j, topic in enumerate(stats.topic_names):
            value = float(estimate.values.iloc[j])
            low, high = t_interval(value, float(se[j]), df)
            rows.append({"column": topic, "method": method, "estimate": value, "se": float(se[j]), "df": df,
                         "ci_low": low, "ci_high": high, "n": estimate.n, "ess": estimate.ess})
    return pd.DataFrame(rows)

