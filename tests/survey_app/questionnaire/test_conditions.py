"""Skip logic on several questions: ``relevant: {all: [...]}`` and ``{any: [...]}``."""

from __future__ import annotations

import pytest

from survey_app.questionnaire import Condition, QuestionnaireError, parse_answers, parse_questionnaire_text

FORM = """\
group: citizen
title: {vi: "Phiếu thử", en: "Test form"}
sections:
  - code: A
    title: {vi: "Phần A", en: "Part A"}
    items:
      - code: j_feedback_given
        type: yes_no
        text: {vi: "Có góp ý không?", en: "Any feedback?"}
      - code: j_trips
        type: number
        min: 1
        max: 20
        text: {vi: "Số lần?", en: "Trips?"}
      - code: why
        type: text
        relevant: RULE
        text: {vi: "Vì sao?", en: "Why?"}
"""


def form(rule: str):  # type: ignore[no-untyped-def]
    return parse_questionnaire_text(FORM.replace("RULE", rule), "citizen.yaml")


def test_all_needs_every_condition() -> None:
    q = form("{all: [{item: j_feedback_given, equals: 1}, {item: j_trips, in: [3, 4]}]}")
    rule = q.item("why").relevant
    assert rule == Condition("j_feedback_given", (1,), "all", (Condition("j_trips", (3, 4)),))
    kept = parse_answers(q, {"j_feedback_given": "1", "j_trips": "3", "why": "xa"}).answers
    dropped = parse_answers(q, {"j_feedback_given": "1", "j_trips": "2", "why": "xa"}).answers
    assert kept["why"] == "xa" and "why" not in dropped


def test_any_needs_one_condition() -> None:
    q = form("{any: [{item: j_feedback_given, equals: 1}, {item: j_trips, equals: 5}]}")
    assert parse_answers(q, {"j_feedback_given": "0", "j_trips": "5", "why": "xa"}).answers["why"] == "xa"
    assert "why" not in parse_answers(q, {"j_feedback_given": "0", "j_trips": "4", "why": "xa"}).answers


@pytest.mark.parametrize(("rule", "message"), [
    ("{all: [{item: j_feedback_given, equals: 1}]}", "at least two"),
    ("{any: [{item: j_feedback_given, equals: 1}, {item: nope, equals: 1}]}", "unknown item"),
    ("{all: [{item: j_feedback_given, equals: 1}, {any: [{item: j_trips, equals: 1}, "
     "{item: j_trips, equals: 2}]}]}", "each be on one item"),
    ("{all: [{item: j_feedback_given, equals: 1}, {item: j_trips, equals: 99}]}", "cannot take the value 99"),
])
def test_bad_rules_are_refused_with_the_item(rule: str, message: str) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        form(rule)
    assert any(p.item == "why" and message in p.message for p in caught.value.problems), caught.value.problems
