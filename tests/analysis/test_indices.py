"""Indices: composites linearised per respondent, schemes, PAR points, ranks, flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.estimation import SurveyDesign, mean
from analysis.indices import (
    Catalogue,
    Component,
    Data,
    Indicator,
    QualityRules,
    SchemeError,
    Term,
    add_par,
    add_satisfaction,
    estimate,
    load_scheme,
    plausible_ranks,
    quality_flags,
)

SCHEMES = Path(__file__).resolve().parents[2] / "questionnaires" / "schemes"


def rows_by_name(rows):
    return {(r.indicator, r.domain): r for r in rows}


@pytest.fixture
def clustered():
    """Two correlated items, 20 clusters of 15 respondents, unequal weights."""
    rng = np.random.default_rng(11)
    n = 300
    cluster = np.repeat(np.arange(20), 15)
    shared = rng.normal(size=20)[cluster]
    a = np.clip(np.round(3.5 + shared + rng.normal(size=n)), 1, 5)
    b = np.clip(np.round(3.2 + shared + rng.normal(size=n)), 1, 5)
    w = rng.uniform(1, 4, n)
    design = SurveyDesign.build(w, ids=[cluster])
    return design, a, b, cluster


def test_composite_se_equals_the_se_of_the_per_respondent_composite(clustered):
    """The mean of two item means, with no missing answers, is the mean of each
    respondent's average: linearising the composite must give that SE exactly
    (treating the parts as independent would not)."""
    design, a, b, _ = clustered
    catalogue = Catalogue()
    parts = (catalogue.component(Component("a")), catalogue.component(Component("b")))
    catalogue.add(Indicator("avg", Term(children=parts, weights=(1.0, 1.0))))
    rows, _ = estimate(design, Data({"a": a, "b": b}, np.full(len(a), "")), catalogue, [("all", None)])
    direct = mean(design, (a + b) / 2)
    assert rows[0].estimate == pytest.approx(direct.value)
    assert rows[0].se == pytest.approx(direct.se, rel=1e-12)
    independent = np.sqrt(mean(design, a).se ** 2 + mean(design, b).se ** 2) / 2
    assert abs(rows[0].se - independent) > 0.05 * independent


def test_undefined_children_are_left_out_of_a_mean(clustered):
    design, a, b, _ = clustered
    catalogue = Catalogue()
    parts = (catalogue.component(Component("a")), catalogue.component(Component("missing")))
    catalogue.add(Indicator("avg", Term(children=parts, weights=(1.0, 1.0))))
    catalogue.add(Indicator("sum", Term(children=parts, weights=(1.0, 1.0), aggregation="sum")))
    rows, _ = estimate(design, Data({"a": a}, np.full(len(a), "")), catalogue, [("all", None)])
    assert rows[0].estimate == pytest.approx(mean(design, a).value)
    assert rows[0].se == pytest.approx(mean(design, a).se)
    assert np.isnan(rows[1].estimate)


def sipas_data(rng, n=400):
    items = {}
    scheme = load_scheme(SCHEMES / "sipas.yaml")
    for element in scheme.elements:
        for item in element.items:
            items[item] = rng.integers(1, 6, n).astype(float)
    items["s_fb_1"][: n // 2] = np.nan
    groups = np.where(np.arange(n) % 10 == 0, "business", "citizen")
    return scheme, items, groups


def test_sipas_follows_the_scheme():
    rng = np.random.default_rng(5)
    scheme, items, groups = sipas_data(rng)
    design = SurveyDesign.build(rng.uniform(1, 3, len(groups)))
    catalogue = Catalogue()
    add_satisfaction(catalogue, scheme)
    rows = rows_by_name(estimate(design, Data(items, groups), catalogue, [("all", None)])[0])
    citizen = groups == "citizen"

    def share(item):
        return mean(design, np.isin(items[item], [4, 5]).astype(float), domain=citizen & ~np.isnan(items[item])).value

    acc = np.mean([share(i) for i in ("s_acc_1", "s_acc_2", "s_acc_3")])
    assert rows[("sipas:ACC", "all")].estimate == pytest.approx(acc)
    elements = ["ACC", "PROC", "STAFF", "RES", "FB"]
    service = np.mean([rows[(f"sipas:{e}", "all")].estimate for e in elements])
    assert rows[("sipas:SERVICE", "all")].estimate == pytest.approx(service)
    policy = rows[("sipas:POLICY", "all")].estimate
    assert rows[("sipas:SIPAS", "all")].estimate == pytest.approx((service + policy) / 2)
    assert rows[("sipas:SIPAS", "all")].n == int(citizen.sum())
    # the judgement items are absent here: their indicators are undefined, not zero
    assert np.isnan(rows[("sipas:J_HARASS", "all")].estimate)


def test_par_points_convert_means_and_pool_groups_equally(tmp_path):
    path = tmp_path / "par.yaml"
    path.write_text(
        """
