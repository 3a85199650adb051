"""Margins of a round: typed or imported (all or nothing, row and column named), exported for the analysis."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from analysis.io import load_margins
from survey_app.services.margins import margin_rows, read_margin_file
from survey_app.services.problems import ProblemsFound
from tests.survey_app.admin.conftest import post_form, signed_in

GOOD = ("group,dimension,category,count\n"
        "citizen,unit,XA_AN_PHU,5200\ncitizen,unit,XA_AN_LAC,2600\n"
        "citizen,sex,Nam,3900\ncitizen,sex,2,3900\n"
        "hdnd_deputy,members,,35\n")


def _upload(client, round_id: int, name: str, data: bytes):
    url = f"/admin/rounds/{round_id}/margins"
    return post_form(client, url, {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_import_csv_then_export_in_the_analysis_format(app, session, demo, tmp_path):
    admin = signed_in(app, session, "admin")
    response = _upload(admin, demo.id, "margins.csv", GOOD.encode())
    assert response.status_code == 302, response.get_data(as_text=True)
    assert ("sex", "1", 3900, "citizen") in margin_rows(session, demo.id)
    out = tmp_path / "margins.csv"
    result = app.test_cli_runner().invoke(args=["margins", "export", "--round", demo.name, "--out", str(out)])
    assert result.exit_code == 0, result.output
    margins = {(m.group, m.variable): m.totals for m in load_margins(out)}
    assert margins[("citizen", "unit")] == {"XA_AN_PHU": 5200.0, "XA_AN_LAC": 2600.0}
    assert margins[("citizen", "sex")] == {"1": 3900.0, "2": 3900.0}
    assert margins[("hdnd_deputy", "group")] == {"hdnd_deputy": 35.0}
    page = admin.get(f"/admin/rounds/{demo.id}/margins").get_data(as_text=True)
    assert "Xã An Phú" in page and "5.200" in page  # names not codes, Vietnamese thousands


def test_bad_rows_named_and_nothing_stored(app, session, demo):
    admin = signed_in(app, session, "admin")
    bad = ("group,dimension,category,count\n"
           "citizen,unit,XA_NOWHERE,5200\n"
           "citizen,sex,Khác,10\n"
           "citizen,unit,XA_AN_PHU,many\n"
           "nobody,unit,XA_AN_PHU,1\n")
    response = _upload(admin, demo.id, "m.csv", bad.encode())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for line in ("Dòng 2", "Dòng 3", "Dòng 4", "Dòng 5"):
        assert line in html, line
    assert "XA_NOWHERE" in html and "many" in html
    assert margin_rows(session, demo.id) == []


def test_totals_that_disagree_are_refused(app, session, demo):
    admin = signed_in(app, session, "admin")
    text = "group,dimension,category,count\ncitizen,unit,XA_AN_PHU,100\ncitizen,sex,1,60\ncitizen,sex,2,30\n"
    response = _upload(admin, demo.id, "m.csv", text.encode())
    assert response.status_code == 422 and margin_rows(session, demo.id) == []


def test_xlsx_import_and_size_bound(app, session, demo):
    admin = signed_in(app, session, "admin")
    book = Workbook()
    sheet = book.active
    for row in ([c for c in ["group", "dimension", "category", "count"]],
                ["citizen", "unit", "XA_AN_PHU", 5200], ["citizen", "field", "Đất đai", 5200]):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    assert _upload(admin, demo.id, "m.xlsx", data.getvalue()).status_code == 302
    assert ("field", "1", 5200, "citizen") in margin_rows(session, demo.id)
    huge = b"group,dimension,category,count\n" + b"citizen,unit,XA_AN_PHU,1\n" * 100_000
    with pytest.raises(ProblemsFound) as caught:
        read_margin_file("m.csv", huge)
    assert caught.value.problems[0].reason == "file_too_large"


def test_grid_entry_and_roles(app, session, demo):
    admin = signed_in(app, session, "admin")
    from sqlalchemy import select

    from survey_app.models import Unit

    unit = session.scalar(select(Unit).where(Unit.code == "XA_AN_PHU"))
    url = f"/admin/rounds/{demo.id}/margins/citizen"
    assert post_form(admin, url, {f"unit-{unit.id}": "12.500"}).status_code == 302
    assert margin_rows(session, demo.id) == [("unit", "XA_AN_PHU", 12500, "citizen")]
    analyst = signed_in(app, session, "analyst")
    assert analyst.get(url).status_code == 403
    assert analyst.get(f"/admin/rounds/{demo.id}/margins.csv").status_code == 200
    officer = signed_in(app, session, "unit_officer", "XA_AN_PHU")
    assert officer.get(f"/admin/rounds/{demo.id}/margins").status_code == 403
