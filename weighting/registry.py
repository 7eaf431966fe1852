"""Weighting methods by name, so that callers (the CLI, reports) can pick one by string
and users can plug in their own function with the same signature."""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from weighting.calibrate import calibrate
from weighting.errors import WeightingError
from weighting.poststrat import poststratify
from weighting.pseudo import pseudo
from weighting.rake import rake
from weighting.result import WeightingResult

WeightingMethod = Callable[..., WeightingResult]

METHODS: dict[str, WeightingMethod] = {
    "rake": rake,
    "poststrat": poststratify,
    "calibrate": calibrate,
    "pseudo": pseudo,
}
# Methods whose second argument is a Margins table (pseudo takes a ReferenceSample).
MARGIN_METHODS: tuple[str, ...] = ("calibrate", "poststrat", "rake")

_REQUIRED_KEYWORDS = ("variables", "base_weights")


def get_method(name_or_callable: str | WeightingMethod) -> WeightingMethod:
    """The method registered under a name, or a user callable after checking that it
    takes ``(sample, margins, *, variables=..., base_weights=...)``."""
    if isinstance(name_or_callable, str):
        try:
            return METHODS[name_or_callable]
        except KeyError:
            raise WeightingError(
                f"unknown weighting method {name_or_callable!r}; known methods are: "
                f"{', '.join(sorted(METHODS))}"
            ) from None
    if not callable(name_or_callable):
        raise WeightingError(
            f"a weighting method must be a name ({', '.join(sorted(METHODS))}) or a callable, "
            f"not {type(name_or_callable).__name__}"
        )
    _check_signature(name_or_callable)
    return name_or_callable


def _check_signature(func: Callable[..., Any]) -> None:
    name = getattr(func, "__name__", repr(func))
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return  # builtins and some C callables have no signature to inspect
    params = list(signature.parameters.values())
    has_var_kw = any(p.kind is p.VAR_KEYWORD for p in params)
    positional = [
        p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    has_var_pos = any(p.kind is p.VAR_POSITIONAL for p in params)
    if len(positional) < 2 and not has_var_pos:
        raise WeightingError(
            f"weighting method {name} must take (sample, margins) as its first two arguments"
        )
    missing = [k for k in _REQUIRED_KEYWORDS if k not in signature.parameters and not has_var_kw]
    if missing:
        raise WeightingError(
            f"weighting method {name} lacks the keyword argument(s) {', '.join(missing)}; "
            "use the signature (sample, margins, *, variables=None, base_weights=None)"
        )