code: par
kind: par
total: 3
scale: {min: 1, max: 5}
criteria:
  - {code: C1, area: 1, max_points: 2, items: {office_head: [q1], commune_chair: [q1]}}
  - {code: C2, area: 2, max_points: 1, conversion: satisfied, items: {citizen: [s1]}}
""",
        encoding="utf-8",
    )
    scheme = load_scheme(path)
    groups = np.array(["office_head"] * 4 + ["commune_chair"] * 2 + ["citizen"] * 4)
    q1 = np.array([5, 5, 3, 3, 1, 1, np.nan, np.nan, np.nan, np.nan])
    s1 = np.array([np.nan] * 6 + [5, 4, 2, 1])
    catalogue = Catalogue()
    add_par(catalogue, scheme)
    rows = rows_by_name(estimate(SurveyDesign.build(np.ones(10)), Data({"q1": q1, "s1": s1}, groups), catalogue, [("all", None)])[0])
    # office heads average 4 (0.75 of the range), commune chairs 1 (0): pooled equally 0.375 * 2 points
    assert rows[("par:C1", "all")].estimate == pytest.approx(0.75)
    assert rows[("par:C2", "all")].estimate == pytest.approx(0.5)
    assert rows[("par:total", "all")].estimate == pytest.approx(1.25)
    assert rows[("par:index", "all")].estimate == pytest.approx(100 * 1.25 / 3)
    assert rows[("par:area1", "all")].estimate == pytest.approx(0.75)


def test_shipped_schemes_load():
    sipas = load_scheme(SCHEMES / "sipas.yaml")
    assert [e.code for e in sipas.elements] == ["ACC", "PROC", "STAFF", "RES", "FB", "POL_MAKE", "POL_IMPL"]
    assert sipas.satisfied == (4.0, 5.0)
    par = load_scheme(SCHEMES / "par_district.yaml")
    assert par.total == 30 and sum(c.max_points for c in par.criteria) == 30
    assert set(par.groups) == {"hdnd_deputy", "dept_director", "office_head", "commune_chair", "citizen", "business"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code: x\nkind: other\n", "kind must be"),
        ("code: x\nkind: satisfaction\nindex: {code: A, items: [a], children: [{code: B, items: [b]}]}\n", "node A: needs either"),
        ("code: x\nkind: satisfaction\nindex: {code: A, items: [a, b], weights: [1]}\n", "node A: weights must be 2"),
        ("code: x\nkind: par\ntotal: 30\ncriteria: [{code: C, max_points: 3, items: {citizen: [a]}}]\n", "add up to 3, not the total 30"),
        ("code: x\nkind: satisfaction\nindex: {code: A, items: [a]}\nindicators: [{code: A, item: a, share_of: [1]}]\n", "'A' is used twice"),
    ],
)
def test_scheme_errors_name_the_file_and_node(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeError, match=message) as info:
        load_scheme(path)
    assert str(path) in str(info.value)


def test_rank_intervals_reflect_uncertainty():
    separated = plausible_ranks(["a", "b", "c"], [0.9, 0.5, 0.1], np.eye(3) * 1e-6)
    assert [(u.rank, u.rank_low, u.rank_high) for u in separated] == [(1, 1, 1), (2, 2, 2), (3, 3, 3)]
    noisy = plausible_ranks(["a", "b", "c", "d"], [0.51, 0.50, 0.49, 0.2], np.eye(4) * 0.05**2)
    by_label = {u.label: u for u in noisy}
    assert by_label["a"].rank == 1 and by_label["a"].rank_high >= 3
    assert by_label["d"].rank == 4 and by_label["d"].rank_low >= 3
    again = plausible_ranks(["a", "b", "c", "d"], [0.51, 0.50, 0.49, 0.2], np.eye(4) * 0.05**2)
    assert again == noisy


def test_quality_flags():
    items = {f"s{i}": np.array([5, 3, 4, np.nan, 2], dtype=float) for i in range(10)}
    items["s0"] = np.array([5, 1, 3, 2, 5], dtype=float)
    items["s1"] = np.array([5, 2, np.nan, np.nan, 2], dtype=float)
    groups = np.array(["citizen"] * 5)
    duration = np.array([300, 20, 280, 310, np.nan])
    flags = quality_flags(items, groups, duration, list(items), QualityRules())
    assert flags.fast.tolist() == [False, True, False, False, False]
    assert flags.straightlining.tolist() == [True, False, False, False, False]
    assert flags.nonresponse.tolist() == [False, False, False, True, False]
    assert flags.counts()["any"] == 3
