"""Side by side with R's survey package on fresh synthetic data (skipped without R)."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from analysis.estimation import SurveyDesign, mean, proportion
from analysis.weighting import Auxiliary, Factor, calibrate, rake

RSCRIPT = shutil.which("Rscript")
pytestmark = pytest.mark.skipif(RSCRIPT is None, reason="Rscript not installed")

R_CODE = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d$unit <- factor(d$unit); d$sex <- factor(d$sex); d$stratum <- factor(d$stratum)
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
# calibrate(calfun = "raking") takes the residuals from the regression weighted by the
# base weights (Deville and Sarndal 1992); rake() backfits unweighted cell means, which
# only coincides with it when base weights are equal within cells.
raked <- calibrate(des, ~unit + sex, c(`(Intercept)` = 10000, unitB = 2000, unitC = 1500, unitD = 3500, sex2 = 5200),
                   calfun = "raking", epsilon = 1e-12, maxit = 100)
m <- svymean(~y1 + y2, raked)
dom <- svyby(~y1, ~sex, raked, svymean)
pop <- c(`(Intercept)` = 10000, unitB = 2000, unitC = 1500, unitD = 3500, x = 10000 * 52)
lg <- calibrate(des, ~unit + x, pop, calfun = "logit", bounds = c(0.5, 2), epsilon = 1e-12, maxit = 100)
ml <- svymean(~y1, lg)
p <- svyciprop(~I(y2 >= 4), raked, method = "beta")
out <- list(
  raked_w = as.vector(weights(raked)), mean = as.vector(coef(m)), se = as.vector(SE(m)),
  dom_mean = as.vector(coef(dom)), dom_se = as.vector(SE(dom)),
  logit_w = as.vector(weights(lg)), logit_mean = as.vector(coef(ml)), logit_se = as.vector(SE(ml)),
  p = as.vector(p), p_ci = as.vector(attr(p, "ci"))
)
# JSON by hand: jsonlite is not part of r-cran-survey's dependencies
values <- sapply(out, function(v) paste(sprintf("%.15g", v), collapse = ","))
cat("{", paste(sprintf('"%s":[%s]', names(out), values), collapse = ","), "}", sep = "")
"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    rng = np.random.default_rng(2024)
    n = 600
    frame = pd.DataFrame(
        {
            "stratum": rng.integers(0, 3, n),
            "unit": rng.choice(list("ABCD"), n, p=[0.4, 0.2, 0.2, 0.2]),
            "sex": rng.choice(["1", "2"], n, p=[0.6, 0.4]),
            "x": rng.normal(50, 8, n).round(1),
            "w": rng.uniform(5, 30, n).round(3),
        }
    )
    frame["psu"] = frame["stratum"] * 100 + rng.integers(0, 12, n)
    frame["y1"] = (3 + 0.02 * frame["x"] + (frame["unit"] == "B") * 0.4 + rng.normal(0, 0.8, n)).clip(1, 5).round()
    frame["y2"] = (3.4 + (frame["sex"] == "2") * 0.5 + rng.normal(0, 0.9, n)).clip(1, 5).round()
    path = tmp_path_factory.mktemp("r") / "synthetic.csv"
    frame.to_csv(path, index=False)
    result = subprocess.run([RSCRIPT, "-e", R_CODE, str(path)], capture_output=True, text=True, timeout=120)
    if result.returncode != 0 and "there is no package called" in result.stderr:
        pytest.skip("R's survey package is not installed")
    assert result.returncode == 0, result.stderr
    return frame, json.loads(result.stdout)


def test_raking_and_calibrated_ses_match_r(synthetic):
    frame, r = synthetic
    aux = Auxiliary((Factor.from_values("unit", frame["unit"], "ABCD"), Factor.from_values("sex", frame["sex"], ["1", "2"])))
    result = rake(aux, frame["w"].to_numpy(), np.array([3000, 2000, 1500, 3500, 4800, 5200.0]), tol=1e-12, max_iter=500)
    np.testing.assert_allclose(result.weights, r["raked_w"], rtol=1e-8)
    design = SurveyDesign.build(result.weights, strata=frame["stratum"], ids=[frame["psu"]], calibration=result.calibration)
    for j, item in enumerate(("y1", "y2")):
        est = mean(design, frame[item])
        assert est.value == pytest.approx(r["mean"][j], rel=1e-10)
        assert est.se == pytest.approx(r["se"][j], rel=1e-8)
    for j, sex in enumerate(["1", "2"]):
        est = mean(design, frame["y1"], domain=(frame["sex"] == sex).to_numpy())
        assert est.value == pytest.approx(r["dom_mean"][j], rel=1e-10)
        assert est.se == pytest.approx(r["dom_se"][j], rel=1e-8)
    share = proportion(design, frame["y2"], [4, 5])
    assert share.value == pytest.approx(r["p"][0], rel=1e-10)
    np.testing.assert_allclose(share.confint("korn-graubard"), r["p_ci"], rtol=1e-8)


def test_logit_calibration_matches_r(synthetic):
    frame, r = synthetic
    aux = Auxiliary(
        (Factor.from_values("unit", frame["unit"], "ABCD"),),
        numeric=frame[["x"]].to_numpy(dtype=float),
        numeric_names=("x",),
    )
    targets = np.array([3000, 2000, 1500, 3500, 10000 * 52.0])
    result = calibrate(aux, frame["w"].to_numpy(), targets, distance="logit", bounds=(0.5, 2.0), tol=1e-12)
    assert result.converged
    np.testing.assert_allclose(result.weights, r["logit_w"], rtol=1e-8)
    design = SurveyDesign.build(result.weights, strata=frame["stratum"], ids=[frame["psu"]], calibration=result.calibration)
    est = mean(design, frame["y1"])
    assert est.value == pytest.approx(r["logit_mean"][0], rel=1e-10)
    assert est.se == pytest.approx(r["logit_se"][0], rel=1e-8)
