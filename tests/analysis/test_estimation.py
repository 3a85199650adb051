"""Estimation beyond the R reference numbers: design handling, domains, intervals."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.estimation import (
    DesignError,
    SurveyDesign,
    korn_graubard,
    mean,
    means,
    proportion,
    summarise,
    total,
    wilson,
)
from analysis.weighting import Auxiliary, Factor, rake


def test_fpc_as_fraction_or_population_size_agree(apistrat):
    by_size = SurveyDesign.build(apistrat["pw"].to_numpy(), strata=apistrat["stype"], fpc=[apistrat["fpc"]])
    fraction = apistrat.groupby("stype")["stype"].transform("size") / apistrat["fpc"]
    by_fraction = SurveyDesign.build(apistrat["pw"].to_numpy(), strata=apistrat["stype"], fpc=[fraction])
    assert mean(by_size, apistrat["api00"]).se == pytest.approx(mean(by_fraction, apistrat["api00"]).se, rel=1e-12)


def test_domain_estimate_keeps_rows_outside_the_domain(dclus1, apiclus1):
    """Dropping the rows outside a domain before the variance gives a different
    (wrong) standard error: the domain's sample size is random."""
    domain = (apiclus1["stype"] == "H").to_numpy()
    kept = mean(dclus1, apiclus1["api00"], domain=domain)
    dropped = SurveyDesign.build(apiclus1["pw"].to_numpy()[domain], ids=[apiclus1["dnum"][domain]], fpc=[apiclus1["fpc"][domain]])
    assert kept.value == pytest.approx(mean(dropped, apiclus1["api00"][domain]).value)
    assert kept.se != pytest.approx(mean(dropped, apiclus1["api00"][domain]).se, rel=1e-3)


def test_missing_answers_are_a_domain(dstrat, apistrat):
    y = apistrat["api00"].to_numpy(dtype=float).copy()
    y[::7] = np.nan
    as_missing = mean(dstrat, y)
    as_domain = mean(dstrat, np.nan_to_num(y), domain=~np.isnan(y))
    assert as_missing.value == pytest.approx(as_domain.value)
    assert as_missing.se == pytest.approx(as_domain.se)
    assert as_missing.n == int((~np.isnan(y)).sum())


def test_covariance_diagonal_is_the_variance(dclus1, apiclus1):
    values = apiclus1[["api00", "api99", "enroll"]].to_numpy(dtype=float)
    lin = means(dclus1.weights, values, np.ones_like(values, dtype=bool))
    np.testing.assert_allclose(np.diag(dclus1.covariance(lin.influence)), dclus1.variance(lin.influence))


def test_lonely_psu_fails_unless_told(apistrat):
    rows = np.r_[0, np.flatnonzero(apistrat["stype"] != apistrat["stype"].iloc[0])]
    sub = apistrat.iloc[rows]
    with pytest.raises(DesignError, match="only one PSU"):
        mean(SurveyDesign.build(sub["pw"].to_numpy(), strata=sub["stype"]), sub["api00"])
    removed = mean(SurveyDesign.build(sub["pw"].to_numpy(), strata=sub["stype"], lonely_psu="remove"), sub["api00"])
    adjusted = mean(SurveyDesign.build(sub["pw"].to_numpy(), strata=sub["stype"], lonely_psu="adjust"), sub["api00"])
    assert adjusted.se > removed.se > 0


def test_calibration_residuals_shrink_the_se_of_a_calibration_variable(apiclus1):
    """The total of a raking variable is known exactly after raking: its SE is 0."""
    aux = Auxiliary((Factor.from_values("stype", apiclus1["stype"], ["E", "H", "M"]),))
    result = rake(aux, apiclus1["pw"].to_numpy(), np.array([4421.0, 755.0, 1018.0]))
    design = SurveyDesign.build(result.weights, ids=[apiclus1["dnum"]], fpc=[apiclus1["fpc"]], calibration=result.calibration)
    est = total(design, (apiclus1["stype"] == "E").astype(float))
    assert est.value == pytest.approx(4421.0)
    assert est.se < 1e-6


def test_degrees_of_freedom_count_psus_with_data(dclus1, apiclus1):
    assert dclus1.degrees_of_freedom() == 14
    in_three = apiclus1["dnum"].isin(apiclus1["dnum"].unique()[:3]).to_numpy()
    assert dclus1.degrees_of_freedom(in_three) == 2
    est = mean(dclus1, apiclus1["api00"], domain=in_three)
    assert est.df == 2


def test_proportion_intervals_at_the_edges():
    design = SurveyDesign.build(np.ones(30))
    est = proportion(design, np.zeros(30), [1])
    assert est.value == 0 and est.se == 0
    low, high = est.confint("korn-graubard")
    assert low == 0 and 0.05 < high < 0.2
    low, high = est.confint("wilson")
    assert low == 0 and 0 < high < 0.2
    assert korn_graubard(1.0, 0.0, 29, 30)[1] == 1.0
    assert wilson(0.5, 0.1, np.inf, 25)[0] < 0.5


def test_undefined_estimate_has_no_standard_error():
    design = SurveyDesign.build(np.ones(5))
    est = mean(design, np.full(5, np.nan))
    assert np.isnan(est.value) and np.isnan(est.se) and est.n == 0


def test_summarise_reports_kish_n_eff(dstrat, apistrat):
    est = summarise(dstrat, means(dstrat.weights, apistrat[["api00"]].to_numpy(float), np.ones((len(apistrat), 1), bool)))[0]
    w = apistrat["pw"].to_numpy()
    assert est.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum())
