"""Design-based estimation: Taylor-linearised variances for stratified,
clustered, calibrated designs; intervals; design effects; reliability."""

from analysis.estimation.design import LONELY_PSU, DesignError, Stage, SurveyDesign
from analysis.estimation.estimators import (
    Estimate,
    Linearized,
    mean,
    means,
    proportion,
    ratio,
    ratios,
    summarise,
    total,
    totals,
)
from analysis.estimation.intervals import INTERVALS, interval, korn_graubard, logit_interval, wilson
from analysis.estimation.reliability import cronbach_alpha

__all__ = [
    "INTERVALS",
    "LONELY_PSU",
    "DesignError",
    "Estimate",
    "Linearized",
    "Stage",
    "SurveyDesign",
    "cronbach_alpha",
    "interval",
    "korn_graubard",
    "logit_interval",
    "mean",
    "means",
    "proportion",
    "ratio",
    "ratios",
    "summarise",
    "total",
    "totals",
    "wilson",
]
