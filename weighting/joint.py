"""Joint population shares that the margins do not give, estimated from the tables they do give.

County tables often give each variable on its own (age, sex, urban/rural, township),
while the blend, MRP and the visit plan need shares over combinations (age group x
urban/rural). When the margins lack a table over such a combination, it is estimated by
raking (iterative proportional fitting, Deming & Stephan 1940) a seed table over the
combination to every table the margins give over part of it (each one-way table, and any
joint table over some of the variables):

- with survey respondents: the seed is their design-weighted table over the combination,
  so the result is the survey raked to the margins; its sampling error is carried by
  re-estimating the table within each bootstrap replicate from that replicate's weights.
  Each cell of the seed also gets half a pseudo-respondent on average, spread in
  proportion to the independence table (a Jeffreys-style prior), so that a cell no
  respondent falls in keeps a small share rather than none;
- without respondents: the seed is flat, and raking a flat table gives the product of the
  margins: the variables are taken as independent (given any joint tables that are
  given), which is an assumption, and :class:`JointSource` says so.

Tables the margins give are always used as given.
"""
from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from weighting.errors import WeightingError
from weighting.margins import JOINT_SEP, Margins

__all__ = ["JointMargins", "JointSource", "complete_joint", "estimate_joint", "joint_sources"]

log = logging.getLogger(__name__)

PRIOR = 0.5  # pseudo-respondents per cell, on average
GIVEN, SURVEY, INDEPENDENCE = "given", "survey", "independence"


@dataclass(frozen=True)
class JointSource:
    """Where the shares over one combination of variables come from.

    ``method`` is ``given`` (a table of the margins), ``survey`` (respondents raked to the
    margins) or ``independence`` (no respondents: the product of the margins); ``basis``
    names the tables of the margins it was raked to; ``respondents`` is how many
    respondents with every variable known made the seed (0 for given and independence).
    """

    variable: str
    method: str
    basis: tuple[str, ...] = ()
    respondents: int = 0

    def describe(self) -> str:
        """One line for people: which table, and given or estimated from what."""
        over = " x ".join(self.variable.split(JOINT_SEP))
        tables = ", ".join(self.basis)
        if self.method == GIVEN:
            return f"{over}: given by the margins (table {tables})"
        if self.method == SURVEY:
            return (f"{over}: not in the margins; estimated by raking {self.respondents} survey respondents "
                    f"(design weights) to the margins' tables {tables}")
        return (f"{over}: not in the margins and no survey respondents; taken as the product of the margins' "
                f"tables {tables} (the variables assumed independent)")


@dataclass(frozen=True)
class JointMargins(Margins):
    """Margins plus joint tables estimated by :func:`complete_joint`; ``joints`` records, for
    every combination completed, whether its table was given or estimated and from what."""

    joints: tuple[JointSource, ...] = field(default=())

    @property
    def estimated(self) -> tuple[str, ...]:
        """The joint tables that were estimated, not given."""
        return tuple(j.variable for j in self.joints if j.method != GIVEN)


def joint_sources(margins: Margins) -> tuple[JointSource, ...]:
    """What :func:`complete_joint` recorded; empty for plain margins."""
    return margins.joints if isinstance(margins, JointMargins) else ()


def _given(margins: Margins) -> Margins:
    """``margins`` without the tables estimated earlier (those are re-estimated, never used as given)."""
    if not isinstance(margins, JointMargins) or not margins.estimated:
        return margins
    tables = {k: v for k, v in margins.tables.items() if k not in margins.estimated}
    counts = {k: v for k, v in margins.counts.items() if k not in margins.estimated}
    return _with(margins, tables, counts, ())


def _with(margins: Margins, tables: dict[str, pd.Series], counts: dict[str, bool],
          joints: tuple[JointSource, ...]) -> JointMargins:
    values = {f.name: getattr(margins, f.name) for f in fields(Margins) if f.init}
    values.update(tables=tables, counts=counts)
    return JointMargins(**values, joints=joints)


def _basis(margins: Margins, variables: Sequence[str]) -> list[list[str]]:
    """The parts of ``variables`` the margins give a table over, widest first, none inside another."""
    parts: list[list[str]] = []
    for name in margins.tables:
        inside = [v for v in variables if v in name.split(JOINT_SEP)]
        if inside and inside not in parts:
            parts.append(inside)
    parts.sort(key=len, reverse=True)
    return [p for i, p in enumerate(parts) if not any(set(p) < set(q) for q in parts[:i])]


def _array(shares: pd.Series, axes: list[list[str]]) -> np.ndarray:
    """``shares`` (a plain or multi index) as an array over ``axes``' levels, 0 where absent."""
    keys = [k if isinstance(k, tuple) else (k,) for k in shares.index]
    lookup = {tuple(map(str, k)): float(v) for k, v in zip(keys, shares.to_numpy(), strict=True)}
    out = np.zeros([len(a) for a in axes])
    for position in itertools.product(*(range(len(a)) for a in axes)):
        out[position] = lookup.get(tuple(a[i] for a, i in zip(axes, position, strict=True)), 0.0)
    return out


