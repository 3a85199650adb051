"""The demo province after the 2025 arrangement: what `make run` shows a newcomer."""

from __future__ import annotations

from sqlalchemy import func, select

from survey_app.models import Response, Round, ServicePoint, Target, Unit
from survey_app.services.demo import PROVINCE_ROUND_NAME, load_demo
from survey_app.services.programmes import round_groups, round_schemes
from survey_app.services.rounds_admin import round_units
from survey_app.services.units import DeskData, save_desk
from tests.conftest import QUESTIONNAIRE_DIR
from tests.factories import login, make_user


def _counts(session) -> tuple[int, ...]:
    session.expire_all()
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (Unit, ServicePoint, Round, Target,
                                                                               Response))


def test_province_demo_has_the_two_tier_structure_and_simulated_responses(app, session):
    summary = load_demo(session, QUESTIONNAIRE_DIR)
    session.commit()
    assert "simulated responses" in summary
    first = _counts(session)
    load_demo(session, QUESTIONNAIRE_DIR)  # idempotent
    session.commit()
    assert _counts(session) == first
    round_ = session.scalar(select(Round).where(Round.name == PROVINCE_ROUND_NAME))
    assert round_.simulated and round_.status == "open" and "dữ liệu mô phỏng" in round_.name
    assert {link.programme.code for link in round_.programmes} == {"sipas_citizen", "par_commune"}
    assert {g.code for g in round_groups(session, round_)} >= {"citizen", "business", "commune_official"}
    assert {code for _p, code, _s in round_schemes(round_)} == {"sipas_1001", "par_commune"}
    kinds = {u.kind for u in session.scalars(select(Unit))}
    assert {"province", "department", "service_centre", "ward", "commune", "special_zone"} <= kinds
    assert "district" not in kinds  # no huyện after 1 July 2025
    # Former communes ended on 30/6/2025 and are merged into the new ones; the round does not offer them.
    an_phu = session.scalar(select(Unit).where(Unit.code == "XA_AN_PHU"))
    assert {u.code for u in an_phu.took_over} == {"XA_AN_PHU_CU", "XA_AN_LAC_CU"}
    offered = {u.code for u in round_units(session, round_, "citizen")}
    assert "XA_AN_PHU" in offered and "XA_AN_PHU_CU" not in offered and "SO_NOI_VU" in offered
    responses = session.scalar(select(func.count()).select_from(Response).where(Response.round_id == round_.id))
    assert responses >= 3000
    citizens = session.scalar(select(func.count()).select_from(Response).where(
        Response.round_id == round_.id, Response.group_code == "citizen"))
    assert citizens == 3000
    # The demo desk answers with the SIPAS citizen form.
    page = app.test_client().get("/q/demo")
    assert page.status_code == 200 and "Trung tâm Phục vụ hành chính công" in page.get_data(as_text=True)
    # A desk left at a former commune does not take answers for this round.
    save_desk(session, DeskData(unit_code="XA_AN_PHU_CU", name_vi="Bộ phận một cửa cũ", code="mot-cua-cu"))
    session.commit()
    assert app.test_client().get("/q/mot-cua-cu").status_code == 404


def test_province_demo_without_responses_and_the_dashboard_says_simulated(app, session):
    load_demo(session, QUESTIONNAIRE_DIR, responses=False)
    session.commit()
    round_ = session.scalar(select(Round).where(Round.name == PROVINCE_ROUND_NAME))
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    assert {t.group_code for t in round_.targets} >= {"citizen", "business"}
    assert all(t.transactions for t in round_.targets if t.group_code == "citizen")
    client = app.test_client()
    assert login(client, make_user(session, "admin").email).status_code == 302
    html = client.get(f"/admin/rounds/{round_.id}/dashboard").get_data(as_text=True)
    assert "dữ liệu mô phỏng" in html
    html = client.get(f"/admin/rounds/{round_.id}").get_data(as_text=True)
    assert "dữ liệu mô phỏng" in html and "chép lại số liệu của quyết định" in html.lower()
    # Renamed, a simulated round still says so in its name (every export row and report shows it).
    from survey_app.services.rounds_admin import RoundData, update_round

    update_round(session, round_, RoundData(name="Đợt thử", opens_on=round_.opens_on, closes_on=round_.closes_on,
                                            versions={l.group_code: l.version_id for l in round_.questionnaires}))
    assert round_.name == "Đợt thử (dữ liệu mô phỏng)"


def test_province_demo_round_has_the_transaction_counts_that_weight_it_back(app, session):
    from survey_app.models.results import RoundMargin
    from survey_app.services.margins import margins_csv

    load_demo(session, QUESTIONNAIRE_DIR)
    session.commit()
    round_ = session.scalar(select(Round).where(Round.name == PROVINCE_ROUND_NAME))
    margins = list(session.scalars(select(RoundMargin).where(RoundMargin.round_id == round_.id)))
    variables = {m.variable for m in margins}
    assert {"unit", "sex", "age_group"} <= variables
    # Every variable adds up to the same number of transactions, as raking needs.
    totals = {v: sum(m.total for m in margins if m.variable == v) for v in variables}
    assert len(set(totals.values())) == 1
    units = {t.unit_id: t.transactions for t in round_.targets if t.group_code == "citizen"}
    assert totals["unit"] == sum(units.values())
    assert margins_csv(session, round_.id).startswith("variable,category,total")


def test_district_demo_loads_beside_the_province_without_taking_its_desk_code(session):
    load_demo(session, QUESTIONNAIRE_DIR, responses=False)
    session.commit()
    summary = load_demo(session, QUESTIONNAIRE_DIR, district=True)
    session.commit()
    assert summary.startswith("Demo district loaded") and "/20" in summary  # dates as dd/mm/yyyy
    demo = session.scalar(select(ServicePoint).where(ServicePoint.code == "demo"))
    assert demo.unit.kind == "service_centre"  # /q/demo stays the province's desk
