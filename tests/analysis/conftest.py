"""Fixtures for the analysis tests: the R ``survey`` api samples and designs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.estimation import SurveyDesign

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="session")
def apistrat() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "apistrat.csv")


@pytest.fixture(scope="session")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "apiclus1.csv")


@pytest.fixture(scope="session")
def apiclus2() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "apiclus2.csv")


@pytest.fixture(scope="session")
def dstrat(apistrat: pd.DataFrame) -> SurveyDesign:
    """``svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)``."""
    return SurveyDesign.build(apistrat["pw"].to_numpy(), strata=apistrat["stype"], fpc=[apistrat["fpc"]])


@pytest.fixture(scope="session")
def dclus1(apiclus1: pd.DataFrame) -> SurveyDesign:
    """``svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)``."""
    return SurveyDesign.build(apiclus1["pw"].to_numpy(), ids=[apiclus1["dnum"]], fpc=[apiclus1["fpc"]])
