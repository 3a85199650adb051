"""The demo district: Huyện An Bình, its communes, offices, desks and an open round.

Idempotent: every object is looked up by its code or name first, so loading
twice changes nothing.
"""

from __future__ import annotations

import os
import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import Round, RoundQuestionnaire, ServicePoint, StaffUser, Target, Unit, today_utc
from survey_app.services.auth import create_user
from survey_app.services.desks import new_desk_code
from survey_app.services.questionnaires import sync_directory
from survey_app.services.targets import sample_size

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
DEMO_DESK_CODE = "demo"


def load_demo(session: Session, questionnaire_dir: str | Path, admin_email: str | None = None,
              admin_password: str | None = None) -> str:
    """Create what is missing of the demo district; return a one-line summary."""
    district = _unit(session, *DISTRICT, parent=None)
    communes = [_unit(session, *row, parent=district) for row in COMMUNES]
    for code, name_vi, name_en in OFFICES:
        _unit(session, code, name_vi, name_en, "office", parent=district)
    _desk(session, district, DEMO_DESK_CODE, "Bộ phận một cửa huyện An Bình", "An Binh District one-stop desk")
    for unit in communes:
        _desk(session, unit, None, f"Bộ phận một cửa {unit.name_vi}", f"{unit.name_en} one-stop desk")
    round_ = _round(session, questionnaire_dir)
    _targets(session, round_, [district, *communes])
    created_admin = _admin(session, admin_email, admin_password)
    session.commit()
    return (f"Demo district loaded: {1 + len(communes)} units with desks, round {round_.name!r} "
            f"open {round_.opens_on} to {round_.closes_on}" + (f", admin {created_admin}" if created_admin else ""))


def _unit(session: Session, code: str, name_vi: str, name_en: str, kind: str, parent: Unit | None) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        unit = Unit(code=code, name_vi=name_vi, name_en=name_en, kind=kind, parent=parent)
        session.add(unit)
        session.flush()
    return unit


def _desk(session: Session, unit: Unit, code: str | None, name_vi: str, name_en: str) -> ServicePoint:
    desk = session.scalar(select(ServicePoint).where(ServicePoint.unit_id == unit.id))
    if desk is None:
        desk = ServicePoint(code=code or new_desk_code(), unit=unit, name_vi=name_vi, name_en=name_en,
                            fields=[1, 2, 3, 4, 5, 6, 7], kiosk_enabled=code == DEMO_DESK_CODE)
        session.add(desk)
        session.flush()
    return desk


def _round(session: Session, questionnaire_dir: str | Path) -> Round:
    round_ = session.scalar(select(Round).where(Round.name == ROUND_NAME))
    if round_ is not None:
        return round_
    today = today_utc()
    round_ = Round(name=ROUND_NAME, period=str(today.year), opens_on=today - timedelta(days=30),
                   closes_on=today + timedelta(days=180), status="open", slip_secret=os.urandom(32))
    for group, version in sync_directory(session, questionnaire_dir).items():
        round_.questionnaires.append(RoundQuestionnaire(group_code=group, version=version))
    session.add(round_)
    session.flush()
    return round_


def _targets(session: Session, round_: Round, units: list[Unit]) -> None:
    if round_.targets:
        return
    rng = random.Random(2026)  # same demo figures on every machine
    for unit in units:
        transactions = rng.randrange(600, 4000)
        round_.targets.append(Target(unit_id=unit.id, group_code="citizen", transactions=transactions,
                                     target=sample_size(transactions)))
        round_.targets.append(Target(unit_id=unit.id, group_code="business", target=rng.randrange(20, 60)))


def _admin(session: Session, email: str | None, password: str | None) -> str | None:
    if not email or not password:
        return None
    if session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower())) is not None:
        return None
    return create_user(session, email, password, "admin", name="Quản trị viên").email
