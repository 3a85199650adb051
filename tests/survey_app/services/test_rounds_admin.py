"""Rounds service: dates and names, questionnaire locks, opening rules, targets, version edits."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from survey_app.models import Round, Target, Unit
from survey_app.services.problems import ProblemsFound
from survey_app.services.rounds_admin import (
    RoundData,
    TargetRow,
    create_round,
    save_targets,
    set_status,
    update_round,
)
from survey_app.services.targets import sample_size
from tests.factories import make_response


def data(demo, **changes) -> RoundData:
    base = {"name": "Đợt 2", "opens_on": date(2030, 1, 1), "closes_on": date(2030, 3, 31),
            "versions": {link.group_code: link.version_id for link in demo.questionnaires}}
    return RoundData(**{**base, **changes})


def test_create_round_checks(session, demo):
    with pytest.raises(ProblemsFound) as exc:
        create_round(session, data(demo, name=demo.name, closes_on=date(2029, 1, 1), reminder_limit=99,
                                   versions={"citizen": demo.version_for("business").id}))
    assert {p.reason for p in exc.value.problems} == {"name_taken", "closes_before_opens", "out_of_range",
                                                      "wrong_version"}
    created = create_round(session, data(demo))
    assert created.status == "draft" and len(created.questionnaires) == 6


def test_opening_needs_a_questionnaire_and_no_overlap(session, demo):
    empty = create_round(session, data(demo, versions={}))
    with pytest.raises(ProblemsFound) as exc:
        set_status(session, empty, "open")
    assert [p.reason for p in exc.value.problems] == ["no_questionnaire"]
    overlapping = create_round(session, data(demo, name="Trùng", opens_on=demo.opens_on, closes_on=demo.opens_on))
    with pytest.raises(ProblemsFound) as exc:
        set_status(session, overlapping, "open")
    assert [(p.reason, p.value) for p in exc.value.problems] == [("overlaps", demo.name)]
    later = create_round(session, data(demo, name="Sau"))
    set_status(session, later, "open")
    assert later.status == "open"
    with pytest.raises(ProblemsFound):
        set_status(session, later, "archived")


def test_answered_group_keeps_its_questionnaire(session, demo):
    make_response(session, demo, group="business", answers={})
    versions = {link.group_code: link.version_id for link in demo.questionnaires} | {"business": None}
    with pytest.raises(ProblemsFound) as exc:
        # Without its programme (whose groups always answer), the round drops business: refused.
        update_round(session, demo, data(demo, name=demo.name, versions=versions, programmes=[]))
    assert [(p.field, p.reason) for p in exc.value.problems] == [("version_business", "group_has_responses")]


def test_targets_rules(session, demo):
    session.execute(Target.__table__.delete())
    session.commit()
    session.expire_all()
    round_ = session.get(Round, demo.id)
    units = list(session.scalars(select(Unit.id).order_by(Unit.id)))[:4]
    rows = [TargetRow(units[0], target=100), TargetRow(units[1], transactions=5000),
            TargetRow(units[2], target=7, transactions=800), TargetRow(units[3])]
    assert save_targets(session, round_, "citizen", rows) == 3
    got = {t.unit_id: (t.target, t.transactions) for t in round_.targets}
    assert got == {units[0]: (100, None), units[1]: (sample_size(5000), 5000), units[2]: (7, 800)}
    assert save_targets(session, round_, "citizen", rows, compute=True, margin=0.03) == 3
    got = {t.unit_id: t.target for t in round_.targets}
    assert got[units[2]] == sample_size(800, 0.03) == 466 and got[units[0]] == 100
    save_targets(session, round_, "citizen", [TargetRow(units[0])])
    assert units[0] not in {t.unit_id for t in round_.targets}
    with pytest.raises(ProblemsFound) as exc:
        save_targets(session, round_, "nobody", [TargetRow(999_999, target=-1)], margin=1.5)
    assert {p.reason for p in exc.value.problems} == {"bad_group", "out_of_range", "unknown_unit"}
