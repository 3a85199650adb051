"""Questionnaire (XLSForm) and index-scheme workbooks, fed the hostile files every upload gets (issues 13, 18).

Both readers check a file through the shared bounds (analysis.uploads) before
openpyxl or pyxform see it. Each hostile file is refused within seconds, in
the console, on the command line and in ``python -m analysis``, with a sentence
in Vietnamese and English, and nothing is stored.
"""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from analysis.indices.scheme_workbook import LIMITS as SCHEME_LIMITS
from analysis.indices.scheme_workbook import SchemeWorkbookError, read_scheme_workbook
from analysis.uploads import ECHO_CHARS
from survey_app.models import Programme, ProgrammeScheme, QuestionnaireVersion
from survey_app.questionnaire.xlsform import LIMITS as XLSFORM_LIMITS
from survey_app.questionnaire.xlsform import WorkbookError, read_workbook
from tests.factories import form_field
from tests.survey_app.hostile.files import HOSTILE_XLSX, huge_dimension, huge_file, many_cells, not_a_zip

SECONDS = 5  # every refusal below comes well within this (most in under a second)
assert XLSFORM_LIMITS.max_bytes == SCHEME_LIMITS.max_bytes and XLSFORM_LIMITS.max_cells == SCHEME_LIMITS.max_cells

# name -> (the file, the reason the bounds give; None: refused for its content, harmless to read)
WORKBOOKS = {
    **{name: (make, None) for name, make in HOSTILE_XLSX.items()},
    "shared_strings_bomb": (HOSTILE_XLSX["shared_strings_bomb"], "too_much_data"),
    "zip_bomb": (HOSTILE_XLSX["zip_bomb"], "too_much_data"),
    "too_many_cells": (lambda: many_cells(XLSFORM_LIMITS.max_cells + 1), "too_many_cells"),
    "not_a_zip": (not_a_zip, "not_xlsx"),
    "huge_file": (lambda: huge_file(XLSFORM_LIMITS.max_bytes + 1024), "file_too_large"),
}
NAMES = sorted(WORKBOOKS)
_MADE: dict[str, bytes] = {}


def made(name: str) -> bytes:
    if name not in _MADE:
        _MADE[name] = WORKBOOKS[name][0]()
    return _MADE[name]


def _check_problems(problems, name: str, started: float) -> None:  # type: ignore[no-untyped-def]
    assert time.monotonic() - started < SECONDS, f"{name} must be refused quickly"
    reason = WORKBOOKS[name][1]
    if reason is not None:
        assert problems[0].reason == reason, problems
        assert len(problems[0].value) <= ECHO_CHARS
    vi, en = problems[0].text("vi"), problems[0].text("en")
    assert vi and en and vi != en  # a sentence in each language
    assert "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" not in vi + en


def test_the_two_kb_whole_sheet_declaration_is_two_kb() -> None:
    assert len(made("huge_dimension")) < 8 * 1024


@pytest.mark.parametrize("name", NAMES)
def test_the_questionnaire_reader_refuses_hostile_workbooks(name: str) -> None:
    started = time.monotonic()
    with pytest.raises(WorkbookError) as caught:
        read_workbook(made(name), f"{name}.xlsx", "citizen")
    _check_problems(caught.value.problems, name, started)


@pytest.mark.parametrize("name", NAMES)
def test_the_scheme_reader_refuses_hostile_workbooks(name: str) -> None:
    started = time.monotonic()
    with pytest.raises(SchemeWorkbookError) as caught:
        read_scheme_workbook(made(name), name=f"{name}.xlsx")
    _check_problems(caught.value.problems, name, started)


def test_a_real_form_declaring_the_whole_sheet_is_read_without_padding_it() -> None:
    """Spreadsheet programs declare A1:AMJ1048576 for formatting alone; a small sheet's declaration is not
    believed (pyxform stops at a run of blank rows), so such a form is read, quickly, as written."""
    from tests.survey_app.questionnaire.test_xlsform import HEADER, workbook

    data = huge_dimension(workbook([HEADER, ("text", "y_kien", "Ý kiến", "Comment"), ("integer", "tuoi", "Tuổi", "Age")]))
    started = time.monotonic()
    converted = read_workbook(data, "form.xlsx", "citizen")
    assert time.monotonic() - started < SECONDS
    assert [item.code for item in converted.questionnaire.items] == ["y_kien", "tuoi"]


# -- the console ------------------------------------------------------------------------------------


def _versions(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(QuestionnaireVersion))


def _schemes(session) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return [(s.programme_id, s.code, s.source) for s in session.scalars(
        select(ProgrammeScheme).order_by(ProgrammeScheme.programme_id, ProgrammeScheme.code))]


