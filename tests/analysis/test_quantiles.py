"""The t and Normal quantiles of the confidence intervals, against R's ``qt``.

``tests/fixtures/r_qt.csv`` holds R 4.2.2's ``qt(p, df)`` to 17 digits, written by::

    Rscript -e 'v <- c(unique(round(10^seq(4, 8, length.out=40))), Inf);
      p <- c(0.0005, 0.005, 0.025, 0.05, 0.1, 0.9, 0.95, 0.975, 0.995, 0.9995);
      d <- expand.grid(p=p, df=v); d$qt <- qt(d$p, d$df);
      write.csv(data.frame(p=sprintf("%.17g", d$p), df=sprintf("%.17g", d$df),
                           qt=sprintf("%.17g", d$qt)), "r_qt.csv", row.names=FALSE, quote=FALSE)'
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path

import pytest
from scipy.special import stdtrit

from analysis.estimation.intervals import EXPANSION_DF, t_quantile

R_QT = Path(__file__).resolve().parents[1] / "fixtures" / "r_qt.csv"


def r_values() -> list[tuple[float, float, float]]:
    with R_QT.open(encoding="utf-8") as handle:
        return [(float(row["p"]), float(row["df"]), float(row["qt"])) for row in csv.DictReader(handle)]


def test_normal_quantile_is_r_qnorm_bit_for_bit():
    normal = [(p, q) for p, df, q in r_values() if math.isinf(df)]
    assert len(normal) == 10
    for p, q in normal:
        assert t_quantile(p, math.inf) == q


def test_large_df_within_two_units_in_the_last_place_of_r_qt():
    rows = [(p, df, q) for p, df, q in r_values() if not math.isinf(df)]
    assert min(df for _, df, _ in rows) >= EXPANSION_DF and len(rows) == 400
    worst = max(abs(t_quantile(p, df) - q) / math.ulp(q) for p, df, q in rows)
    assert worst <= 2
    # and never further from R than SciPy's stdtrit, which the expansion replaces there
    assert sum(t_quantile(p, df) == q for p, df, q in rows) > sum(float(stdtrit(df, p)) == q for p, df, q in rows)


@pytest.mark.parametrize("df", [1, 2, 14, 120, 9_999])
def test_small_df_is_scipy_stdtrit(df):
    for p in (0.025, 0.5, 0.975):
        assert t_quantile(p, df) == float(stdtrit(df, p))


def test_a_large_survey_interval_does_not_import_scipy():
    code = (
        "import sys, numpy as np\n"
        "from analysis.estimation import SurveyDesign, mean\n"
        "y = np.random.default_rng(1).integers(1, 6, 20_000).astype(float)\n"
        "est = mean(SurveyDesign.build(np.ones(len(y))), y)\n"
        "low, high = est.confint('t')\n"
        "assert low < est.value < high and est.df == 19_999, (low, high, est.df)\n"
        "print('scipy.special' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "False"
