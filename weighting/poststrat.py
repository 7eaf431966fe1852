"""Post-stratification: scale each cell of the weighting variables to its joint target.

The cells are the combinations of all weighting variables together, so the margins
must carry (or allow summing to) a joint table over them. Each sample unit's weight is
its base weight times target(cell) / base total(cell).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from weighting._collapse import collapse_cells
from weighting._sample import base_weights as _base_weights
from weighting._sample import encode, resolve_variables, show
from weighting.diagnostics import weight_summary
from weighting.errors import WeightingError
from weighting.margins import JOINT_SEP, Margins, zero_target_error, zero_target_rows
from weighting.result import WeightingResult

logger = logging.getLogger(__name__)


def poststratify(
    sample: pd.DataFrame,
    margins: Margins,
    *,
    variables: Sequence[str] | None = None,
    base_weights: pd.Series | str | None = None,
    min_cell_size: int = 1,
    collapse: str | None = None,
) -> WeightingResult:
    """Weight ``sample`` to the joint targets of ``variables`` (default: the margins' variables).

    Weights sum to the population total when the margins carry counts, else to the
    sample size. A cell with a target but fewer than ``min_cell_size`` sample units is
    an error that names it, unless ``collapse`` names the variable whose adjacent
    levels may be merged (see :mod:`weighting._collapse` for the rule); every merge is
    listed in the result's ``collapsed``.
    """
    dims = resolve_variables(sample, margins, variables)
    columns = [c for dim in dims for c in dim.split(JOINT_SEP)]
    if len(set(columns)) != len(columns):
        raise WeightingError(
            f"variables {', '.join(dims)} name a column twice; post-stratify on each column once"
        )
    base = _base_weights(sample, base_weights)
    scale = margins.total if margins.total is not None else float(len(sample))
    joint = margins.joint(columns)
    if isinstance(joint.index, pd.MultiIndex):
        joint.index = pd.Index(
            [JOINT_SEP.join(map(str, key)) for key in joint.index], dtype=object
        )
    else:
        joint.index = joint.index.map(str)
    cell_name = JOINT_SEP.join(columns)
    codes, shares = encode(sample, cell_name, joint, base, margins, allow_empty=collapse is not None)
    zero = zero_target_rows(cell_name, codes, [str(level) for level in joint.index], shares, base)
    if zero:
        raise zero_target_error(
            margins.source, zero, sample.index, "rake(on_zero_target='drop'), or remove them before post-stratifying"
        )

    counts = np.bincount(codes, minlength=len(shares))
    collapsed: list[str] = []
    if collapse is not None:
        merged, collapsed = collapse_cells(
            [str(lv) for lv in joint.index], columns, counts, shares, collapse, min_cell_size
        )
        for line in collapsed:
            logger.info("collapsed cells: %s", line)
        _, dense = np.unique(merged, return_inverse=True)
        codes = dense.reshape(-1)[codes]
        shares = np.bincount(dense.reshape(-1), weights=shares)
        counts = np.bincount(codes, minlength=len(shares))
        joint = pd.Series(shares, index=pd.Index(
            [str(joint.index[np.flatnonzero(dense.reshape(-1) == k)[0]]) for k in range(len(shares))],
            dtype=object))
    sparse = [
        (str(lv), int(c))
        for lv, c, s in zip(joint.index, counts, shares, strict=True)
        if s > 0 and c < min_cell_size
    ]
    if sparse:
        raise WeightingError(
            f"{cell_name!r}: cell(s) with fewer than {min_cell_size} sample units: "
            f"{show([f'{lv} (n={c})' for lv, c in sparse])}; collapsing sparse cells is not "
            "done unless asked: pass collapse=<variable> to merge adjacent levels of it, "
            "post-stratify on fewer variables, or use raking"
        )
    cell_base = np.bincount(codes, weights=base, minlength=len(shares))
    factor = np.divide(shares * scale, cell_base, out=np.zeros_like(shares), where=cell_base > 0)
    weights = pd.Series(base * factor[codes], index=sample.index, name="weight")
    diagnostics = weight_summary(weights.to_numpy())
    diagnostics.update({"cells": int((counts > 0).sum()), "min_cell_size": int(counts[counts > 0].min()),
                        "collapses": len(collapsed)})
    logger.info("post-stratified %d rows into %d cells", len(sample), int((counts > 0).sum()))
    return WeightingResult(
        weights=weights,
        method="poststrat",
        converged=True,
        iterations=1,
        diagnostics=diagnostics,
        collapsed=collapsed,
        variables=(cell_name,),
        cell_codes=[codes] if collapse is not None else None,
    )
