"""Simulated counter samples: valid answers, reproducible, biased like a real one, and weightable back.

The last tests run the analysis package on simulated data through the shipped
schemes, the way the demo's dashboard and reports will.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.cli import main as analysis_main
from analysis.io import load_margins, load_responses
from analysis.weighting import design_from_margins, rake
from survey_app.questionnaire import Questionnaire, export_value, load_questionnaire, parse_answers
from survey_app.services.simulate import (
    COUNTER_SAMPLE,
    NO_BIAS,
    SimulatedResponse,
    answers_as_form,
    margins_csv,
    population_margins,
    simulate_responses,
    unit_quality,
)

ROOT = Path(__file__).resolve().parents[3] / "questionnaires"
SCHEMES = ROOT / "schemes"
UNITS = [("PHUONG_AN_KHANH", 5200), ("XA_BINH_AN", 2400), ("XA_TAN_PHU", 1800), ("PHUONG_HOA_LONG", 3100),
         ("DAC_KHU_HON_NGOC", 500)]
META = ["response_id", "round", "group", "unit", "desk", "channel", "submitted_on", "duration_seconds",
        "questionnaire_version"]
SERVICE = [f"s_{e}_{n}" for e, k in (("acc", 4), ("proc", 4), ("staff", 5), ("res", 3), ("fb", 3))
           for n in range(1, k + 1)]


def form(relative: str) -> Questionnaire:
    return load_questionnaire(ROOT / relative)


@pytest.fixture(scope="module")
def citizen_sample() -> tuple[Questionnaire, list[SimulatedResponse]]:
    q = form("sipas/citizen.yaml")
    return q, simulate_responses(q, UNITS, 2500, seed=7)


def satisfied_share(responses: list[SimulatedResponse], items: list[str]) -> float:
    values = [r.answers[i] >= 4 for r in responses for i in items if i in r.answers]  # type: ignore[operator]
    return sum(values) / len(values)


FORMS = ["sipas/citizen.yaml", "sipas/business.yaml", "par_commune/commune_hdnd_deputy.yaml",
         "par_commune/commune_official.yaml", "par_department/province_hdnd_deputy.yaml",
         "par_department/commune_leader.yaml", "par_department/dept_official.yaml",
         "citizen.yaml", "business.yaml", "hdnd_deputy.yaml", "dept_director.yaml", "office_head.yaml",
         "commune_chair.yaml"]


@pytest.mark.parametrize("relative", FORMS)
def test_answers_pass_the_real_validation(relative: str) -> None:
    q = form(relative)
    responses = simulate_responses(q, UNITS[:3], 150, seed=3)
    assert len(responses) == 150
    for response in responses:
        parsed = parse_answers(q, answers_as_form(q, response.answers))
        assert parsed.ok, (relative, parsed.errors)
        assert parsed.answers == response.answers  # same types, nothing dropped by skip logic
        assert 0 < response.duration_seconds <= 3600 and 0 <= response.moment < 1
    assert {r.unit for r in responses} == {code for code, _ in UNITS[:3]}


def test_seeded_and_reproducible(citizen_sample: tuple[Questionnaire, list[SimulatedResponse]]) -> None:
    q, responses = citizen_sample
    assert simulate_responses(q, UNITS, 2500, seed=7) == responses
    other = simulate_responses(q, UNITS, 2500, seed=8)
    assert other != responses
    assert [r.answers for r in other[:50]] != [r.answers for r in responses[:50]]


def test_skip_logic_respected_and_optional_items_sometimes_blank(
    citizen_sample: tuple[Questionnaire, list[SimulatedResponse]],
) -> None:
    q, responses = citizen_sample
    gave_feedback = [r for r in responses if r.answers["j_feedback_given"] == 1]
    assert 0.15 < len(gave_feedback) / len(responses) < 0.5
    for r in responses:
        asked = r.answers["j_feedback_given"] == 1
        assert all(("s_fb_%d" % n in r.answers) == asked for n in (1, 2, 3))
    required = [item.code for item in q.items if item.required and item.relevant is None]
    assert all(code in r.answers for r in responses for code in required)
    policy_blank = Counter(code for r in responses for code in ("p_acc_1", "p_qual_econ") if code not in r.answers)
    assert 0.02 * len(responses) < policy_blank["p_acc_1"] < 0.2 * len(responses)
    assert 0.05 < sum("comment" in r.answers for r in responses) / len(responses) < 0.3


def test_bias_is_visible(citizen_sample: tuple[Questionnaire, list[SimulatedResponse]]) -> None:
    q, responses = citizen_sample
    n = len(responses)
    men = sum(r.answers["sex"] == 1 for r in responses) / n
    assert men > COUNTER_SAMPLE.sex_shares[0] + 0.05
    young = sum(r.answers["age_group"] in (1, 2) for r in responses) / n
    assert young > sum(COUNTER_SAMPLE.age_shares[:2]) + 0.1
    over_60 = sum(r.answers["age_group"] == 5 for r in responses) / n
    assert over_60 < COUNTER_SAMPLE.age_shares[4] / 2
    # some units are over-represented relative to their transactions, others under
    total = sum(count for _, count in UNITS)
    counts = Counter(r.unit for r in responses)
    ratios = [counts[code] / n / (count / total) for code, count in UNITS]
    assert max(ratios) / min(ratios) > 1.4
    # without the bias the sample looks like the population
    unbiased = simulate_responses(q, UNITS, 2500, seed=7, bias=NO_BIAS)
    assert abs(sum(r.answers["sex"] == 1 for r in unbiased) / 2500 - NO_BIAS.sex_shares[0]) < 0.03


def test_units_differ_and_satisfaction_is_realistic(citizen_sample: tuple[Questionnaire, list[SimulatedResponse]]) -> None:
    _, responses = citizen_sample
    overall = satisfied_share(responses, SERVICE)
    assert 0.65 < overall < 0.92
    per_unit = [satisfied_share([r for r in responses if r.unit == code], SERVICE) for code, _ in UNITS]
    assert max(per_unit) - min(per_unit) > 0.1
    # the same unit is seen alike by another group (its quality does not depend on the form)
    officials = simulate_responses(form("par_commune/commune_official.yaml"), UNITS, 600, seed=7)
    ratings = [np.mean([v for k, v in r.answers.items() if k.startswith("pc_")]) for r in officials]
    by_unit = {code: np.mean([x for x, r in zip(ratings, officials) if r.unit == code]) for code, _ in UNITS}
    best = max(range(len(UNITS)), key=per_unit.__getitem__)
    worst = min(range(len(UNITS)), key=per_unit.__getitem__)
    assert by_unit[UNITS[best][0]] > by_unit[UNITS[worst][0]]


def test_population_margins_are_consistent(citizen_sample: tuple[Questionnaire, list[SimulatedResponse]]) -> None:
    q, _ = citizen_sample
    rows = population_margins(q, UNITS)
    total = sum(count for _, count in UNITS)
    by_variable: dict[str, dict[str, int]] = {}
    for row in rows:
        assert row.group == "citizen"
        by_variable.setdefault(row.variable, {})[row.category] = row.total
    assert set(by_variable) == {"unit", "field", "sex", "age_group"}
    assert by_variable["unit"] == {code: count for code, count in UNITS}
    assert all(sum(totals.values()) == total for totals in by_variable.values())
    assert set(by_variable["age_group"]) == {"1", "2", "3", "4", "5"}
    expected_men = COUNTER_SAMPLE.sex_shares[0] * total
    assert abs(by_variable["sex"]["1"] - expected_men) <= 1


def respondent_shares(responses: list[SimulatedResponse]) -> np.ndarray:
    """Each respondent's share of satisfied answers over the service items they answered."""
    return np.array([np.mean([r.answers[i] >= 4 for i in SERVICE if i in r.answers]) for r in responses])


