"""Weighting: base weights, post-stratification, raking, calibration, trimming.

Every method is a pure function of the sample's auxiliary design
(:class:`Auxiliary`), the base weights and the targets, and returns a
:class:`WeightingResult`.
"""

from analysis.weighting.auxiliary import Auxiliary, Calibration, Factor
from analysis.weighting.calibrate import DISTANCES, calibrate
from analysis.weighting.margins import MarginError, design_from_margins
from analysis.weighting.poststratify import poststratify
from analysis.weighting.rake import rake
from analysis.weighting.result import (
    WeightingResult,
    base_weights,
    kish_deff,
    kish_effective_n,
)
from analysis.weighting.trim import trim

__all__ = [
    "DISTANCES",
    "Auxiliary",
    "Calibration",
    "Factor",
    "MarginError",
    "WeightingResult",
    "base_weights",
    "calibrate",
    "design_from_margins",
    "kish_deff",
    "kish_effective_n",
    "poststratify",
    "rake",
    "trim",
]
