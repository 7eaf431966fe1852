"""Weighting errors, usable without the rest of tongxin."""
from __future__ import annotations


class WeightingError(ValueError):
    """Inputs to a weighting method are inconsistent (levels missing from targets, ...)."""


class ConvergenceError(WeightingError):
    """An iterative method did not reach its tolerance within its iteration limit."""
