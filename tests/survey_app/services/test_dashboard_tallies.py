"""The dashboard's counting scan and answer tallies give exactly the figures of a full scan.

Random rounds (units, groups, desks, channels, days, durations, answers with
gaps, straight-liners) are summarised by the dashboard, then grown (new
responses on old and new days: the stale tallies are recomputed) and
summarised again; each time every figure equals a plain Python pass over all
the responses. Runs on SQLite and, with SURVEY_TEST_DATABASE_URL, on
PostgreSQL (the JSON functions differ: json_extract and ->>).

The bulk loads (``dashboard.store_responses``: submissions import, the demo's
simulated responses) add to the tallies as they insert: the property test mixes
them with plain inserts (online submissions, which leave their days stale), and
the tallies a bulk load leaves are checked equal, figure by figure, to the SQL
recomputation from the answers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select

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


def _insert(session, demo, specs, context, bulk=False):
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
    if rows and bulk:
        dashboard.store_responses(session, rows)  # the responses and their tallies' additions
    elif rows:
        session.execute(insert(Response.__table__), rows)
    session.commit()


def _up_to_date(session, round_id):
    """Every partition's stored tally is current, and equal to the SQL recomputation from the answers."""
    everything = ExportFilter(round_id=round_id)
    counts = dashboard.scan_counts(session, everything).by(0, 1, 2, 3)
    stored = {(t.unit_id, t.group_code, t.questionnaire_version_id, t.submitted_on): t
              for t in session.scalars(select(AnswerTally).where(AnswerTally.round_id == round_id))}
    assert {key: stored[key].responses for key in counts if key in stored} == dict(counts)
    assert all(t.layout == dashboard.TALLY_LAYOUT for t in stored.values())
    recomputed = dashboard._recompute(session, everything, list(counts))
    assert {key: (t.responses, t.figures) for key, t in stored.items()} == recomputed


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


@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(response_spec, max_size=40), second=st.lists(response_spec, max_size=25),
       filter_pick=st.integers(0, 3), split=st.integers(0, 40), bulk_first=st.booleans(),
       bulk_second=st.booleans())
def test_dashboard_equals_a_full_scan(session, demo, first, second, filter_pick, split, bulk_first, bulk_second):
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

    _insert(session, demo, first[:split], context, bulk=bulk_first)
    if bulk_first:
        _up_to_date(session, demo.id)  # a bulk load into an empty round leaves every tally current
    _insert(session, demo, first[split:], context)  # online submissions: their days' tallies go stale
    _same(_dashboard(session, flt)[1], _full_scan(session, flt, context))
    # grows some tallied days (a bulk load adds to current and stale tallies alike), adds others
    _insert(session, demo, second, context, bulk=bulk_second)
    if bulk_second and flt == everything:
        _up_to_date(session, demo.id)  # the view just made every tally current; the load kept them so
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


def test_the_demo_load_leaves_current_tallies(session):
    """The province demo's simulated responses are stored with their tallies: the first view tallies nothing."""
    from survey_app.models import Round
    from survey_app.services.demo import PROVINCE_ROUND_NAME, load_demo
    from tests.conftest import QUESTIONNAIRE_DIR

    load_demo(session, QUESTIONNAIRE_DIR)
    round_ = session.scalar(select(Round).where(Round.name == PROVINCE_ROUND_NAME))
    assert session.scalar(select(func.count()).select_from(Response).where(Response.round_id == round_.id)) > 1000
    _up_to_date(session, round_.id)


