"""From the console: import transaction counts, run the analysis as a job, read the results page.

Its figures equal ``python -m analysis estimate`` on the export with the exported margins.
"""

from __future__ import annotations

import csv
import io
import math

import pytest
from sqlalchemy import select

from analysis.cli import main as analysis_main
from survey_app.admin.formats import vnnum
from survey_app.extensions import db
from survey_app.models import AnalysisRun, Job
from survey_app.services import jobs
from tests.survey_app.admin.conftest import post_form, signed_in

MARGINS = ("group,dimension,category,count\n"
           "citizen,unit,XA_AN_PHU,5200\ncitizen,unit,XA_AN_LAC,2600\ncitizen,unit,XA_TAN_LAP,1200\n"
           "citizen,unit,HUYEN_AN_BINH,1000\ncitizen,sex,1,4900\ncitizen,sex,2,5100\n"
           "hdnd_deputy,members,,40\ncommune_chair,members,,15\n"
           "business,unit,HUYEN_AN_BINH,300\n")


def run_worker(app) -> int:
    with app.app_context():
        return jobs.work(db.new_session, dict(app.config), burst=True)


def _run_analysis(app, client, round_id):
    response = post_form(client, f"/admin/rounds/{round_id}/results/run", {}, page=f"/admin/rounds/{round_id}/results")
    assert response.status_code == 302
    assert run_worker(app) == 1


def test_console_results_equal_the_command_line(app, session, answered, tmp_path):
    demo = answered
    admin = signed_in(app, session, "admin")
    upload = post_form(admin, f"/admin/rounds/{demo.id}/margins", {"file": (io.BytesIO(MARGINS.encode()), "m.csv")},
                       content_type="multipart/form-data")
    assert upload.status_code == 302
    page = admin.get(f"/admin/rounds/{demo.id}/results").get_data(as_text=True)
    assert "chưa được chạy" in page or "not been run" in page
    _run_analysis(app, admin, demo.id)
    job = session.scalar(select(Job).order_by(Job.id.desc()))
    session.refresh(job)
    assert job.status == "done", job.error
    run = session.scalar(select(AnalysisRun).where(AnalysisRun.round_id == demo.id))
    assert run.responses == 14 + 12 + 6 + 12 + 10 + 10 + 11 + 10 + 10

    # the command line on the export with the exported margins
    export, margins, out = tmp_path / "responses.csv", tmp_path / "margins.csv", tmp_path / "estimates.csv"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["export", "responses", "--round", demo.name, "--out", str(export)]).exit_code == 0
    assert runner.invoke(args=["margins", "export", "--round", demo.name, "--out", str(margins)]).exit_code == 0
    status = analysis_main(["estimate", "--responses", str(export), "--margins", str(margins),
                            "--scheme", "questionnaires/schemes/par_district.yaml",
                            "--scheme", "questionnaires/schemes/sipas.yaml", "--items", "none", "--by", "unit",
                            "--out", str(out)], stdout=io.StringIO())
    assert status == 0
    with out.open(encoding="utf-8") as handle:
        cli = {(r["indicator"], r["domain"]): r for r in csv.DictReader(handle)}
    stored = {(row[0], row[1]): row for row in run.payload["estimates"]}
    assert set(stored) == set(cli)
    for key, row in stored.items():
        for value, name in zip(row[2:6], ("estimate", "se", "ci_low", "ci_high")):
            expected = float(cli[key][name]) if cli[key][name] else math.nan
            if value is None:
                assert math.isnan(expected), key
            else:
                assert value == pytest.approx(expected, rel=1e-9, abs=1e-12), (key, name)

    # the page shows them: names not codes, decimal comma, suppression below the threshold
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        sipas = stored[("sipas:SIPAS", "unit=XA_AN_PHU")]
        shown = vnnum(sipas[2] * 100, 2)
        small = vnnum(stored[("sipas:SIPAS", "unit=XA_TAN_LAP")][2] * 100, 2)
    page = admin.get(f"/admin/rounds/{demo.id}/results").get_data(as_text=True)
    assert "Xã An Phú" in page and shown in page and "," in shown
    assert "<svg" in page and "44" in page
    row = page.split("Xã Tân Lập</a></th>", 1)[1].split("</tr>", 1)[0]
    assert "—" in row and small not in row
    assert "XA_AN_PHU</" not in page  # codes never shown where a name exists

    # running again on the same data gives the same figures
    _run_analysis(app, admin, demo.id)
    runs = session.scalars(select(AnalysisRun).order_by(AnalysisRun.id)).all()
    assert runs[0].payload["estimates"] == runs[1].payload["estimates"]


