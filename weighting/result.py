"""The one result type every weighting method returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class WeightingResult:
    """Weights plus what a reader needs to trust them.

    ``weights`` is indexed like the sample. ``variables`` lists the weighting
    dimensions (a column, or a joint ``a*b``) so that variance estimation can remove
    the part of the variance the weighting explains; ``method`` says how they were used
    (``poststrat``: one joint cell; ``rake``: each dimension as a margin).
    ``cell_codes``, when set, are the cells actually used (one code array per
    dimension, by row position), for instance after sparse cells were collapsed.
    ``collapsed`` lists, in words, every merge of cells.
    """

    weights: pd.Series
    method: str
    converged: bool = True
    iterations: int = 0
    diagnostics: dict[str, Any] = field(default_factory=dict)
    collapsed: list[str] = field(default_factory=list)
    variables: tuple[str, ...] = ()
    cell_codes: list[np.ndarray] | None = None
