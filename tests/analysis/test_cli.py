"""``python -m analysis`` end to end on the small fixture exports."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEMES = Path(__file__).resolve().parents[2] / "questionnaires" / "schemes"
CITIZEN = FIXTURES / "responses_citizen.csv"
ROUND = FIXTURES / "responses_round.csv"


def run(*args: object) -> tuple[int, str]:
    out = io.StringIO()
    status = main([str(a) for a in args], stdout=out)
    return status, out.getvalue()


def write_margins(path: Path, rows: list[tuple[str, str, float]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variable", "category", "total"])
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("command", ["weight", "estimate", "report"])
def test_help(command):
    result = subprocess.run(
        [sys.executable, "-m", "analysis", command, "--help"], capture_output=True, text=True, check=True
    )
    assert "usage: python -m analysis " + command in result.stdout
    assert "--out" in result.stdout


def test_weight_writes_weights_and_diagnostics(tmp_path):
    out = tmp_path / "w.csv"
    status, text = run("weight", "--responses", CITIZEN, "--margins", FIXTURES / "margins_citizen.csv", "--out", out)
    assert status == 0
    for word in ("method: rake", "iterations:", "converged: yes", "worst margin error", "Kish effective sample size", "design effect"):
        assert word in text
    weights = pd.read_csv(out)
    assert list(weights.columns) == ["response_id", "weight"]
    responses = pd.read_csv(CITIZEN, dtype=str, encoding="utf-8-sig")
    assert weights["response_id"].tolist() == responses["response_id"].tolist()
    by_unit = weights["weight"].groupby(responses["unit"]).sum()
    assert by_unit["XA_AN_BINH"] == pytest.approx(5200, rel=1e-6)
    assert weights["weight"].sum() == pytest.approx(11000, rel=1e-6)


def test_weight_single_variable_poststratifies_and_trims(tmp_path):
    margins = write_margins(tmp_path / "m.csv", [("unit", "XA_AN_BINH", 5200), ("unit", "XA_BINH_MINH", 2600), ("unit", "TT_PHU_XUYEN", 3200)])
    out = tmp_path / "w.csv"
    status, text = run("weight", "--responses", CITIZEN, "--margins", margins, "--trim", 0, 120, "--strict-trim", "--out", out)
    assert status == 0
    assert "method: poststratify+trim(strict)" in text
    weights = pd.read_csv(out)["weight"]
    assert weights.max() <= 120 + 1e-9
    assert weights.sum() == pytest.approx(11000)


@pytest.mark.parametrize("method", ["linear", "logit"])
def test_weight_calibration_with_bounds(tmp_path, method):
    out = tmp_path / "w.csv"
    status, text = run(
        "weight", "--responses", CITIZEN, "--margins", FIXTURES / "margins_citizen.csv",
        "--base-weight", "duration_seconds", "--method", method, "--bounds", 0.05, 4, "--out", out,
    )
    assert status == 0 and "converged: yes" in text
    base = pd.read_csv(CITIZEN, encoding="utf-8-sig")["duration_seconds"]
    g = pd.read_csv(out)["weight"] / base
    assert g.min() >= 0.05 - 1e-9 and g.max() <= 4 + 1e-9


def test_weight_reports_non_convergence(tmp_path, caplog):
    out = tmp_path / "w.csv"
    status, text = run(
        "weight", "--responses", CITIZEN, "--margins", FIXTURES / "margins_citizen.csv",
        "--base-weight", "duration_seconds", "--method", "logit", "--bounds", 0.3, 3, "--max-iter", 20, "--out", out,
    )
    assert status == 0 and out.exists()
    assert "converged: NO" in text and "iterations: 20" in text
    assert "did not converge in 20 iterations" in caplog.text


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [("unit", "XA_AN_BINH", 5200), ("unit", "XA_BINH_MINH", 2600), ("unit", "TT_PHU_XUYEN", 3200), ("sex", "1", 5000), ("sex", "2", 5000)],
            "margins disagree: variable 'unit' totals 11000 but variable 'sex' totals 10000",
        ),
        (
            [("unit", "XA_AN_BINH", 5200), ("unit", "XA_BINH_MINH", 2600)],
            "variable 'unit': category 'TT_PHU_XUYEN' occurs in",
        ),
        (
            [("unit", "XA_AN_BINH", 5200), ("unit", "XA_BINH_MINH", 2600), ("unit", "TT_PHU_XUYEN", 3200), ("unit", "XA_MOI", 10)],
            "variable 'unit': category 'XA_MOI' has a target (10) but no respondents",
        ),
        ([("district", "X", 1)], "margin variable 'district' is not a column of the responses"),
    ],
    ids=["inconsistent", "category-without-target", "target-without-respondents", "unknown-variable"],
)
def test_weight_margin_errors(tmp_path, capsys, rows, message):
    margins = write_margins(tmp_path / "m.csv", rows)
    out = tmp_path / "w.csv"
    status, _ = run("weight", "--responses", CITIZEN, "--margins", margins, "--out", out)
    assert status == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_estimate_with_margins_and_scheme(tmp_path):
    out = tmp_path / "e.csv"
    status, _ = run(
        "estimate", "--responses", CITIZEN, "--margins", FIXTURES / "margins_citizen.csv", "--satisfied", "4,5",
        "--scheme", SCHEMES / "sipas.yaml", "--by", "unit", "--out", out,
    )
    assert status == 0
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == ["indicator", "domain", "estimate", "se", "ci_low", "ci_high", "n", "n_eff"]
    assert {"all", "unit=XA_AN_BINH", "unit=XA_BINH_MINH", "unit=TT_PHU_XUYEN"} == set(table["domain"])
    names = set(table["indicator"])
    assert {"mean:s_acc_1", "satisfied:s_acc_1", "sipas:ACC", "sipas:SERVICE", "sipas:SIPAS", "sipas:J_HARASS", "sipas:E_TIME"} <= names
    assert "mean:unit" not in names and "mean:sex" not in names  # weighting variables are not items
    sipas = table[(table.indicator == "sipas:SIPAS") & (table.domain == "all")].iloc[0]
    assert float(sipas.ci_low) < float(sipas.estimate) < float(sipas.ci_high)
    assert 0 < float(sipas.se) < 0.1


def test_estimate_with_fixed_weights_matches_the_weights_file(tmp_path):
    weights = tmp_path / "w.csv"
    run("weight", "--responses", CITIZEN, "--margins", FIXTURES / "margins_citizen.csv", "--out", weights)
    fixed, calibrated = tmp_path / "fixed.csv", tmp_path / "cal.csv"
    run("estimate", "--responses", CITIZEN, "--weights", weights, "--items", "s_acc_*", "--out", fixed)
    run("estimate", "--responses", CITIZEN, "--margins", FIXTURES / "margins_citizen.csv", "--items", "s_acc_*", "--out", calibrated)
    a, b = pd.read_csv(fixed), pd.read_csv(calibrated)
    assert list(a.indicator) == ["mean:s_acc_1", "mean:s_acc_2", "mean:s_acc_3"]
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-9)
    # same point estimates; the calibration-aware SEs differ from the fixed-weight ones
    assert not np.allclose(a.se, b.se, rtol=1e-6)


def test_estimate_design_columns_and_proportion_interval(tmp_path):
    out = tmp_path / "e.csv"
    status, _ = run(
        "estimate", "--responses", CITIZEN, "--strata", "unit",
        "--items", "j_harassment", "--satisfied", "1", "--ci-prop", "wilson", "--out", out,
    )
    assert status == 0
    row = pd.read_csv(out).set_index("indicator").loc["satisfied:j_harassment"]
    assert 0 <= row.ci_low < row.estimate < row.ci_high < 1


def test_estimate_lonely_psu_error(tmp_path, capsys):
    status, _ = run("estimate", "--responses", CITIZEN, "--strata", "unit", "--psu", "desk", "--items", "s_acc_1", "--out", tmp_path / "e.csv")
    assert status == 2
    assert "only one PSU" in capsys.readouterr().err


def test_estimate_excludes_flagged_responses(tmp_path):
    out = tmp_path / "e.csv"
    status, text = run(
        "estimate", "--responses", CITIZEN, "--scheme", SCHEMES / "sipas.yaml", "--items", "none", "--exclude-flagged", "--out", out,
    )
    assert status == 0
    assert "excluded" in text
    table = pd.read_csv(out)
    assert table.set_index("indicator").loc["sipas:SIPAS", "n"] < 120


def test_par_scheme_on_a_whole_round(tmp_path):
    out = tmp_path / "e.csv"
    status, _ = run(
        "estimate", "--responses", ROUND, "--margins", FIXTURES / "margins_round.csv", "--scheme", SCHEMES / "par_district.yaml",
        "--items", "none", "--by", "unit", "--out", out,
    )
    assert status == 0
    table = pd.read_csv(out).set_index(["indicator", "domain"])
    total = table.loc[("par:total", "all")]
    assert 0 < total.estimate < 30 and total.ci_low < total.estimate < total.ci_high
    assert table.loc[("par:index", "all")].estimate == pytest.approx(total.estimate / 30 * 100)
    for unit in ("XA_AN_BINH", "XA_BINH_MINH", "TT_PHU_XUYEN"):
        assert np.isfinite(table.loc[("par:total", f"unit={unit}")].estimate)


def test_report_from_csv(tmp_path):
    out = tmp_path / "report"
    status, text = run(
        "report", "--responses", ROUND, "--margins", FIXTURES / "margins_round.csv", "--scheme", SCHEMES / "sipas.yaml",
        "--scheme", SCHEMES / "par_district.yaml", "--items", "s_*", "--min-n", 5, "--no-progress", "--out", out,
    )
    assert status == 0 and "report.html" in text
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html and "<script" not in html and "http://" not in html.split("<svg", 1)[0]
    for heading in ("Overview", "Data quality", "Ranking", "Cronbach", "PAR Index survey component", "All estimates"):
        assert heading in html
    book = load_workbook(out / "report.xlsx", read_only=True)
    assert {"Tổng quan", "Số phiếu", "Chất lượng dữ liệu", "sipas theo đơn vị", "par tổng điểm",
            "Tất cả ước lượng"} <= set(book.sheetnames)
    assert (out / "report.docx").stat().st_size > 0


def test_report_suppresses_small_cells(tmp_path):
    out = tmp_path / "report"
    status, _ = run("report", "--responses", ROUND, "--scheme", SCHEMES / "par_district.yaml", "--items", "none", "--min-n", 1000, "--no-progress", "--out", out)
    assert status == 0
    book = load_workbook(out / "report.xlsx", read_only=True)
    values = [row[2] for row in book["Tất cả ước lượng"].iter_rows(min_row=3, values_only=True) if row[1]]
    assert values and all(v == "<n" for v in values)
