"""Weighting errors, usable without the rest of tongxin."""
from __future__ import annotations


class WeightingError(ValueError):
    """Inputs to a weighting method are inconsistent (levels missing from targets, ...).

    ``zh``: the same message in Chinese, for reports written in Chinese, where one is
    written (the errors a report meets on real samples: a group nobody in the sample
    belongs to, a method that does not converge); None otherwise.
    """

    def __init__(self, message: str, *, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh


class ConvergenceError(WeightingError):
    """An iterative method did not reach its tolerance within its iteration limit."""