def _rake(q: Questionnaire, responses: list[SimulatedResponse], tmp_path: Path) -> np.ndarray:
    path = tmp_path / "margins.csv"
    path.write_text(margins_csv(population_margins(q, UNITS)), encoding="utf-8")
    margins = load_margins(path)
    columns = {m.variable: np.array([str(r.unit) if m.variable == "unit" else str(r.answers[m.variable])
                                     for r in responses]) for m in margins}
    auxiliary, targets = design_from_margins(columns, margins, groups=np.array(["citizen"] * len(responses)))
    result = rake(auxiliary, np.ones(len(responses)), targets)
    assert result.converged
    return np.asarray(result.weights)


def test_weighting_to_the_margins_removes_the_bias(citizen_sample: tuple[Questionnaire, list[SimulatedResponse]],
                                                  tmp_path: Path) -> None:
    q, responses = citizen_sample
    weights = _rake(q, responses, tmp_path)
    men = np.array([r.answers["sex"] == 1 for r in responses])
    assert np.sum(weights * men) / np.sum(weights) == pytest.approx(COUNTER_SAMPLE.sex_shares[0], abs=1e-4)
    # the population's satisfaction, from a large sample drawn without the bias
    # (another seed, the same units: their quality comes from the sample's seed)
    population = simulate_responses(q, UNITS, 12000, seed=99, bias=NO_BIAS, quality=unit_quality(UNITS, 7))
    truth = respondent_shares(population).mean()
    satisfied = respondent_shares(responses)
    unweighted = satisfied.mean()
    weighted = np.sum(weights * satisfied) / np.sum(weights)
    assert abs(unweighted - truth) > 0.015  # the counter sample alone misleads ...
    assert abs(weighted - truth) < abs(unweighted - truth) / 2  # ... its weighted estimate much less


