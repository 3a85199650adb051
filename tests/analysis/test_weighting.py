"""Weighting: invariants (hypothesis), trimming, margin checks, non-convergence."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.estimation import SurveyDesign, mean
from analysis.io import Margin
from analysis.weighting import (
    Auxiliary,
    Factor,
    MarginError,
    base_weights,
    calibrate,
    design_from_margins,
    poststratify,
    rake,
    trim,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def samples(draw):
    """A small sample with two factors, every category present, and consistent targets."""
    sizes = (draw(st.integers(2, 4)), draw(st.integers(2, 3)))
    n = draw(st.integers(12, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    codes = [np.concatenate([np.arange(k), rng.integers(0, k, n - k)]) for k in sizes]
    base = rng.uniform(0.5, 3.0, n)
    aux = Auxiliary(tuple(Factor(f"v{i}", c, tuple(map(str, range(k)))) for i, (c, k) in enumerate(zip(codes, sizes))))
    # margins of some positive reweighting of the sample, so a solution exists
    targets = aux.totals(base * rng.uniform(0.5, 2.0, n))
    return aux, base, targets, codes, rng


@SETTINGS
@given(samples())
def test_raking_meets_the_margins(sample):
    aux, base, targets, _, _ = sample
    result = rake(aux, base, targets, max_iter=500, tol=1e-10)
    assert result.converged
    np.testing.assert_allclose(aux.totals(result.weights), targets, rtol=1e-8)
    assert result.max_margin_error < 1e-8
    assert result.n_eff <= len(base) + 1e-9
    assert result.deff >= 1 - 1e-12


@SETTINGS
@given(samples())
def test_weights_do_not_depend_on_row_order(sample):
    aux, base, targets, codes, rng = sample
    order = rng.permutation(len(base))
    shuffled = Auxiliary(tuple(Factor(f.name, f.codes[order], f.levels) for f in aux.factors))
    for method in (
        lambda a, d: rake(a, d, targets, tol=1e-12, max_iter=1000),
        lambda a, d: calibrate(a, d, targets, distance="logit", bounds=(0.2, 5.0), tol=1e-12),
    ):
        first = method(aux, base)
        second = method(shuffled, base[order])
        assert first.converged and second.converged
        np.testing.assert_allclose(second.weights, first.weights[order], rtol=1e-9)


@SETTINGS
@given(samples(), st.lists(st.integers(1, 4), min_size=40, max_size=40))
def test_integer_weights_equal_repeated_rows(sample, counts):
    """Raking rows with integer base weights k equals raking k copies of each row
    with weight 1, and the weighted mean equals the mean over the copies."""
    aux, _, targets, codes, rng = sample
    n = len(codes[0])
    k = np.asarray(counts[:n], dtype=float)
    expanded = Auxiliary(tuple(Factor(f.name, np.repeat(f.codes, counts[:n]), f.levels) for f in aux.factors))
    weighted = rake(aux, k, targets, tol=1e-12, max_iter=1000)
    repeated = rake(expanded, np.ones(int(k.sum())), targets, tol=1e-12, max_iter=1000)
    np.testing.assert_allclose(np.repeat(weighted.weights / k, counts[:n]), repeated.weights, rtol=1e-9)
    y = rng.normal(size=n)
    by_weight = mean(SurveyDesign.build(k), y).value
    by_rows = mean(SurveyDesign.build(np.ones(int(k.sum()))), np.repeat(y, counts[:n])).value
    assert by_weight == pytest.approx(by_rows, rel=1e-12)


def test_poststratify_gives_cell_totals():
    codes = np.array([0, 0, 1, 1, 1, 2])
    aux = Auxiliary((Factor("unit", codes, ("a", "b", "c")),))
    result = poststratify(aux, np.ones(6), np.array([10.0, 30.0, 5.0]))
    np.testing.assert_allclose(result.weights, [5, 5, 10, 10, 10, 5])
    assert result.iterations == 1 and result.converged


def test_poststratify_rejects_a_target_without_respondents():
    aux = Auxiliary((Factor("unit", np.array([0, 0, 1]), ("a", "b", "c")),))
    with pytest.raises(ValueError, match="'unit': category 'c' has a target"):
        poststratify(aux, np.ones(3), np.array([1.0, 1.0, 1.0]))


class TestTrim:
    def test_plain_trimming_redistributes_equally(self):
        """One pass, as R's trimWeights: clip and share the excess among the rest."""
        result = trim(base_weights(np.array([1.0, 1.0, 1.0, 9.0])), 0.0, 5.0)
        np.testing.assert_allclose(result.weights, [2.0 + 1 / 3, 2.0 + 1 / 3, 2.0 + 1 / 3, 5.0])
        assert result.weights.sum() == pytest.approx(12.0)

    def test_plain_trimming_may_leave_weights_out_of_bounds(self):
        weights = np.array([1.0, 4.0, 4.0, 11.0])
        plain = trim(base_weights(weights), 0.0, 5.0)
        np.testing.assert_allclose(plain.weights, [3.0, 6.0, 6.0, 5.0])
        strict = trim(base_weights(weights), 0.0, 5.0, strict=True)
        assert strict.weights.max() <= 5.0 + 1e-12
        assert strict.weights.sum() == pytest.approx(weights.sum())
        assert strict.converged and strict.iterations >= 2

    def test_impossible_bounds_are_reported(self, caplog):
        with caplog.at_level(logging.WARNING, logger="analysis.weighting"):
            result = trim(base_weights(np.array([1.0, 2.0, 9.0])), 0.0, 3.0, strict=True, max_iter=20)
        assert not result.converged
        assert "did not converge" in caplog.text

    def test_trimming_keeps_calibration_and_reports_margin_error(self):
        aux = Auxiliary((Factor("unit", np.array([0, 0, 0, 1]), ("a", "b")),))
        calibrated = poststratify(aux, np.ones(4), np.array([3.0, 9.0]))
        trimmed = trim(calibrated, 0.0, 5.0)
        assert trimmed.calibration.auxiliary is aux
        np.testing.assert_array_equal(trimmed.calibration.base_weights, np.ones(4))
        assert trimmed.max_margin_error > 0.1


