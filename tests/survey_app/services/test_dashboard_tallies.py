"""The dashboard's counting scan and answer tallies give exactly the figures of a full scan.

Random rounds (units, groups, desks, channels, days, durations, answers with
gaps, straight-liners) are summarised by the dashboard, then grown (new
responses on old and new days: the stale tallies are recomputed) and
summarised again; each time every figure equals a plain Python pass over all
the responses. Runs on SQLite and, with SURVEY_TEST_DATABASE_URL, on
PostgreSQL (the JSON functions differ: json_extract and ->>).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from analysis.quality import QualityRules
from survey_app.models import CHANNELS, AnswerTally, Response, ServicePoint, Unit, new_response_id
from survey_app.questionnaire import ItemType
from survey_app.services import dashboard
from survey_app.services.export import ExportFilter
from survey_app.services.questionnaires import questionnaire_of

RULES = QualityRules(fast_seconds=90, straightline_min_items=4)


def _rating(q):
    return [i.code for i in q.items if i.type in (ItemType.SATISFACTION5, ItemType.SCALE)]


response_spec = st.tuples(
    st.sampled_from(["citizen", "business"]),
    st.integers(0, 30),  # unit / desk choice
    st.integers(0, 5),  # day offset
    st.sampled_from(CHANNELS),
    st.one_of(st.none(), st.integers(0, 200)),  # duration
    st.one_of(st.integers(1, 5), st.none()),  # straight-line value (None: random answers)
    st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=25, max_size=25),  # answers, None = skipped
)


def _insert(session, demo, specs, context):
    rows = []
    for group, pick, day, channel, duration, straight, values in specs:
        if group == "citizen":
            desk_id, unit_id = context["desks"][pick % len(context["desks"])]
        else:
            desk_id, unit_id = None, context["units"][pick % len(context["units"])]
        codes = context["rating"][group]
        answers = {code: (straight if straight is not None and v is not None else v)
                   for code, v in zip(codes, values) if v is not None}
        if pick % 7 == 0:
            answers["comment"] = "Góp ý"  # a text answer is not a rating
        rows.append({"id": new_response_id(), "round_id": demo.id, "group_code": group, "unit_id": unit_id,
                     "service_point_id": desk_id, "channel": channel,
                     "questionnaire_version_id": context["versions"][group],
                     "submitted_on": demo.opens_on + timedelta(days=day), "duration_seconds": duration,
                     "answers": answers})
    if rows:
        session.execute(insert(Response.__table__), rows)
    session.commit()


def _full_scan(session, flt, context):
    """Every figure of the dashboard, from all responses read into Python."""
    stmt = select(Response).where(Response.round_id == flt.round_id)
    if flt.group_code:
        stmt = stmt.where(Response.group_code == flt.group_code)
    if flt.unit_id:
        stmt = stmt.where(Response.unit_id == flt.unit_id)
    responses = list(session.scalars(stmt))
    answered, satisfied, element_responses = Counter(), Counter(), Counter()
    elements = defaultdict(set)
    for r in responses:
        for element, codes in context["elements"][r.group_code].items():
            if any(r.answers.get(c) is not None for c in codes):
                element_responses[(r.group_code, element)] += 1
                elements[(r.group_code, element)].update(codes)
            for c in codes:
                if r.answers.get(c) is not None:
                    answered[(r.group_code, c)] += 1
                    satisfied[(r.group_code, c)] += r.answers[c] in (4, 5)
    shares = {}
    for (group, element), codes in elements.items():
        used = sorted(c for c in codes if answered[(group, c)])
        shares[(group, element)] = (len(used), element_responses[(group, element)],
                                    sum(satisfied[(group, c)] / answered[(group, c)] for c in used) / len(used))
    return {
        "checked": len(responses),
        "fast": sum(RULES.too_fast(r.duration_seconds) for r in responses),
        "straight": sum(RULES.straight_lined(r.answers.get(c) for c in context["rating"][r.group_code])
                        for r in responses),
        "shares": shares,
        "days": sorted(Counter(r.submitted_on for r in responses).items()),
        "channels": {c: sum(r.channel == c for r in responses) for c in CHANNELS},
        "progress": Counter((r.unit_id, r.group_code) for r in responses),
    }


def _dashboard(session, flt):
    scan = dashboard.scan_counts(session, flt, RULES)
    shares, flags = dashboard.answer_checks(session, flt, RULES, scan)
    session.commit()
    return scan, {
        "checked": flags.checked, "fast": flags.fast, "straight": flags.straight_lined,
        "shares": {(s.group, s.element): (s.items, s.responses, s.share) for s in shares},
        "days": dashboard.per_day(session, flt, scan),
        "channels": dashboard.channel_mix(session, flt, scan),
        "progress": Counter({(r.unit_id, r.group): r.responses
                             for r in dashboard.progress(session, flt, scan) if r.responses}),
    }


def _same(got, want):
    assert {k: v for k, v in got.items() if k != "shares"} == {k: v for k, v in want.items() if k != "shares"}
    assert got["shares"].keys() == want["shares"].keys()
    for key, (items, responses, share) in want["shares"].items():
        assert got["shares"][key][:2] == (items, responses)
        assert abs(got["shares"][key][2] - share) < 1e-12


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(response_spec, max_size=40), second=st.lists(response_spec, max_size=25),
       filter_pick=st.integers(0, 3))
def test_dashboard_equals_a_full_scan(session, demo, first, second, filter_pick):
    session.execute(delete(AnswerTally))
    session.execute(delete(Response))
    session.commit()
    versions = {g: demo.version_for(g) for g in ("citizen", "business")}
    context = {
        "versions": {g: v.id for g, v in versions.items()},
        "rating": {g: _rating(questionnaire_of(v)) for g, v in versions.items()},
        "elements": {g: dashboard._elements(questionnaire_of(v)) for g, v in versions.items()},
        "desks": [(d.id, d.unit_id) for d in session.scalars(select(ServicePoint).order_by(ServicePoint.id))],
        "units": list(session.scalars(select(Unit.id).order_by(Unit.id))),
    }
    unit = context["desks"][0][1]
    flt = [ExportFilter(round_id=demo.id), ExportFilter(round_id=demo.id, group_code="citizen"),
           ExportFilter(round_id=demo.id, unit_id=unit),
           ExportFilter(round_id=demo.id, group_code="business", unit_id=context["units"][0])][filter_pick]
    everything = ExportFilter(round_id=demo.id)

    _insert(session, demo, first, context)
    _same(_dashboard(session, flt)[1], _full_scan(session, flt, context))
    _insert(session, demo, second, context)  # grows some tallied days, adds others: stale ones are recomputed
    _same(_dashboard(session, everything)[1], _full_scan(session, everything, context))
    _same(_dashboard(session, flt)[1], _full_scan(session, flt, context))
    # bursts from the scan equal the ones from their own query
    assert dashboard.bursts(session, everything, dashboard.scan_counts(session, everything)) == \
        dashboard.bursts(session, everything)


def test_tallies_are_reused_until_their_day_changes(session, demo):
    from tests.factories import make_response

    make_response(session, demo, answers={"s_acc_1": 5}, day=demo.opens_on)
    make_response(session, demo, answers={"s_acc_1": 2}, day=demo.opens_on + timedelta(days=1))
    flt = ExportFilter(round_id=demo.id)
    _dashboard(session, flt)
    stored = {t.submitted_on: t.responses for t in session.scalars(select(AnswerTally))}
    assert stored == {demo.opens_on: 1, demo.opens_on + timedelta(days=1): 1}
    # a stored tally is what is shown while its day's count is unchanged (nothing else re-reads the answers)
    first = session.scalar(select(AnswerTally).where(AnswerTally.submitted_on == demo.opens_on))
    first.figures = {**first.figures, "satisfied": {"s_acc_1": 0}}
    session.commit()
    acc = next(s for s in _dashboard(session, flt)[1]["shares"].items() if s[0][1] == "ACC")
    assert acc[1][2] == 0.0
    make_response(session, demo, answers={"s_acc_1": 4}, day=demo.opens_on)  # the day changes: recomputed
    acc = next(s for s in _dashboard(session, flt)[1]["shares"].items() if s[0][1] == "ACC")
    assert abs(acc[1][2] - 2 / 3) < 1e-12
