"""A round with answers from citizens in three communes, and from the four official groups, citizens and
businesses at the district's own one-stop desk (the district PAR Index needs every assessing group)."""

from __future__ import annotations

import random

import pytest

from survey_app.questionnaire import ItemType
from survey_app.services.questionnaires import questionnaire_of
from tests.factories import make_response

CITIZEN_UNITS = {"XA_AN_PHU": 14, "XA_AN_LAC": 12, "XA_TAN_LAP": 6}
OFFICIALS = {"hdnd_deputy": 12, "dept_director": 10, "office_head": 10, "commune_chair": 11, "citizen": 10,
             "business": 10}
DISTRICT = "HUYEN_AN_BINH"


def answers_for(questionnaire, rng: random.Random, bias: int, index: int) -> dict:
    """Valid answers for every item (the store does not check skip logic; the analysis reads what is there)."""
    out: dict[str, object] = {}
    for item in questionnaire.items:
        if item.type in (ItemType.SATISFACTION5, ItemType.SCALE):
            low, high = (item.min or 1, item.max or 5) if item.type is ItemType.SCALE else (1, 5)
            out[item.code] = max(low, min(high, rng.randint(low, high) + rng.choice((0, bias))))
        elif item.type is ItemType.TEXT:
            if index % 3 == 0:
                out[item.code] = f"Góp ý số {index}: cần rút ngắn thời gian chờ"
        elif item.type is ItemType.MULTIPLE:
            out[item.code] = [item.options[0].code]
        elif item.type is ItemType.NUMBER:
            out[item.code] = rng.randint(item.min or 0, min(item.max or 5, 5))
        elif item.options:
            out[item.code] = rng.choice(item.options).code
        elif item.type is ItemType.YES_NO:
            out[item.code] = rng.randint(0, 1)
    return out


@pytest.fixture
def answered(session, demo):
    """Store the responses; returns the demo round."""
    rng = random.Random(14)
    for bias, (unit, count) in enumerate(CITIZEN_UNITS.items()):
        q = questionnaire_of(demo.version_for("citizen"))
        for i in range(count):
            make_response(session, demo, unit, answers=answers_for(q, rng, bias - 1, i))
    for group, count in OFFICIALS.items():
        q = questionnaire_of(demo.version_for(group))
        for i in range(count):
            make_response(session, demo, DISTRICT, group=group, answers=answers_for(q, rng, 0, i))
    return demo