def test_non_convergence_is_logged_and_flagged(caplog):
    """Bounds too tight for the targets: the result says so, and a warning is logged."""
    aux = Auxiliary((Factor("unit", np.array([0, 0, 1, 1]), ("a", "b")),))
    with caplog.at_level(logging.WARNING, logger="analysis.weighting"):
        result = calibrate(aux, np.ones(4), np.array([1.0, 20.0]), distance="logit", bounds=(0.5, 2.0), max_iter=15)
    assert not result.converged
    assert result.iterations == 15
    assert result.max_margin_error > 0.1
    assert any("did not converge" in r.getMessage() for r in caplog.records)


def test_rake_non_convergence_with_inconsistent_targets(caplog):
    aux = Auxiliary((Factor("a", np.array([0, 1, 0, 1]), ("0", "1")), Factor("b", np.array([0, 0, 1, 1]), ("0", "1"))))
    with caplog.at_level(logging.WARNING, logger="analysis.weighting"):
        result = rake(aux, np.ones(4), np.array([10.0, 10.0, 5.0, 5.0]), max_iter=30)
    assert not result.converged and result.iterations == 30
    assert "rake weighting did not converge" in caplog.text


def test_logit_weights_stay_within_bounds():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 3, 200)
    aux = Auxiliary((Factor("u", codes, ("a", "b", "c")),), numeric=rng.normal(50, 10, (200, 1)), numeric_names=("x",))
    d = np.full(200, 5.0)
    targets = np.append(np.bincount(codes, d) * [1.3, 0.8, 1.0], (d * aux.numeric[:, 0]).sum() * 1.05)
    result = calibrate(aux, d, targets, distance="logit", bounds=(0.7, 1.5))
    assert result.converged
    g = result.weights / d
    assert g.min() > 0.7 and g.max() < 1.5


class TestMarginChecks:
    columns = {"unit": np.array(["a", "a", "b", "c"]), "sex": np.array(["1", "2", "2", "1"])}

    def test_variables_that_disagree_on_the_total(self):
        margins = [Margin("unit", {"a": 5, "b": 3, "c": 2}), Margin("sex", {"1": 5, "2": 6})]
        with pytest.raises(MarginError, match="margins disagree: variable 'unit' totals 10 but variable 'sex' totals 11"):
            design_from_margins(self.columns, margins)

    def test_category_without_target(self):
        margins = [Margin("unit", {"a": 5, "b": 5})]
        with pytest.raises(MarginError, match="variable 'unit': category 'c' occurs in 1 response"):
            design_from_margins(self.columns, margins)

    def test_target_without_respondents(self):
        margins = [Margin("unit", {"a": 5, "b": 3, "c": 2, "d": 1})]
        with pytest.raises(MarginError, match="variable 'unit': category 'd' has a target \\(1\\) but no respondents"):
            design_from_margins(self.columns, margins)

    def test_missing_value_names_a_response(self):
        columns = {"unit": np.array(["a", "", "b"])}
        with pytest.raises(MarginError, match="1 response\\(s\\) have no value \\(e.g. response r2\\)"):
            design_from_margins(columns, [Margin("unit", {"a": 1, "b": 1})], ids=np.array(["r1", "r2", "r3"]))

    def test_group_scoped_margins_leave_other_groups_alone(self):
        groups = np.array(["citizen", "citizen", "citizen", "office_head"])
        columns = {"unit": np.array(["a", "b", "b", ""])}
        aux, targets = design_from_margins(columns, [Margin("unit", {"a": 10, "b": 20}, "citizen")], groups=groups)
        result = poststratify(aux, np.ones(4), targets)
        np.testing.assert_allclose(result.weights, [10, 10, 10, 1])

    def test_zero_target_without_respondents_is_ignored(self):
        aux, targets = design_from_margins(self.columns, [Margin("unit", {"a": 5, "b": 3, "c": 2, "d": 0})])
        assert aux.factors[0].levels == ("a", "b", "c")
        np.testing.assert_allclose(targets, [5, 3, 2])
