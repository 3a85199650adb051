"""The dashboard and the analysis flag the same responses as too fast and as straight-lining.

One definition (analysis/quality.py), one set of thresholds: the console's
settings give the dashboard's, the command line's options the analysis's.
"""

from __future__ import annotations

import random

import pytest

from analysis.cli import _flags
from analysis.indices import load_scheme
from analysis.indices.pipeline import EstimateOptions
from analysis.io import load_round
from analysis.quality import DEFAULT_RULES, QualityRules
from survey_app.questionnaire import ItemType
from survey_app.services import dashboard
from survey_app.services.export import ExportFilter
from survey_app.services.questionnaires import questionnaire_of
from tests.conftest import QUESTIONNAIRE_DIR
from tests.factories import make_response


def _fill(session, demo, seed: int = 7) -> None:
    rng = random.Random(seed)
    codes = [i.code for i in questionnaire_of(demo.version_for("citizen")).items if i.type is ItemType.SATISFACTION5]
    for n in range(60):
        chosen = rng.sample(codes, rng.randint(0, len(codes)))
        same = rng.random() < 0.3
        value = rng.randint(1, 5)
        answers = {c: value if same else rng.randint(1, 5) for c in chosen}
        make_response(session, demo, answers=answers, duration=rng.choice([None, 15, 45, 59, 60, 61, 300, 900]))


@pytest.mark.parametrize("rules", [DEFAULT_RULES, QualityRules(fast_seconds=300, straightline_min_items=9)])
def test_dashboard_and_analysis_flag_the_same_responses(app, session, demo, database_url, rules):
    _fill(session, demo)
    app.config.update(FAST_COMPLETION_SECONDS=rules.fast_seconds, STRAIGHT_LINE_MIN_ITEMS=rules.straightline_min_items)
    _shares, shown = dashboard.answer_checks(session, ExportFilter(round_id=demo.id), dashboard.quality_rules(app.config))
    table = load_round(database_url, demo.name)
    options = EstimateOptions(schemes=(load_scheme(QUESTIONNAIRE_DIR / "schemes" / "sipas.yaml"),))
    counted = _flags(table, options, set(), rules).counts()
    assert shown.fast > 0 and shown.straight_lined > 0  # the data has both, so the comparison means something
    assert (counted["fast"], counted["straightlining"]) == (shown.fast, shown.straight_lined)


def test_thresholds_are_settings_and_options():
    from analysis.cli import _parser

    args = _parser().parse_args(["estimate", "--responses", "r.csv", "--out", "o.csv", "--fast-seconds", "45",
                                 "--straightline-min-items", "7"])
    assert (args.fast_seconds, args.straightline_min_items) == (45, 7)
    assert QualityRules().too_fast(59) and not QualityRules().too_fast(60) and not QualityRules().too_fast(None)
    assert QualityRules().straight_lined([3, None, 3, 3, 3, 3]) and not QualityRules().straight_lined([3, 3, 3, 3])
    with pytest.raises(ValueError):
        QualityRules(straightline_min_items=1)