def test_python_tally_equals_the_sql_one_on_awkward_answers(session, demo):
    """Straight-lining by the number of rating answers, skipped and null answers, a lone answer, 3 in a row."""
    version = demo.version_for("citizen")
    q = questionnaire_of(version)
    rating = _rating(q)
    desk = session.scalars(select(ServicePoint).order_by(ServicePoint.id)).first()
    given = [{}, {rating[0]: 5}, {rating[0]: 4, rating[1]: 4}, {c: 3 for c in rating},
             {rating[0]: None, rating[1]: 2, rating[2]: 2, "comment": "x"}, {rating[0]: 1, rating[1]: 5},
             {c: 5 for c in rating[:4]}, {c: 5 for c in rating[:4]}]
    session.execute(delete(AnswerTally))
    session.execute(delete(Response))
    rows = [{"id": new_response_id(), "round_id": demo.id, "group_code": "citizen", "unit_id": desk.unit_id,
             "service_point_id": desk.id, "channel": "qr", "questionnaire_version_id": version.id,
             "submitted_on": demo.opens_on, "duration_seconds": 100, "answers": answers} for answers in given]
    assert dashboard.store_responses(session, rows[:5]) == 5
    assert dashboard.store_responses(session, rows[5:]) == 3  # added to the tally of the same partition
    session.commit()
    tally = session.scalars(select(AnswerTally)).one()
    assert tally.responses == 8
    assert tally.figures["straight"] == {"2": 2, "4": 2, str(len(rating)): 1}
    _up_to_date(session, demo.id)


def test_a_bulk_load_keeps_a_stale_tally_stale(session, demo):
    """Adding to a tally that misses an online submission leaves it short by that one: the view recomputes it."""
    from tests.factories import make_response

    session.execute(delete(AnswerTally))
    session.execute(delete(Response))
    session.commit()
    make_response(session, demo, answers={"s_acc_1": 5}, day=demo.opens_on)
    flt = ExportFilter(round_id=demo.id)
    _dashboard(session, flt)  # one current tally
    make_response(session, demo, answers={"s_acc_1": 1}, day=demo.opens_on)  # online: not added
    sample = session.scalars(select(Response)).first()
    dashboard.store_responses(session, [{
        "id": new_response_id(), "round_id": demo.id, "group_code": "citizen", "unit_id": sample.unit_id,
        "service_point_id": sample.service_point_id, "channel": "import",
        "questionnaire_version_id": sample.questionnaire_version_id, "submitted_on": demo.opens_on,
        "duration_seconds": 100, "answers": {"s_acc_1": 4}}])
    session.commit()
    tally = session.scalars(select(AnswerTally)).one()
    assert tally.responses == 2  # 1 + 1 added, against 3 responses: stale, so not shown
    acc = next(s for s in _dashboard(session, flt)[1]["shares"].items() if s[0][1] == "ACC")
    assert abs(acc[1][2] - 2 / 3) < 1e-12
    _up_to_date(session, demo.id)


def test_two_loads_at_once_add_up(session, demo):
    """Two transactions loading into the same partition: the second waits for the first's tally, then adds to it."""
    import threading

    from survey_app.extensions import db

    session.execute(delete(AnswerTally))
    session.execute(delete(Response))
    session.commit()
    version = demo.version_for("citizen")
    desk = session.scalars(select(ServicePoint).order_by(ServicePoint.id)).first()

    def rows(values):
        return [{"id": new_response_id(), "round_id": demo.id, "group_code": "citizen", "unit_id": desk.unit_id,
                 "service_point_id": desk.id, "channel": "import", "questionnaire_version_id": version.id,
                 "submitted_on": demo.opens_on, "duration_seconds": 100, "answers": {"s_acc_1": v}}
                for v in values]

    first_rows, second_rows = rows([5, 4, 1]), rows([2, 5])
    errors = []
    with db.new_session() as first:
        dashboard.store_responses(first, first_rows[:1])
        first.commit()  # the partition's tally exists: the second load must wait for its lock
        dashboard.store_responses(first, first_rows[1:])  # holds the tally's row until it commits

        def second_load():
            try:
                with db.new_session() as second:
                    dashboard.store_responses(second, second_rows)
                    second.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        thread = threading.Thread(target=second_load)
        thread.start()
        thread.join(0.5)
        first.commit()
    thread.join(30)
    assert not thread.is_alive() and not errors
    session.expire_all()
    tally = session.scalars(select(AnswerTally)).one()
    assert tally.responses == 5 and tally.figures["satisfied"]["s_acc_1"] == 3
    _up_to_date(session, demo.id)
