"""Indices built on the estimates: satisfaction (SIPAS) trees, the PAR survey
component, rankings with plausible-rank intervals, data-quality flags."""

from analysis.indices.indicators import Catalogue, Component, Data, Indicator, Row, Term, estimate
from analysis.indices.par import add_par
from analysis.indices.quality import QualityFlags, QualityRules, quality_flags
from analysis.indices.ranking import RankedUnit, plausible_ranks
from analysis.indices.satisfaction import add_items, add_satisfaction
from analysis.indices.scheme import (
    Criterion,
    ItemIndicator,
    Node,
    ParScheme,
    SatisfactionScheme,
    SchemeError,
    parse_scheme,
)
from analysis.indices.scheme_files import load_scheme

__all__ = [
    "Catalogue",
    "Component",
    "Criterion",
    "Data",
    "Indicator",
    "ItemIndicator",
    "Node",
    "ParScheme",
    "QualityFlags",
    "QualityRules",
    "RankedUnit",
    "Row",
    "SatisfactionScheme",
    "SchemeError",
    "Term",
    "add_items",
    "add_par",
    "add_satisfaction",
    "estimate",
    "load_scheme",
    "parse_scheme",
    "plausible_ranks",
    "quality_flags",
]