def estimate_joint(
    margins: Margins,
    variables: Sequence[str],
    sample: pd.DataFrame | None = None,
    base_weights: pd.Series | np.ndarray | None = None,
    *,
    prior: float = PRIOR,
    max_iter: int = 1000,
    tol: float = 1e-10,
) -> tuple[pd.Series, JointSource]:
    """Shares over the combinations of ``variables`` (index: levels joined by ``*``), raked to
    the tables of ``margins`` over parts of them, and where they came from.

    ``sample``: respondents with a column per variable (rows with a level the margins do
    not list, or ``unknown``, are left out) and ``base_weights`` their design weights
    (default 1); without rows the variables are taken as independent (see the module
    docstring). The margins' own table over ``variables`` is never consulted: use
    :func:`complete_joint`, which uses it when there is one.

    Raises:
        WeightingError: a variable has no table in the margins, or the weights are negative.
    """
    wanted = list(variables)
    levels = [[str(lv) for lv in margins.shares(v).index] for v in wanted]
    one_way = [margins.shares(v).to_numpy(dtype=float) for v in wanted]
    independence = one_way[0]
    for shares in one_way[1:]:
        independence = np.multiply.outer(independence, shares)
    seed = independence.copy()
    respondents = 0
    if sample is not None and len(sample):
        weights = np.ones(len(sample)) if base_weights is None else np.asarray(base_weights, dtype=float)
        if weights.shape != (len(sample),) or not np.isfinite(weights).all() or (weights < 0).any():
            raise WeightingError("joint estimate: base weights must be one finite, non-negative number per sample row")
        codes = []
        inside = weights > 0
        for variable, names in zip(wanted, levels, strict=True):
            code = pd.Index(names).get_indexer(sample[variable].astype(str))  # -1: not a level of the margins
            codes.append(code)
            inside &= code >= 0
        respondents = int(inside.sum())
        if respondents:
            table = np.zeros(seed.shape)
            np.add.at(table, tuple(c[inside] for c in codes), weights[inside])
            seed = respondents * table / table.sum() + prior * seed.size * independence
    basis = _basis(margins, wanted)
    targets = [(tuple(wanted.index(v) for v in part), _array(margins.joint(part), [levels[wanted.index(v)] for v in part]))
               for part in basis]
    fitted = seed / seed.sum()
    for _ in range(max_iter):
        worst = 0.0
        for axes, target in targets:
            others = tuple(i for i in range(fitted.ndim) if i not in axes)
            current = fitted.sum(axis=others) if others else fitted
            # a part lists its variables in the order of ``variables``: the target's axes are in order
            worst = max(worst, float(np.abs(current - target).max()))
            ratio = np.divide(target, current, out=np.zeros_like(current), where=current > 0)
            fitted = fitted * np.expand_dims(ratio, others) if others else fitted * ratio
        if worst < tol:
            break
    else:
        log.warning("joint estimate of %s: raking stopped after %d sweeps, %.2g from the margins",
                    JOINT_SEP.join(wanted), max_iter, worst)
    fitted = fitted / fitted.sum()
    index = [JOINT_SEP.join(combo) for combo in itertools.product(*levels)]
    name = JOINT_SEP.join(wanted)
    shares = pd.Series(fitted.reshape(-1), index=pd.Index(index, dtype=object, name=name), name=name)
    source = JointSource(name, SURVEY if respondents else INDEPENDENCE,
                         tuple(JOINT_SEP.join(p) for p in basis), respondents)
    return shares, source


def complete_joint(
    margins: Margins,
    variables: Sequence[str],
    sample: pd.DataFrame | None = None,
    base_weights: pd.Series | np.ndarray | None = None,
) -> Margins:
    """``margins`` with a table over the combination of ``variables``: the margins' own when
    they give one, else one estimated by :func:`estimate_joint` from ``sample`` (survey
    respondents, ``base_weights`` their design weights) and added as shares.

    The result is a :class:`JointMargins` whose ``joints`` say, for this combination (and
    any completed before), whether the table was given or estimated and from what. A table
    estimated earlier is estimated again from the new sample (as each bootstrap replicate
    needs), never taken as given. One variable needs no joint: ``margins`` comes back as it is.
    """
    wanted = list(variables)
    if len(wanted) < 2:
        return margins
    name = JOINT_SEP.join(wanted)
    earlier = tuple(j for j in joint_sources(margins) if j.variable != name)
    tables = {k: v for k, v in margins.tables.items() if k != name or k not in _estimated(margins)}
    counts = {k: v for k, v in margins.counts.items() if k in tables}
    given = _given(margins)
    try:
        given.joint(wanted)
    except WeightingError:
        shares, source = estimate_joint(given, wanted, sample, base_weights)
        tables[name], counts[name] = shares, False
        return _with(margins, tables, counts, (*earlier, source))
    covering = next((t for t in sorted(given.tables, key=lambda n: n.count(JOINT_SEP))
                     if set(wanted) <= set(t.split(JOINT_SEP))), name)
    return _with(margins, tables, counts, (*earlier, JointSource(name, GIVEN, (covering,))))


def _estimated(margins: Margins) -> tuple[str, ...]:
    return margins.estimated if isinstance(margins, JointMargins) else ()
