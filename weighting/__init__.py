"""Weighting: population targets, weighting methods, diagnostics and variance.

Pure pandas/numpy; knows nothing of crawling or text. Every method takes
``(sample, margins, *, variables=None, base_weights=None)`` and returns a
:class:`WeightingResult`.
"""
from __future__ import annotations

from weighting.calibrate import calibrate
from weighting.diagnostics import (
    blind_spots,
    effective_sample_size,
    kish_deff,
    margin_residuals,
    standardised_differences,
    weight_summary,
)
from weighting.errors import ConvergenceError, WeightingError
from weighting.estimate import estimate
from weighting.margins import JOINT_SEP, Margins
from weighting.poststrat import poststratify
from weighting.pseudo import (
    ESTIMATORS,
    PropensityFit,
    ReferenceSample,
    fit_propensity,
    pseudo,
    pseudo_estimate,
    pseudo_means,
)
from weighting.rake import rake
from weighting.registry import MARGIN_METHODS, METHODS, get_method
from weighting.replicates import RakeReweight, rake_bootstrap
from weighting.result import WeightingResult
from weighting.targets import census_areas, census_margins, load_margins
from weighting.unknown import UNKNOWN_METHODS, UnknownReport, allocate_unknown
from weighting.variance import (
    Design,
    calibration_residuals,
    linearized_variance,
    make_design,
    ratio_influence,
    replicate_multipliers,
    replicate_variance,
    replicate_weights,
)

__all__ = [
    "ESTIMATORS",
    "JOINT_SEP",
    "MARGIN_METHODS",
    "METHODS",
    "PropensityFit",
    "RakeReweight",
    "ReferenceSample",
    "UNKNOWN_METHODS",
    "UnknownReport",
    "allocate_unknown",
    "blind_spots",
    "calibrate",
    "census_areas",
    "census_margins",
    "load_margins",
    "fit_propensity",
    "pseudo",
    "pseudo_estimate",
    "pseudo_means",
    "ConvergenceError",
    "Design",
    "Margins",
    "WeightingError",
    "WeightingResult",
    "calibration_residuals",
    "effective_sample_size",
    "estimate",
    "get_method",
    "kish_deff",
    "linearized_variance",
    "make_design",
    "margin_residuals",
    "poststratify",
    "rake",
    "rake_bootstrap",
    "ratio_influence",
    "replicate_multipliers",
    "replicate_variance",
    "replicate_weights",
    "standardised_differences",
    "weight_summary",
]
