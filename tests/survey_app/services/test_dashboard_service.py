"""Dashboard service: element shares, straight-lining, fast completions, bursts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from survey_app.models import Response, ServicePoint
from survey_app.services import dashboard
from survey_app.services.export import ExportFilter
from tests.factories import make_response


def test_element_share_is_the_mean_of_item_shares(session, demo):
    make_response(session, demo, answers={"s_staff_1": 5, "s_staff_2": 1, "s_staff_3": 4})
    make_response(session, demo, answers={"s_staff_1": 3})
    shares, _flags = dashboard.answer_checks(session, ExportFilter(round_id=demo.id), 60)
    staff = next(s for s in shares if s.element == "STAFF")
    # s_staff_1: 1 of 2 satisfied; s_staff_2: 0 of 1; s_staff_3: 1 of 1 -> mean 0.5
    assert (staff.group, staff.items, staff.responses) == ("citizen", 3, 2)
    assert abs(staff.share - 0.5) < 1e-9


def test_straight_lining_needs_enough_rating_items(session, demo):
    same = {code: 3 for code in ("s_acc_1", "s_acc_2", "s_acc_3", "s_proc_1", "s_proc_2")}
    make_response(session, demo, answers=same)
    make_response(session, demo, answers=dict(list(same.items())[:4]))  # four items: too few to judge
    make_response(session, demo, answers={**same, "s_proc_2": 4})
    _shares, flags = dashboard.answer_checks(session, ExportFilter(round_id=demo.id), 60)
    assert (flags.checked, flags.straight_lined) == (3, 1)


def test_fast_completions_use_the_threshold(session, demo):
    for seconds in (10, 59, 60, None):
        make_response(session, demo, duration=seconds)
    assert dashboard.answer_checks(session, ExportFilter(round_id=demo.id), 60)[1].fast == 2


def test_burst_needs_history_a_minimum_and_a_multiple(session, demo):
    desk = session.scalar(select(ServicePoint).where(ServicePoint.code == "demo"))
    version = demo.version_for("citizen").id

    def day(offset: int, n: int) -> None:
        session.add_all(Response(round_id=demo.id, group_code="citizen", unit_id=desk.unit_id,
                                 service_point_id=desk.id, channel="qr", questionnaire_version_id=version,
                                 answers={}, submitted_on=demo.opens_on + timedelta(days=offset)) for _ in range(n))
        session.commit()

    flt = ExportFilter(round_id=demo.id)
    day(0, 25)
    assert dashboard.bursts(session, flt) == []  # no usual rate yet
    for offset in (1, 2, 3):
        day(offset, 10)
    assert dashboard.bursts(session, flt) == []  # 25 < 3 x 10
    day(4, 40)
    found = dashboard.bursts(session, flt)
    assert [(b.desk_code, b.day - demo.opens_on, b.responses, b.usual) for b in found] == [
        ("demo", timedelta(days=4), 40, 10.0)]


def test_progress_lists_targets_without_responses(session, demo):
    rows = dashboard.progress(session, ExportFilter(round_id=demo.id, group_code="business"))
    assert rows and all(r.responses == 0 and r.target for r in rows)
    assert rows[0].unit_code == "HUYEN_AN_BINH"  # the district first
    assert rows[0].percent == 0
