"""The demo: a province after the 2025 arrangement (default), or the seed documents' district.

Province (``flask --app wsgi demo load``): Tỉnh An Bình, a fictional province
with a few wards, communes and one special zone (xã, phường, đặc khu) formed
on 1 July 2025 (some former communes are kept, ended on 30/6/2025 and marked
as merged into the new units), a few departments (sở), the provincial public
administrative service centre, a one-stop point at every commune-level unit
(each desk with its QR code; the centre's desk is ``/q/demo``), and one open
round running the programmes ``sipas_citizen`` and ``par_commune``. The round
is marked simulated: with responses (the default) it holds a few thousand
simulated answers (services/simulate.py), and the transaction counts of the
period as targets, so the dashboard and the indices have something to show.

District (``--district``): Huyện An Bình of the seed documents, its communes
and township, its offices and the district programme ``par_district_2023``,
as before 2025.

Idempotent: every object is looked up by its code or name first, so loading
twice changes nothing.
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.formats import day
from survey_app.models import (
    Programme,
    Response,
    Role,
    Round,
    RoundProgramme,
    RoundQuestionnaire,
    ServicePoint,
    StaffUser,
    Target,
    Unit,
    UnitReplacement,
    today_utc,
)
from survey_app.services import audit
from survey_app.services.auth import create_user
from survey_app.services.dashboard import add_to_tallies
from survey_app.services.desks import new_desk_code
from survey_app.services.programmes import sync_shipped
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.targets import sample_size

# --- the seed district (before 1 July 2025) -------------------------------------------------------

DISTRICT = ("HUYEN_AN_BINH", "Huyện An Bình", "An Binh District", "district")
COMMUNES = [
    ("TT_AN_BINH", "Thị trấn An Bình", "An Binh Town", "town"),
    ("XA_AN_PHU", "Xã An Phú", "An Phu Commune", "commune"),
    ("XA_AN_LAC", "Xã An Lạc", "An Lac Commune", "commune"),
    ("XA_TAN_LAP", "Xã Tân Lập", "Tan Lap Commune", "commune"),
    ("XA_TAN_HOA", "Xã Tân Hòa", "Tan Hoa Commune", "commune"),
    ("XA_PHU_THINH", "Xã Phú Thịnh", "Phu Thinh Commune", "commune"),
    ("XA_DONG_XUAN", "Xã Đông Xuân", "Dong Xuan Commune", "commune"),
    ("XA_HOA_BINH", "Xã Hòa Bình", "Hoa Binh Commune", "commune"),
    ("XA_THANH_HA", "Xã Thanh Hà", "Thanh Ha Commune", "commune"),
    ("XA_NGHIA_DUNG", "Xã Nghĩa Dũng", "Nghia Dung Commune", "commune"),
    ("XA_QUANG_TRUNG", "Xã Quang Trung", "Quang Trung Commune", "commune"),
]
OFFICES = [
    ("P_NOI_VU", "Phòng Nội vụ", "Home Affairs Office"),
    ("P_TU_PHAP", "Phòng Tư pháp", "Justice Office"),
    ("P_TAI_CHINH", "Phòng Tài chính – Kế hoạch", "Finance and Planning Office"),
    ("P_TNMT", "Phòng Tài nguyên và Môi trường", "Natural Resources and Environment Office"),
    ("P_KT_HT", "Phòng Kinh tế và Hạ tầng", "Economy and Infrastructure Office"),
    ("P_LDTBXH", "Phòng Lao động – Thương binh và Xã hội", "Labour, Invalids and Social Affairs Office"),
    ("VP_UBND", "Văn phòng HĐND và UBND huyện", "Office of the People's Council and Committee"),
]
ROUND_NAME = "Khảo sát CCHC 2026"
DISTRICT_PROGRAMME = "par_district_2023"
DEMO_DESK_CODE = "demo"

# --- the province (after 1 July 2025) ------------------------------------------------------------

ARRANGED_ON = date(2025, 7, 1)
PROVINCE = ("TINH_AN_BINH", "Tỉnh An Bình", "An Binh Province", "province")
CENTRE = ("TTPVHCC_AN_BINH", "Trung tâm Phục vụ hành chính công tỉnh An Bình",
          "An Binh Province Public Administrative Service Centre", "service_centre")
DEPARTMENTS = [
    ("SO_NOI_VU", "Sở Nội vụ", "Department of Home Affairs"),
    ("SO_TU_PHAP", "Sở Tư pháp", "Department of Justice"),
    ("SO_TAI_CHINH", "Sở Tài chính", "Department of Finance"),
    ("SO_NN_MT", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment"),
    ("SO_XAY_DUNG", "Sở Xây dựng", "Department of Construction"),
]
# Commune-level units formed on 1 July 2025: (code, name, English name, kind, former units merged into it).
COMMUNE_LEVEL = [
    ("PHUONG_AN_BINH", "Phường An Bình", "An Binh Ward", "ward",
     [("TT_AN_BINH_CU", "Thị trấn An Bình (trước 01/7/2025)", "An Binh Township (before 1 July 2025)", "town"),
      ("XA_TAN_HOA_CU", "Xã Tân Hòa (trước 01/7/2025)", "Tan Hoa Commune (before 1 July 2025)", "commune")]),
    ("PHUONG_TAN_AN", "Phường Tân An", "Tan An Ward", "ward", []),
    ("PHUONG_PHU_THINH", "Phường Phú Thịnh", "Phu Thinh Ward", "ward", []),
    ("XA_AN_PHU", "Xã An Phú", "An Phu Commune", "commune",
     [("XA_AN_PHU_CU", "Xã An Phú (trước 01/7/2025)", "An Phu Commune (before 1 July 2025)", "commune"),
      ("XA_AN_LAC_CU", "Xã An Lạc (trước 01/7/2025)", "An Lac Commune (before 1 July 2025)", "commune")]),
    ("XA_TAN_LAP", "Xã Tân Lập", "Tan Lap Commune", "commune", []),
    ("XA_DONG_XUAN", "Xã Đông Xuân", "Dong Xuan Commune", "commune", []),
    ("XA_THANH_HA", "Xã Thanh Hà", "Thanh Ha Commune", "commune", []),
    ("DK_HON_NGOC", "Đặc khu Hòn Ngọc", "Hon Ngoc Special Zone", "special_zone", []),
]
PROVINCE_ROUND_NAME = "Khảo sát SIPAS và Chỉ số CCHC cấp xã 2026 (dữ liệu mô phỏng)"
PROVINCE_PROGRAMMES = ("sipas_citizen", "par_commune")
# Simulated responses: about this many citizens in all, shared out by transactions.
SIMULATED_CITIZENS = 3000


def load_demo(session: Session, questionnaire_dir: str | Path, admin_email: str | None = None,
              admin_password: str | None = None, *, district: bool = False, responses: bool = True) -> str:
    """Add what is missing of the demo (province by default), with the admin account's audit entry,
    and flush; the caller commits it all at once. Return a one-line summary."""
    if district:
        summary = _load_district(session, questionnaire_dir)
    else:
        summary = _load_province(session, questionnaire_dir, responses)
    created_admin = _admin(session, admin_email, admin_password)
    session.flush()
    return summary + (f", admin {created_admin}" if created_admin else "")


# --- district -------------------------------------------------------------------------------------

def _load_district(session: Session, questionnaire_dir: str | Path) -> str:
    sync_shipped(session, questionnaire_dir, codes=[DISTRICT_PROGRAMME])
    district = _unit(session, *DISTRICT, parent=None)
    communes = [_unit(session, *row, parent=district) for row in COMMUNES]
    for code, name_vi, name_en in OFFICES:
        _unit(session, code, name_vi, name_en, "office", parent=district)
    _desk(session, district, DEMO_DESK_CODE, "Bộ phận một cửa huyện An Bình", "An Binh District one-stop desk")
    for unit in communes:
        _desk(session, unit, None, f"Bộ phận một cửa {unit.name_vi}", f"{unit.name_en} one-stop desk")
    today = today_utc()
    round_ = _round(session, ROUND_NAME, [DISTRICT_PROGRAMME], today - timedelta(days=30),
                    today + timedelta(days=180), simulated=False)
    if not round_.targets:
        rng = random.Random(2026)  # same demo figures on every machine
        for unit in [district, *communes]:
            transactions = rng.randrange(600, 4000)
            round_.targets.append(Target(unit_id=unit.id, group_code="citizen", transactions=transactions,
                                         target=sample_size(transactions)))
            round_.targets.append(Target(unit_id=unit.id, group_code="business", target=rng.randrange(20, 60)))
    session.flush()
    return (f"Demo district loaded: {1 + len(communes)} units with desks, round {round_.name!r} "
            f"open {day(round_.opens_on)} to {day(round_.closes_on)}")


# --- province -------------------------------------------------------------------------------------

def _load_province(session: Session, questionnaire_dir: str | Path, responses: bool) -> str:
    sync_shipped(session, questionnaire_dir, codes=PROVINCE_PROGRAMMES)
    province = _unit(session, *PROVINCE, parent=None)
    centre = _unit(session, *CENTRE, parent=province)
    _desk(session, centre, DEMO_DESK_CODE, "Quầy tiếp nhận và trả kết quả, Trung tâm Phục vụ hành chính công tỉnh",
          "Reception desk, provincial Public Administrative Service Centre", kiosk=True)
    for code, name_vi, name_en in DEPARTMENTS:
        _unit(session, code, name_vi, name_en, "department", parent=province)
    communes: list[Unit] = []
    for code, name_vi, name_en, kind, former in COMMUNE_LEVEL:
        unit = _unit(session, code, name_vi, name_en, kind, parent=province, valid_from=ARRANGED_ON)
        communes.append(unit)
        _desk(session, unit, None, f"Điểm phục vụ hành chính công {name_vi}",
              f"{name_en} public administrative service point")
        for old_code, old_vi, old_en, old_kind in former:
            old = _unit(session, old_code, old_vi, old_en, old_kind, parent=None,
                        valid_to=ARRANGED_ON - timedelta(days=1))
            if session.get(UnitReplacement, (old.id, unit.id)) is None:
                session.add(UnitReplacement(old_unit_id=old.id, new_unit_id=unit.id))
    session.flush()
    today = today_utc()
    round_ = _round(session, PROVINCE_ROUND_NAME, list(PROVINCE_PROGRAMMES), today - timedelta(days=60),
                    today + timedelta(days=120), simulated=True)
    assessed = [centre, *communes]
    counts = _province_targets(round_, assessed, communes)
    stored = _simulate(session, round_, counts) if responses else 0
    session.flush()
    return (f"Demo province loaded: {len(assessed)} units with desks and {len(DEPARTMENTS)} departments, "
            f"round {round_.name!r} open {day(round_.opens_on)} to {day(round_.closes_on)}, "
            + (f"{stored} simulated responses" if responses else "no responses (--no-responses)"))


def _province_targets(round_: Round, assessed: list[Unit], communes: list[Unit]) -> dict[int, int]:
    """Transactions of the period (citizens) and targets; returns citizen transactions per unit id."""
    rng = random.Random(2025)
    transactions: dict[int, int] = {}
    existing = {(t.unit_id, t.group_code): t for t in round_.targets}
    for unit in assessed:
        n = rng.randrange(3000, 12000) if unit.kind == "service_centre" else rng.randrange(500, 4000)
        transactions[unit.id] = n
        if (unit.id, "citizen") not in existing:
            round_.targets.append(Target(unit_id=unit.id, group_code="citizen", transactions=n,
                                         target=sample_size(n)))
    groups = {link.group_code for link in round_.questionnaires}
    for unit in communes:
        for group, low, high in (("business", 20, 60), ("commune_official", 15, 40),
                                 ("commune_hdnd_deputy", 15, 30)):
            if group in groups and (unit.id, group) not in existing:
                round_.targets.append(Target(unit_id=unit.id, group_code=group, target=rng.randrange(low, high)))
    return {t.unit_id: t.transactions for t in round_.targets
            if t.group_code == "citizen" and t.transactions is not None} or transactions


def _simulate(session: Session, round_: Round, transactions: dict[int, int]) -> int:
    """Store simulated responses of every group of the round, once (a round with responses is left alone).

    Citizens: about :data:`SIMULATED_CITIZENS`, spread over the units by their
    transactions and biased like a counter sample (services/simulate.py);
    the other groups: as many per unit as its target. Each response is at its
    unit's desk (citizens by QR code, the others by personal link).
    """
    from survey_app.models.results import RoundMargin
    from survey_app.services.simulate import population_margins, simulate_responses

    if session.scalar(select(func.count()).select_from(Response).where(Response.round_id == round_.id)):
        return 0
    units = {u.id: u for u in session.scalars(select(Unit))}
    desks = {d.unit_id: d for d in session.scalars(select(ServicePoint))}
    by_code = {u.code: u for u in units.values()}
    last = min(today_utc(), round_.closes_on)
    days = max((last - round_.opens_on).days, 0)
    stored = 0
    for link in round_.questionnaires:
        group, version = link.group_code, link.version
        if group == "citizen":
            plan = [(units[uid].code, n) for uid, n in sorted(transactions.items()) if n]
            n = SIMULATED_CITIZENS
        else:
            plan = [(units[t.unit_id].code, t.target) for t in round_.targets if t.group_code == group and t.target]
            n = sum(count for _, count in plan)
        if not plan or not n:
            continue
        questionnaire = questionnaire_of(version)
        rows = []
        for simulated in simulate_responses(questionnaire, plan, n, seed=2026):
            unit = by_code[simulated.unit]
            desk = desks.get(unit.id) if group == "citizen" else None
            rows.append(Response(
                round_id=round_.id, group_code=group, unit_id=unit.id,
                service_point_id=desk.id if desk else None, channel="qr" if group == "citizen" else "link",
                questionnaire_version_id=version.id,
                submitted_on=round_.opens_on + timedelta(days=int(simulated.moment * (days + 1))),
                duration_seconds=simulated.duration_seconds, answers=dict(simulated.answers)))
        session.add_all(rows)
        if group == "citizen":
            # The transaction counts the simulation was drawn from weight it back (margins of the round).
            session.add_all(RoundMargin(round_id=round_.id, group_code=group, variable=m.variable,
                                        category=m.category, total=m.total)
                            for m in population_margins(questionnaire, plan)
                            if m.variable in ("unit", "field", "sex", "age_group"))
        session.flush()
        # the dashboard's tallies of these days, so its first view reads them instead of tallying
        add_to_tallies(session, ({"round_id": r.round_id, "unit_id": r.unit_id, "group_code": r.group_code,
                                  "questionnaire_version_id": r.questionnaire_version_id,
                                  "submitted_on": r.submitted_on, "answers": r.answers} for r in rows))
        stored += len(rows)
    return stored


# --- shared pieces --------------------------------------------------------------------------------

def _unit(session: Session, code: str, name_vi: str, name_en: str, kind: str, parent: Unit | None,
          valid_from: date | None = None, valid_to: date | None = None) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        unit = Unit(code=code, name_vi=name_vi, name_en=name_en, kind=kind, parent=parent,
                    valid_from=valid_from, valid_to=valid_to)
        session.add(unit)
        session.flush()
    return unit


def _desk(session: Session, unit: Unit, code: str | None, name_vi: str, name_en: str,
          kiosk: bool | None = None) -> ServicePoint:
    desk = session.scalar(select(ServicePoint).where(ServicePoint.unit_id == unit.id))
    if desk is None:
        if code and session.scalar(select(ServicePoint.id).where(ServicePoint.code == code)) is not None:
            code = None  # the other demo holds the code (province and district in one database)
        desk = ServicePoint(code=code or new_desk_code(), unit=unit, name_vi=name_vi, name_en=name_en,
                            fields=[1, 2, 3, 4, 5, 6, 7],
                            kiosk_enabled=code == DEMO_DESK_CODE if kiosk is None else kiosk)
        session.add(desk)
        session.flush()
    return desk


def _round(session: Session, name: str, programme_codes: list[str], opens_on: date, closes_on: date, *,
           simulated: bool) -> Round:
    """The round ``name``, created open with the programmes' questionnaires if it does not exist."""
    round_ = session.scalar(select(Round).where(Round.name == name))
    if round_ is not None:
        return round_
    round_ = Round(name=name, period=str(today_utc().year), opens_on=opens_on, closes_on=closes_on,
                   status="open", slip_secret=os.urandom(32), simulated=simulated)
    for code in programme_codes:
        programme = session.scalar(select(Programme).where(Programme.code == code))
        if programme is None:
            raise LookupError(f"programme {code!r} is not loaded")
        round_.programmes.append(RoundProgramme(programme=programme))
        for link in programme.groups:
            if link.version is not None and round_.version_for(link.group_code) is None:
                round_.questionnaires.append(RoundQuestionnaire(group_code=link.group_code, version=link.version))
    session.add(round_)
    session.flush()
    return round_


def _admin(session: Session, email: str | None, password: str | None) -> str | None:
    if not email or not password:
        return None
    if session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower())) is not None:
        return None
    user = create_user(session, email, password, Role.ADMIN, name="Quản trị viên")
    audit.record(session, None, "user.create", user.email, role=user.role, via="demo load")
    return user.email