def test_points_view_and_unit_officer(app, session, answered):
    demo = answered
    admin = signed_in(app, session, "admin")
    _run_analysis(app, admin, demo.id)
    page = admin.get(f"/admin/rounds/{demo.id}/results/points").get_data(as_text=True)
    assert "Huyện An Bình" in page
    assert "Kế hoạch cải cách hành chính hằng năm" in page  # criterion titles, not codes
    officer = signed_in(app, session, "unit_officer", "XA_AN_PHU")
    page = officer.get(f"/admin/rounds/{demo.id}/results").get_data(as_text=True)
    assert "Xã An Phú" in page and "Xã An Lạc" not in page
    assert "Góp ý số 0" in page  # 14 public responses >= 10: their comments are shown
    assert officer.post(f"/admin/rounds/{demo.id}/results/run").status_code in (400, 403)
    small = signed_in(app, session, "unit_officer", "XA_TAN_LAP")
    page = small.get(f"/admin/rounds/{demo.id}/results").get_data(as_text=True)
    assert "Góp ý số" not in page  # 6 responses: below the threshold


def test_full_par_index_adds_self_assessment(app, session, answered):
    demo = answered
    admin = signed_in(app, session, "admin")
    _run_analysis(app, admin, demo.id)
    sheet = ("unit,criterion,title,max_points,points,source\n"
             "HUYEN_AN_BINH,1.1,Kế hoạch CCHC,40,\"35,5\",self\n"
             "HUYEN_AN_BINH,2.1,Văn bản QPPL,30,28,appraised\n")
    url = f"/admin/rounds/{demo.id}/results/par-index"
    response = post_form(admin, url, {"file": (io.BytesIO(sheet.encode()), "points.csv")},
                         content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = admin.get(url + "?unit=HUYEN_AN_BINH").get_data(as_text=True)
    assert "63,50 / 70,00" in page and "/ 30,00" in page
    assert "Điều tra xã hội học" in page and "Thẩm định" in page and "Tự đánh giá" in page
    bad = post_form(admin, url, {"file": (io.BytesIO(b"unit,criterion,max_points,points\nXA_X,1,5,9\n"), "p.csv")},
                    content_type="multipart/form-data")
    assert bad.status_code == 422 and "Dòng 2" in bad.get_data(as_text=True)


def test_report_from_the_console(app, session, answered, tmp_path):
    from docx import Document

    app.instance_path = str(tmp_path / "instance")
    admin = signed_in(app, session, "admin")
    queued = post_form(admin, f"/admin/rounds/{answered.id}/results/report", {},
                       page=f"/admin/rounds/{answered.id}/results")
    assert queued.status_code == 302
    assert run_worker(app) == 1
    job = session.scalar(select(Job).where(Job.kind == "report"))
    session.refresh(job)
    assert job.status == "done", job.error
    page = admin.get(f"/admin/rounds/{answered.id}/results").get_data(as_text=True)
    assert "report.docx" in page and "report.xlsx" in page and "report.html" in page
    word = admin.get(f"/admin/rounds/{answered.id}/results/report.docx", buffered=True)
    assert word.status_code == 200 and word.headers["Content-Disposition"].startswith("attachment")
    document = Document(io.BytesIO(word.get_data()))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in document.tables[0].cell(0, 1).text
    assert any("Xã An Phú" in c.text for t in document.tables for row in t.rows for c in row.cells)
    officer = signed_in(app, session, "unit_officer", "XA_AN_PHU")
    assert officer.get(f"/admin/rounds/{answered.id}/results/report.docx").status_code == 403