def write_export(path: Path, groups: dict[str, tuple[Questionnaire, list[SimulatedResponse]]]) -> Path:
    """Simulated responses in the app's export format (one column per item of every form)."""
    columns: list[str] = []
    for q, _ in groups.values():
        columns += [item.code for item in q.items if item.code not in columns]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(META + columns)
    number = 0
    for group, (q, responses) in groups.items():
        for r in responses:
            number += 1
            cells = {item.code: export_value(item, r.answers.get(item.code)) for item in q.items}
            writer.writerow([f"s{number:05d}", "demo", group, r.unit, "", "qr", "2026-11-02", r.duration_seconds,
                             q.short_version, *(cells.get(c, "") for c in columns)])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def run_analysis(*args: object) -> int:
    return analysis_main([str(a) for a in args], stdout=io.StringIO())


def test_analysis_computes_sipas_1001_on_simulated_data(citizen_sample: tuple[Questionnaire, list[SimulatedResponse]],
                                                        tmp_path: Path) -> None:
    q, responses = citizen_sample
    export = write_export(tmp_path / "responses.csv", {"citizen": (q, responses)})
    margins = tmp_path / "margins.csv"
    margins.write_text(margins_csv(population_margins(q, UNITS)), encoding="utf-8")
    assert len(load_responses(export)) == len(responses)
    out = tmp_path / "estimates.csv"
    status = run_analysis("estimate", "--responses", export, "--margins", margins, "--scheme",
                          SCHEMES / "sipas_1001.yaml", "--items", "none", "--by", "unit", "--out", out)
    assert status == 0
    table = pd.read_csv(out, keep_default_na=False).set_index(["indicator", "domain"])
    sipas = table.loc[("sipas_1001:SIPAS", "all")]
    assert 0.6 < sipas.estimate < 0.95 and sipas.ci_low < sipas.estimate < sipas.ci_high
    service, policy = table.loc[("sipas_1001:SERVICE", "all")].estimate, table.loc[("sipas_1001:POLICY", "all")].estimate
    assert sipas.estimate == pytest.approx((service + policy) / 2)
    for element in ("ACC", "PROC", "STAFF", "RES", "FB", "POL_ACC", "POL_PART", "POL_QUAL", "POL_RES"):
        assert 0.4 < table.loc[(f"sipas_1001:{element}", "all")].estimate < 1
    by_unit = [table.loc[("sipas_1001:SIPAS", f"unit={code}")].estimate for code, _ in UNITS]
    assert all(0.4 < value < 1 for value in by_unit) and max(by_unit) - min(by_unit) > 0.05
    assert 0 < table.loc[("sipas_1001:J_HARASS", "all")].estimate < 1
    assert 1 < table.loc[("sipas_1001:J_TRIPS", "all")].estimate < 5


@pytest.mark.parametrize("code", ["par_commune", "par_department"])
def test_analysis_computes_the_par_points_on_simulated_data(code: str, tmp_path: Path) -> None:
    """A PAR programme end to end: its groups, one form each, points per unit assessed."""
    programme = yaml.safe_load((ROOT / "programmes" / f"{code}.yaml").read_text(encoding="utf-8"))
    groups = {}
    for seed, (group, relative) in enumerate(programme["groups"].items(), start=1):
        q = form(relative)
        size = {"citizen": 1500, "business": 400}.get(group, 20 * len(UNITS))  # officials: a census of ~20 a unit
        groups[group] = (q, simulate_responses(q, UNITS, size, seed=seed))
    export = write_export(tmp_path / "round.csv", groups)
    margins = tmp_path / "margins.csv"
    margins.write_text(margins_csv(population_margins(groups["citizen"][0], UNITS)), encoding="utf-8")
    out = tmp_path / "par.csv"
    status = run_analysis("estimate", "--responses", export, "--margins", margins, "--scheme",
                          SCHEMES / f"{code}.yaml", "--items", "none", "--by", "unit", "--out", out)
    assert status == 0
    table = pd.read_csv(out).set_index(["indicator", "domain"])
    total = table.loc[(f"{code}:total", "all")]
    assert 12 < total.estimate < 28 and total.ci_low < total.estimate < total.ci_high
    assert table.loc[(f"{code}:index", "all")].estimate == pytest.approx(total.estimate / 30 * 100)
    points = [table.loc[(f"{code}:total", f"unit={unit}")].estimate for unit, _ in UNITS]
    assert all(np.isfinite(points)) and max(points) - min(points) > 1


def test_forms_without_profile_items_and_bad_input() -> None:
    q = form("par_commune/commune_official.yaml")
    assert {row.variable for row in population_margins(q, UNITS)} == {"unit"}
    assert len(simulate_responses(q, UNITS, 3, seed=1)) == 3  # fewer than one a unit: no floor per unit
    for units, n in (([], 10), ([("XA_A", 0)], 10), (UNITS, -1)):
        with pytest.raises(ValueError):
            simulate_responses(q, units, n, seed=1)
