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
    ("{all: [{item: j_feedback_given, equals: 1}, {all: [{item: j_trips, equals: 1}, "
     "{item: j_trips, equals: 2}]}]}", "all directly inside all"),
    ("{all: [{item: j_feedback_given, equals: 1}, {any: [{item: j_trips, equals: 1}, {all: [{item: j_trips, "
     "equals: 2}, {any: [{item: j_trips, equals: 3}, {all: [{item: j_trips, equals: 4}, {item: j_trips, "
     "equals: 5}]}]}]}]}]}", "nested more than 4 levels"),
    ("{all: [{item: j_feedback_given, equals: 1}, {item: j_trips, equals: 99}]}", "cannot take the value 99"),
])
def test_bad_rules_are_refused_with_the_item(rule: str, message: str) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        form(rule)
    assert any(p.item == "why" and message in p.message for p in caught.value.problems), caught.value.problems


def test_and_inside_or_and_or_inside_and_nest() -> None:
    q = form("{any: [{item: j_trips, equals: 1}, {all: [{item: j_feedback_given, equals: 1}, "
             "{item: j_trips, in: [3, 4]}]}]}")
    rule = q.item("why").relevant
    inner = Condition("j_feedback_given", (1,), "all", (Condition("j_trips", (3, 4)),))
    assert rule == Condition("j_trips", (1,), "any", (inner,)) and rule.nested
    assert [leaf.item for leaf in rule.leaves()] == ["j_trips", "j_feedback_given", "j_trips"]
    assert rule.is_met({"j_trips": 1}) and rule.is_met({"j_feedback_given": 1, "j_trips": 4})
    assert not rule.is_met({"j_feedback_given": 0, "j_trips": 4}) and not rule.is_met({"j_feedback_given": 1})


def test_a_rule_whose_first_part_is_combined_has_no_item_of_its_own() -> None:
    q = form("{all: [{any: [{item: j_feedback_given, equals: 1}, {item: j_trips, equals: 2}]}, "
             "{any: [{item: j_trips, in: [2, 3]}, {item: j_feedback_given, equals: 0}]}]}")
    rule = q.item("why").relevant
    assert rule.item == "" and len(rule.parts) == 2 and rule.join == "all"
    assert rule.is_met({"j_feedback_given": 1, "j_trips": 3}) and rule.is_met({"j_feedback_given": 0, "j_trips": 2})
    assert not rule.is_met({"j_feedback_given": 1, "j_trips": 5})
    kept = parse_answers(q, {"j_feedback_given": "1", "j_trips": "3", "why": "xa"}).answers
    assert kept["why"] == "xa"
    assert "why" not in parse_answers(q, {"j_feedback_given": "1", "j_trips": "5", "why": "xa"}).answers
