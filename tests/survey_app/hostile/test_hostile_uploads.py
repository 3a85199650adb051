"""Every upload the console accepts, fed the red team's hostile files (issue 18).

Contacts, units, desks (tables: through services.uploads) and the questionnaire
editor (YAML): each is refused within seconds with a message that names the
problem and does not echo the file back, and nothing is stored.
"""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import func, select

from survey_app.models import Invitation, ServicePoint, Unit
from tests.survey_app.admin.conftest import post_form
from tests.survey_app.hostile.files import BILLION_LAUGHS, HOSTILE_CSV, HOSTILE_XLSX

HOSTILE = [(f"{name}.xlsx", make) for name, make in sorted(HOSTILE_XLSX.items())] + \
    [(f"{name}.csv", make) for name, make in sorted(HOSTILE_CSV.items())]


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _refused(response, started: float) -> str:  # type: ignore[no-untyped-def]
    html = response.get_data(as_text=True)
    assert response.status_code == 422, response.status_code
    assert time.monotonic() - started < 10
    assert len(html) < 200_000 and "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" not in html
    return html


@pytest.mark.parametrize(("filename", "make"), HOSTILE, ids=[name for name, _ in HOSTILE])
@pytest.mark.parametrize("kind", ["units", "desks"])
def test_unit_and_desk_imports_refuse_hostile_files(staff_client, session, demo, kind, filename, make):
    model = Unit if kind == "units" else ServicePoint
    before = _count(session, model)
    started = time.monotonic()
    response = post_form(staff_client, f"/admin/{kind}/import", {"file": (io.BytesIO(make()), filename)},
                         content_type="multipart/form-data")
    _refused(response, started)
    assert _count(session, model) == before


@pytest.mark.parametrize(("filename", "make"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_contact_import_refuses_hostile_files(staff_client, session, demo, filename, make):
    started = time.monotonic()
    response = post_form(staff_client, f"/admin/rounds/{demo.id}/contacts/import",
                         {"group": "business", "file": (io.BytesIO(make()), filename)},
                         page=f"/admin/rounds/{demo.id}/contacts", content_type="multipart/form-data")
    _refused(response, started)
    assert _count(session, Invitation) == 0


def test_questionnaire_editor_refuses_billion_laughs_and_huge_numbers(staff_client, session, demo):
    version = demo.version_for("business")
    for source in (BILLION_LAUGHS, "group: business\nversion: " + "9" * 5000 + "\n",
                   version.source.replace("code: 1", "code: " + "1" * 4400, 1)):
        started = time.monotonic()
        response = post_form(staff_client, f"/admin/questionnaires/{version.id}/edit", {"source": source})
        html = _refused(response, started)
        assert "anchors" in html or "digits" in html


@pytest.mark.parametrize(("filename", "make"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_margin_and_self_assessment_readers_refuse_hostile_files(filename, make):
    """The workbooks of the margins and PAR points features go through the same reader."""
    from survey_app.services.margins import read_margin_file
    from survey_app.services.par_points import read_par_file
    from survey_app.services.problems import ProblemsFound

    data = make()
    for read in (read_margin_file, read_par_file):
        started = time.monotonic()
        with pytest.raises(ProblemsFound) as caught:
            read(filename, data)
        assert time.monotonic() - started < 10
        assert all(len(p.value) <= 60 for p in caught.value.problems)
