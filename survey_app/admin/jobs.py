"""Console: start sending invitations or reminders as background jobs, and see their live counts.

The contacts page shows the round's mail jobs with a progress bar and reloads
itself while one is queued or running; the worker does the sending, so a
restart of the web server neither stops nor repeats it.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from survey_app.admin import bp, current_user, roles
from survey_app.admin.forms import ActionForm
from survey_app.admin.helpers import get_or_404
from survey_app.extensions import db
from survey_app.models import Job, Round
from survey_app.services import audit
from survey_app.services.jobs import enqueue, round_jobs

MAIL_JOBS = ("invitations.send", "invitations.remind")


@bp.app_template_global()
def mail_jobs(round_id: int) -> list[Job]:
    """The round's newest mail jobs (for the contacts page)."""
    return round_jobs(db.session, round_id, MAIL_JOBS)


@bp.post("/rounds/<int:round_id>/invitations/<any(send, remind):what>")
@roles("admin")
def round_mail_job(round_id: int, what: str):
    round_ = get_or_404(Round, round_id)
    if ActionForm().validate_on_submit():
        kind = "invitations.send" if what == "send" else "invitations.remind"
        running = [j for j in mail_jobs(round_id) if j.kind == kind and j.status in ("queued", "running")]
        if running:
            flash(_("This job is already queued or running."))
        else:
            params = {"round_id": round_id, "group": request.form.get("group") or None}
            audit.record(db.session, current_user(), f"{kind}.queue", round_.name)
            enqueue(db.session, kind, params, round_id=round_id, user_id=current_user().id,
                    config=current_app.config)
            flash(_("Queued: the worker sends the emails; this page shows the counts as they go out."))
    return redirect(url_for("admin.round_contacts", round_id=round_id))