def _post(client, page: str, fields: dict, data: bytes, name: str):  # type: ignore[no-untyped-def]
    """A multipart upload encoded in memory (the test client would spool a large body to a file it never closes)."""
    html = client.get(page).get_data(as_text=True)
    upload = FileStorage(io.BytesIO(data), filename=name, content_type="application/octet-stream")
    boundary, body = encode_multipart({"csrf_token": form_field(html, "csrf_token"),
                                       **{key: str(value) for key, value in fields.items()}, "file": upload})
    return client.post(page, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _refused_page(response, started: float, name: str) -> str:  # type: ignore[no-untyped-def]
    html = response.get_data(as_text=True)
    assert response.status_code == 422, (name, response.status_code)
    assert time.monotonic() - started < SECONDS
    assert len(html) < 200_000 and "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" not in html
    return html


# The Vietnamese sentence the console shows for each reason of the bounds (the staff member's language).
SHOWN = {"too_much_data": "giải nén", "too_many_cells": "ô.", "not_xlsx": "Excel", "file_too_large": "Tệp lớn hơn 2 MB"}


@pytest.mark.parametrize("name", NAMES)
def test_the_console_questionnaire_upload_refuses_hostile_workbooks(staff_client, session, demo, name):
    before = _versions(session)
    started = time.monotonic()
    response = _post(staff_client, "/admin/questionnaires/import", {"group": "citizen"}, made(name), f"{name}.xlsx")
    html = _refused_page(response, started, name)
    reason = WORKBOOKS[name][1]
    if reason is not None:
        assert SHOWN[reason] in html
    assert _versions(session) == before


@pytest.mark.parametrize("name", NAMES)
def test_the_console_scheme_upload_refuses_hostile_workbooks(staff_client, session, demo, name):
    programme = session.scalar(select(Programme).where(Programme.code == "par_district_2023"))
    before = _schemes(session)
    started = time.monotonic()
    response = _post(staff_client, "/admin/schemes", {"programme_id": programme.id}, made(name), f"{name}.xlsx")
    html = _refused_page(response, started, name)
    reason = WORKBOOKS[name][1]
    if reason is not None:
        assert SHOWN[reason] in html
    assert _schemes(session) == before


@pytest.mark.parametrize("page", ["/admin/questionnaires/import", "/admin/schemes"])
def test_a_body_far_over_the_cap_is_refused_before_it_is_read(staff_client, session, demo, page):
    programme = session.scalar(select(Programme).where(Programme.code == "par_district_2023"))
    before = (_versions(session), _schemes(session))
    started = time.monotonic()
    response = _post(staff_client, page, {"group": "citizen", "programme_id": programme.id},
                     huge_file(20 * 1024 * 1024), "huge.xlsx")
    assert response.status_code == 413 and time.monotonic() - started < SECONDS
    assert (_versions(session), _schemes(session)) == before


# -- the command lines ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_cli_questionnaire_import_refuses_hostile_workbooks(app, session, demo, tmp_path, name):
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(made(name))
    before = _versions(session)
    started = time.monotonic()
    result = app.test_cli_runner().invoke(args=["questionnaires", "import", str(path), "--group", "citizen"])
    assert result.exit_code == 1 and time.monotonic() - started < SECONDS
    assert "nothing stored" in result.output
    assert _versions(session) == before


@pytest.mark.parametrize("name", NAMES)
def test_python_m_analysis_and_schemes_check_refuse_hostile_scheme_workbooks(app, tmp_path, capsys, name):
    from tests.analysis.test_cli import ROUND, run

    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(made(name))
    started = time.monotonic()
    status, _out = run("estimate", "--responses", ROUND, "--scheme", path, "--items", "none", "--out", tmp_path / "x.csv")
    error = capsys.readouterr().err
    assert status == 2 and time.monotonic() - started < SECONDS
    assert not (tmp_path / "x.csv").exists()
    reason = WORKBOOKS[name][1]
    if reason is not None:
        assert SHOWN[reason] in error  # Vietnamese, then English
    started = time.monotonic()
    checked = app.test_cli_runner().invoke(args=["schemes", "check", str(path)])
    assert checked.exit_code != 0 and time.monotonic() - started < SECONDS


def test_cells_are_counted_exactly_across_the_pieces_a_sheet_is_inflated_in() -> None:
    from analysis.problems import Refused
    from analysis.uploads import Limits, check_file

    data = many_cells(150_000)  # about 3 MB of sheet XML: three pieces, tags cut at their edges
    cells = 150_000 + 6  # and the six of the base workbook
    check_file(data, "x.xlsx", Limits(max_cells=cells))
    with pytest.raises(Refused) as caught:
        check_file(data, "x.xlsx", Limits(max_cells=cells - 1))
    assert caught.value.problems[0].reason == "too_many_cells" and caught.value.problems[0].sheet == "Sheet"
