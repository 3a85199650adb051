"""Units and desks service: CSV reading, checks, all-or-nothing imports."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.models import ServicePoint, Unit
from survey_app.services.problems import ProblemsFound
from survey_app.services.units import (
    DeskData,
    UnitData,
    import_desks,
    import_units,
    read_csv,
    save_desk,
    save_unit,
)


def reasons(exc: pytest.ExceptionInfo[ProblemsFound]) -> list[tuple[int | None, str, str]]:
    return [(p.row, p.field, p.reason) for p in exc.value.problems]


def test_read_csv_accepts_bom_semicolons_and_skips_blank_lines():
    rows = read_csv("\ufeffCode;Name_VI;kind\r\nA;Ă;commune\r\n;;\r\n\r\nB;\"x;y\";ward\r\n".encode(),
                    ("code", "name_vi", "kind"), ("code",))
    assert rows == [(2, {"code": "A", "name_vi": "Ă", "kind": "commune"}),
                    (5, {"code": "B", "name_vi": "x;y", "kind": "ward"})]


@pytest.mark.parametrize(("raw", "reason"), [
    (b"", "missing_column"),
    (b"code,name_vi,kind\n", "empty"),
    (b"code,name_vi,kind,extra\nA,B,commune,1\n", "unknown_column"),
    (b"code,name_vi,kind\nA,B,commune,1\n", "too_many_cells"),
    ("code,name_vi,kind\nA,Bình,commune\n".encode("utf-16"), "not_utf8"),
])
def test_read_csv_refuses_bad_files(raw, reason):
    with pytest.raises(ProblemsFound) as exc:
        read_csv(raw, ("code", "name_vi", "kind"), ("code",))
    assert reason in [p.reason for p in exc.value.problems]


def test_unit_checks(session, demo):
    with pytest.raises(ProblemsFound) as exc:
        save_unit(session, UnitData(code="9bad", name_vi="", kind="village", parent_code="NOPE"))
    assert {r for _row, _f, r in reasons(exc)} == {"bad_unit_code", "required", "bad_kind", "unknown_unit"}
    unit = save_unit(session, UnitData(code=" xa_moi ", name_vi=" Xã Mới ", kind="Commune"))
    assert (unit.code, unit.name_vi, unit.kind, unit.parent) == ("XA_MOI", "Xã Mới", "commune", None)


def test_import_detects_cycles_created_by_the_file(session, demo):
    raw = b"code,name_vi,kind,parent_code\nHUYEN_AN_BINH,H,district,XA_AN_PHU\n"
    with pytest.raises(ProblemsFound) as exc:
        import_units(session, raw)
    assert reasons(exc) == [(2, "parent_code", "cycle")]
    assert session.scalar(select(Unit.parent_id).where(Unit.code == "HUYEN_AN_BINH")) is None


def test_import_units_is_idempotent(session, demo):
    raw = b"code,name_vi,kind,parent_code\nXA_A,A,commune,HUYEN_AN_BINH\nXA_B,B,commune,XA_A\n"
    assert import_units(session, raw).created == 2
    again = import_units(session, raw)
    assert (again.created, again.updated) == (0, 2)
    assert session.scalar(select(func.count()).select_from(Unit).where(Unit.code.in_(["XA_A", "XA_B"]))) == 2


def test_desk_checks_and_codes(session, demo):
    with pytest.raises(ProblemsFound) as exc:
        save_desk(session, DeskData(unit_code="NOPE", name_vi="Q", code="A B", fields="1;x", active="maybe"))
    assert {r for _row, _f, r in reasons(exc)} == {"unknown_unit", "bad_desk_code", "bad_fields", "bad_flag"}
    with pytest.raises(ProblemsFound) as exc:
        save_desk(session, DeskData(unit_code="XA_AN_PHU", name_vi="Q", code="demo"))
    assert reasons(exc) == [(None, "code", "code_taken")]
    desk = save_desk(session, DeskData(unit_code="xa_an_phu", name_vi="Q", code="Quay-1", fields="3,1 1"))
    assert (desk.code, desk.fields, desk.active, desk.kiosk_enabled) == ("quay-1", [1, 3], True, False)


def test_import_desks_refuses_duplicate_codes_in_the_file(session, demo):
    before = session.scalar(select(func.count()).select_from(ServicePoint))
    raw = b"code,unit_code,name_vi\nq-1,XA_AN_PHU,A\nq-1,XA_AN_LAC,B\n,XA_AN_LAC,C\n"
    with pytest.raises(ProblemsFound) as exc:
        import_desks(session, raw)
    assert reasons(exc) == [(3, "code", "duplicate_in_file")]
    assert session.scalar(select(func.count()).select_from(ServicePoint)) == before
