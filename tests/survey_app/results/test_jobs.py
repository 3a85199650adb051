"""The job queue: failures say why, jobs survive a web restart and a dead worker, RQ on a real Redis."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Job, utcnow
from survey_app.services import jobs
from tests.survey_app.admin.conftest import post_form, signed_in
from tests.survey_app.results.test_results_page import run_worker


def _queue(client, round_id):
    return post_form(client, f"/admin/rounds/{round_id}/results/run", {}, page=f"/admin/rounds/{round_id}/results")


def test_a_failed_job_says_why(app, session, answered):
    admin = signed_in(app, session, "admin")
    margins = "group,dimension,category,count\ncitizen,unit,XA_AN_PHU,100\n"  # other units have citizens too
    assert post_form(admin, f"/admin/rounds/{answered.id}/margins", {"file": (io.BytesIO(margins.encode()), "m.csv")},
                     content_type="multipart/form-data").status_code == 302
    _queue(admin, answered.id)
    run_worker(app)
    job = session.scalar(select(Job))
    assert job.status == "failed" and "HUYEN_AN_BINH" in job.error and "no target" in job.error
    page = admin.get(f"/admin/rounds/{answered.id}/results").get_data(as_text=True)
    row = page.split('class="grid jobs"', 1)[1]
    assert "HUYEN_AN_BINH" in row and "thất bại" in row, row


def test_jobs_survive_a_web_restart_and_a_dead_worker(app, session, answered, database_url):
    admin = signed_in(app, session, "admin")
    _queue(admin, answered.id)
    job = session.scalar(select(Job))
    # a worker took it and died: running, no heartbeat for a while
    session.execute(update(Job).values(status="running", attempts=1, heartbeat_at=utcnow() - timedelta(minutes=5)))
    session.commit()
    page = admin.get(f"/admin/rounds/{answered.id}/results").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "<progress" in page
    # the web app restarts (a new app object, as after a deploy); a new worker starts
    restarted = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "BASE_URL": "http://localhost",
                            "QUESTIONNAIRE_DIR": app.config["QUESTIONNAIRE_DIR"]})
    with restarted.app_context():
        assert jobs.work(db.new_session, dict(restarted.config), burst=True) == 1
    session.refresh(job)
    assert job.status == "done" and job.attempts == 2 and job.result["responses"] > 0
    page = signed_in(restarted, session, "analyst").get(f"/admin/rounds/{answered.id}/results").get_data(as_text=True)
    assert "Số liệu được tính lúc" in page and 'http-equiv="refresh"' not in page


def test_worker_command(app, session, answered):
    admin = signed_in(app, session, "admin")
    _queue(admin, answered.id)
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0 and "Ran 1 job(s)." in result.output, result.output
    listing = app.test_cli_runner().invoke(args=["jobs", "list"])
    assert "analysis\tdone" in listing.output


def test_rq_backend_on_redis(app, session, answered):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/4"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    app.config.update(JOBS_BACKEND="rq", JOBS_REDIS_URL=url, JOBS_RQ_QUEUE=f"test-{uuid.uuid4().hex[:8]}")
    admin = signed_in(app, session, "admin")
    assert _queue(admin, answered.id).status_code == 302
    job = session.scalar(select(Job))
    assert job.status == "queued"
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    session.refresh(job)
    assert job.status == "done", job.error
    queue = jobs.rq_queue(app.config)
    queue.delete(delete_jobs=True)


def test_embedded_worker_runs_jobs_without_a_worker_command(app, session, answered, database_url):
    """`make run` (development): the web process runs the database queue itself."""
    import time

    web = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "BASE_URL": "http://localhost",
                      "QUESTIONNAIRE_DIR": app.config["QUESTIONNAIRE_DIR"], "JOBS_EMBEDDED_WORKER": True})
    from tests.factories import login

    client = web.test_client()
    signed_in(app, session, "admin")
    assert login(client, "admin-all@example.org").status_code == 302
    try:
        _queue(client, answered.id)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            session.expire_all()
            job = session.scalar(select(Job))
            if job.status in ("done", "failed"):
                break
            time.sleep(0.2)
        assert job.status == "done", job.error
    finally:
        thread, stop = web.extensions["job_worker"]
        stop.set()
        thread.join(timeout=10)


@pytest.mark.parametrize("fmt", ["xlsx", "sav"])
def test_large_export_as_a_job(app, session, answered, tmp_path, fmt):
    app.instance_path = str(tmp_path / "instance")
    analyst = signed_in(app, session, "analyst")
    round_page = f"/admin/rounds/{answered.id}"
    assert post_form(analyst, f"{round_page}/exports/{fmt}?group=citizen", {}, page=round_page).status_code == 302
    run_worker(app)
    job = session.scalar(select(Job).where(Job.kind == "export"))
    session.refresh(job)
    assert job.status == "done" and job.result["responses"] == 14 + 12 + 6 + 10, job.error
    page = analyst.get(round_page).get_data(as_text=True)
    link = f"{round_page}/exports/job-{job.id}"
    assert link in page
    download = analyst.get(link, buffered=True)
    assert download.status_code == 200
    saved = tmp_path / f"download.{fmt}"
    saved.write_bytes(download.get_data())
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(saved, read_only=True)
        assert len(book.sheetnames) == 2  # responses and codebook
        book.close()
    else:
        import pyreadstat

        data, meta = pyreadstat.read_sav(str(saved))
        assert len(data) == 42 and meta.variable_value_labels["sex"] == {1: "Nam", 2: "Nữ"}
    assert signed_in(app, session, "unit_officer", "XA_AN_PHU").get(link).status_code == 403
