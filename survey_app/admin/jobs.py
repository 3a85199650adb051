"""Console: start sending invitations or reminders as background jobs, and see their live counts.

The contacts page shows the round's mail jobs with a progress bar and reloads
itself while one is queued or running; the worker does the sending, so a
restart of the web server neither stops nor repeats it.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _

from survey_app.admin import bp, current_user, roles
from survey_app.admin.exports import file_stem
from survey_app.admin.forms import ActionForm
from survey_app.admin.helpers import get_or_404, group_arg
from survey_app.extensions import db
from survey_app.models import Job, Role, Round
from survey_app.services import audit
from survey_app.services.export import count_responses
from survey_app.services.jobs import dispatch, enqueue, is_pending, round_jobs

MAIL_JOBS = ("invitations.send", "invitations.remind")


def queue_job(kind: str, params: dict[str, object], round_: Round, action: str, *,
              out_folder: str | None = None, **detail: object) -> Job:
    """Queue a round's background job with its audit entry, in one commit, then hand it to the worker.

    ``out_folder`` (``exports``, ``reports``) gives the job a folder of its own under the instance
    folder, named after its id, where the worker writes its files (``params["out_dir"]``)."""
    user = current_user()
    audit.record(db.session, user, action, round_.name, **detail)
    job = enqueue(db.session, kind, params, round_id=round_.id, user_id=user.id)
    if out_folder:
        job.params = {**job.params, "out_dir": str(Path(current_app.instance_path) / out_folder / f"job-{job.id}")}
    db.session.commit()
    dispatch(job, current_app.config)
    return job


@bp.app_template_global()
def mail_jobs(round_id: int) -> list[Job]:
    """The round's newest mail jobs (for the contacts page)."""
    return round_jobs(db.session, round_id, MAIL_JOBS)


@bp.post("/rounds/<int:round_id>/invitations/<any(send, remind):what>")
@roles(Role.ADMIN)
def round_mail_job(round_id: int, what: str):
    round_ = get_or_404(Round, round_id)
    if ActionForm().validate_on_submit():
        kind = "invitations.send" if what == "send" else "invitations.remind"
        if is_pending(db.session, round_id, kind):
            flash(_("This job is already queued or running."))
        else:
            queue_job(kind, {"round_id": round_id, "group": request.form.get("group") or None}, round_,
                      f"{kind}.queue")
            flash(_("Queued: the worker sends the emails; this page shows the counts as they go out."))
    return redirect(url_for("admin.round_contacts", round_id=round_id))


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}


@bp.app_template_global()
def export_jobs(round_id: int) -> list[Job]:
    """The round's newest background exports (for the round page)."""
    return round_jobs(db.session, round_id, ("export",))


@bp.post("/rounds/<int:round_id>/exports/<any(csv, xlsx, sav, dta):fmt>")
@roles(Role.ADMIN, Role.ANALYST)
def round_export_job(round_id: int, fmt: str):
    """Build a large export in the background; the round page offers it when it is ready."""
    round_ = get_or_404(Round, round_id)
    if ActionForm().validate_on_submit():
        group = group_arg()
        expected = count_responses(db.session, round_id, group)
        queue_job("export", {"round_id": round_id, "group": group, "format": fmt, "expected": expected},
                  round_, f"export.{fmt}.queue", out_folder="exports", group=group or "all")
        flash(_("The export is being prepared; it will be offered on this page."))
    return redirect(url_for("admin.round_detail", round_id=round_id))


@bp.get("/rounds/<int:round_id>/exports/job-<int:job_id>")
@roles(Role.ADMIN, Role.ANALYST)
def round_export_file(round_id: int, job_id: int):
    """A finished background export, as a download; recorded in the audit log."""
    round_ = get_or_404(Round, round_id)
    job = db.session.get(Job, job_id)
    if job is None or job.round_id != round_id or job.kind != "export" or job.status != "done":
        abort(404)
    fmt = str(job.params.get("format"))
    path = Path(str(job.result.get("dir", ""))) / f"responses.{fmt}"
    if fmt not in EXPORT_TYPES or not path.is_file():
        abort(404)
    audit.record(db.session, current_user(), f"export.{fmt}", round_.name, group=job.params.get("group") or "all")
    db.session.commit()
    group = cast(str | None, job.params.get("group"))  # stored by round_export: the form's group or None
    response = send_file(path, mimetype=EXPORT_TYPES[fmt], as_attachment=True,
                         download_name=f"{file_stem(round_, group, 'responses')}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response
