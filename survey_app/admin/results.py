"""Console: a round's results, the PAR points each unit lost, and the full PAR Index.

The page shows the newest stored analysis run (services/results.py), never
computes on a request: running the analysis is a background job. Figures
below the suppression threshold are hidden; a unit officer sees their own
unit only, and the free-text comments of their unit when it has at least the
threshold of responses from the public (never the official groups': they are
few and could be recognised).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select

from survey_app.admin import bp, current_user, roles
from survey_app.admin.exports import file_stem
from survey_app.admin.formbase import ConsoleForm
from survey_app.admin.forms import ActionForm
from survey_app.admin.helpers import SVG_CSP, get_or_404
from survey_app.admin.jobs import queue_job
from survey_app.admin.margins import margin_problem
from survey_app.extensions import db
from survey_app.models import AnalysisRun, Role, Round, Unit
from survey_app.models import Response as SurveyResponse
from survey_app.services import audit
from survey_app.services.dashboard import free_texts
from survey_app.services.export import ExportFilter
from survey_app.services.jobs import round_jobs
from survey_app.services.margins import census_groups
from survey_app.services.par_points import (
    MAX_BYTES as PAR_MAX_BYTES,
)
from survey_app.services.par_points import (
    full_index,
    import_par_points,
    lost_points,
    read_par_file,
    worst_criteria,
)
from survey_app.services.problems import ProblemsFound
from survey_app.services.results import latest_report, latest_run
from survey_app.services.scope import NoUnit, scope_of

DEFAULT_MIN_N = 10


class ParFileForm(ConsoleForm):
    file = FileField(_l("Self-assessment points (XLSX or CSV)"), validators=[FileRequired()])


def min_n() -> int:
    """Cells with fewer responses are hidden (SURVEY_RESULTS_MIN_N; 10 is the report's default, not a decision)."""
    return int(current_app.config.get("RESULTS_MIN_N", DEFAULT_MIN_N))


def _run_threshold(run: AnalysisRun | None) -> int:
    """The suppression threshold the run was computed with (its stored ``min_n``), else the configured one."""
    return int(cast(int, run.payload.get("min_n", min_n()))) if run else min_n()


def _run_schemes(run: AnalysisRun | None) -> list[dict[str, Any]]:
    """The scheme blocks of a stored run (services/results.py writes them as JSON objects)."""
    return cast(list[dict[str, Any]], run.payload["schemes"]) if run else []


def lang() -> str:
    return str(get_locale() or "vi")[:2]


def title(text: dict | None, fallback: str = "") -> str:
    """A title in the reader's language (Vietnamese when there is no English)."""
    if not text:
        return fallback
    return text.get(lang()) or text.get("vi") or fallback


JOB_LABELS = {
    "analysis": _l("Analysis"),
    "report": _l("Report (Word, Excel, HTML)"),
    "export": _l("Export"),
    "invitations.send": _l("Sending invitations"),
    "invitations.remind": _l("Sending reminders"),
}
JOB_STATUS_LABELS = {"queued": _l("queued"), "running": _l("running"), "done": _l("done"), "failed": _l("job failed")}
JOB_RESULT_LABELS = {"sent": _l("sent"), "failed": _l("failed"), "skipped": _l("skipped"),
                     "responses": _l("responses")}


@bp.context_processor
def _job_labels() -> dict[str, object]:
    return {"job_labels": JOB_LABELS, "job_status_labels": JOB_STATUS_LABELS, "job_result_labels": JOB_RESULT_LABELS,
            "lang": lang()}


def _officer_unit() -> Unit | None:
    """The one unit this user may see (services/scope.py decides), None when they see every unit."""
    try:
        unit_id = scope_of(current_user()).unit_id
    except NoUnit:
        abort(403)
    if unit_id is None:
        return None
    unit = db.session.get(Unit, unit_id)
    if unit is None:  # never fall back to showing every unit
        abort(403)
    return unit


@dataclass(frozen=True)
class _Results:
    """What every results page starts from: the round, its newest stored run, the units, whose they are."""

    round: Round
    run: AnalysisRun | None
    units: dict[str, Unit]  # by code
    officer_unit: Unit | None  # the one unit a unit officer sees; None: every unit
    threshold: int  # the run's suppression threshold

    @property
    def only(self) -> str | None:
        """The code of the one unit shown, None for all."""
        return self.officer_unit.code if self.officer_unit else None

    @property
    def schemes(self) -> list[dict[str, Any]]:
        return _run_schemes(self.run)


def _results(round_id: int) -> _Results:
    """Load a round's results for the signed-in user (404 for an unknown round, 403 out of scope)."""
    round_ = get_or_404(Round, round_id)
    run = latest_run(db.session, round_id)
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    return _Results(round_, run, units, _officer_unit(), _run_threshold(run))


def _chart(scheme: dict, rows: list[dict], threshold: int) -> str:
    """SVG of the index per unit with its confidence interval (suppressed units left out)."""
    from analysis.reporting.charts import interval_chart

    shown = [r for r in rows if r["cell"] and r["cell"]["n"] >= threshold and r["cell"]["est"] is not None]
    if not shown:
        return ""
    scale = scheme["scale"]
    return str(interval_chart([r["name"] for r in shown], [r["cell"]["est"] * scale for r in shown],
                              [r["cell"]["lo"] * scale for r in shown], [r["cell"]["hi"] * scale for r in shown],
                              xlabel="%" if scheme["kind"] == "sipas" else _("points")))


def _scheme_view(scheme: dict, units: dict[str, Unit], only: str | None, threshold: int) -> dict:
    rows = []
    for domain, cells in scheme["cells"].items():
        if domain == "all":
            continue
        code = domain.removeprefix("unit=")
        if only is not None and code != only:
            continue
        if cells["index"] is None or cells["index"]["est"] is None:
            continue
        unit = units.get(code)
        rows.append({"code": code, "name": unit.name(lang()) if unit else code, "cell": cells["index"],
                     "rank": scheme["ranks"].get(code)})
    rows.sort(key=lambda r: (r["rank"]["rank"] if r["rank"] else 10**6, r["name"]))
    programme = scheme.get("programme") or {}
    return {"scheme": scheme, "title": title(scheme["title"], scheme["code"]), "rows": rows,
            "programme": title({k: v for k, v in programme.items() if k in ("vi", "en") and v}),
            "chart": _chart(scheme, rows, threshold),
            "parts": [{**p, "name": title(p["title"], p["code"])} for p in scheme["parts"]]}


@bp.get("/rounds/<int:round_id>/results")
@roles(Role.ADMIN, Role.ANALYST, Role.UNIT_OFFICER)
def round_results(round_id: int):
    res = _results(round_id)
    units = res.units
    chosen = res.only or (request.args.get("unit") if request.args.get("unit") in units else None)
    schemes = [_scheme_view(s, units, res.only, res.threshold) for s in res.schemes]
    comments = _unit_comments(res.round, res.officer_unit, res.threshold) if res.officer_unit else None
    return render_template(
        "admin/results.html", round=res.round, run=res.run, schemes=schemes, threshold=res.threshold, units=units,
        chosen=chosen, chosen_unit=units.get(chosen) if chosen else None, officer_unit=res.officer_unit,
        comments=comments, action=ActionForm(), jobs=round_jobs(db.session, round_id, ("analysis", "report")),
        report=latest_report(db.session, round_id) if res.officer_unit is None else None,
    )


def _unit_comments(round_: Round, unit: Unit, threshold: int) -> list[str] | None:
    """The unit's public free-text answers (texts only), or None when the unit has too few responses."""
    census = census_groups(db.session)
    public = db.session.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.round_id == round_.id, SurveyResponse.unit_id == unit.id,
        SurveyResponse.group_code.not_in(census)))
    if (public or 0) < threshold:
        return None
    texts = free_texts(db.session, ExportFilter(round_id=round_.id, unit_id=unit.id), limit=500)
    return [t.text for t in texts if t.group not in census]


@bp.post("/rounds/<int:round_id>/results/run")
@roles(Role.ADMIN, Role.ANALYST)
def round_results_run(round_id: int):
    """Queue the analysis of the round (the worker computes; the page shows progress)."""
    round_ = get_or_404(Round, round_id)
    if ActionForm().validate_on_submit():
        queue_job("analysis", {"round_id": round_id, "min_n": min_n()}, round_, "analysis.queue")
        flash(_("The analysis is queued; this page shows its progress."))
    return redirect(url_for("admin.round_results", round_id=round_id))


@bp.post("/rounds/<int:round_id>/results/report")
@roles(Role.ADMIN, Role.ANALYST)
def round_report_run(round_id: int):
    """Queue the Word, Excel and HTML report of the round (written by the worker into the instance folder)."""
    round_ = get_or_404(Round, round_id)
    if ActionForm().validate_on_submit():
        queue_job("report", {"round_id": round_id, "min_n": min_n()}, round_, "report.queue", out_folder="reports")
        flash(_("The report is queued; this page shows its progress."))
    return redirect(url_for("admin.round_results", round_id=round_id))


REPORT_FILES = {
    "docx": ("report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "html": ("report.html", "text/html"),
    "pdf": ("report.pdf", "application/pdf"),
}


@bp.get("/rounds/<int:round_id>/results/report.<any(docx, xlsx, html, pdf):fmt>")
@roles(Role.ADMIN, Role.ANALYST)
def round_report_file(round_id: int, fmt: str):
    """The newest finished report of the round, as a download (never shown inline)."""
    round_ = get_or_404(Round, round_id)
    job = latest_report(db.session, round_id)
    name, mimetype = REPORT_FILES[fmt]
    if job is None or name not in cast(list[str], job.result.get("files", [])):
        abort(404)
    path = Path(str(job.result["dir"])) / name
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=mimetype, as_attachment=True,
                         download_name=f"{file_stem(round_, None, 'bao-cao')}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/rounds/<int:round_id>/results/points")
@roles(Role.ADMIN, Role.ANALYST, Role.UNIT_OFFICER)
def round_points(round_id: int):
    """PAR: per unit and criterion the maximum, the points achieved and lost, sorted by loss."""
    res = _results(round_id)
    blocks = []
    for scheme in res.schemes:
        if scheme["kind"] != "par":
            continue
        losses = lost_points(scheme, res.threshold, only=res.only)
        for row in losses:
            unit = res.units.get(row["unit"])
            row["unit_name"] = unit.name(lang()) if unit else row["unit"]
            row["name"] = title(row["title"], row["criterion"])
        worst = [] if res.only else worst_criteria(losses)
        for row in worst:
            row["name"] = title(row["title"], row["criterion"])
        blocks.append({"title": title(scheme["title"], scheme["code"]), "losses": losses, "worst": worst})
    return render_template("admin/points.html", round=res.round, run=res.run, blocks=blocks,
                           threshold=res.threshold, officer_unit=res.officer_unit)


@bp.url_value_preprocessor
def _allow_par_files(endpoint: str | None, values: dict[str, object] | None) -> None:
    if endpoint == "admin.round_par_index" and request.method == "POST":
        request.max_content_length = PAR_MAX_BYTES + 64 * 1024


@bp.route("/rounds/<int:round_id>/results/par-index", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.ANALYST, Role.UNIT_OFFICER)
def round_par_index(round_id: int):
    """The full PAR Index: imported self-assessment points plus the survey's points, out of 100, ranked."""
    res = _results(round_id)
    form, problems, status = ParFileForm(), [], 200
    if request.method == "POST":
        if current_user().role != Role.ADMIN:
            return redirect(url_for("admin.round_par_index", round_id=round_id)), 303
        if form.validate_on_submit():
            upload = form.file.data
            try:
                count = import_par_points(db.session, res.round, read_par_file(upload.filename or "", upload.read()))
            except ProblemsFound as exc:
                db.session.rollback()
                problems, status = [margin_problem(p) for p in exc.problems], 422
            else:
                audit.record(db.session, current_user(), "par_points.import", res.round.name,
                             file=upload.filename or "", rows=count)
                db.session.commit()
                flash(_("Self-assessment points imported: %(n)s rows.", n=count))
                return redirect(url_for("admin.round_par_index", round_id=round_id))
        else:
            problems, status = [str(e) for errors in form.errors.values() for e in errors], 422
    table = full_index(db.session, res.round, res.run.payload if res.run else None, res.threshold)
    if res.only is not None:
        table = [row for row in table if row["unit"] == res.only]
    for row in table:
        unit = res.units.get(row["unit"])
        row["unit_name"] = unit.name(lang()) if unit else row["unit"]
        for line in row["lines"]:
            line["name"] = title(line["title"], line["criterion"])
    chosen = res.only or request.args.get("unit")
    return render_template("admin/par_index.html", round=res.round, run=res.run, table=table, form=form,
                           problems=problems, threshold=res.threshold, chosen=chosen), status


@bp.get("/rounds/<int:round_id>/results/chart.svg")
@roles(Role.ADMIN, Role.ANALYST, Role.UNIT_OFFICER)
def round_results_chart(round_id: int):
    """The index chart of one scheme alone (for saving); the page embeds the same SVG."""
    res = _results(round_id)
    code = request.args.get("scheme", "")
    scheme = next((s for s in res.schemes if s["code"] == code), None)
    if scheme is None:
        return Response(status=404)
    view = _scheme_view(scheme, res.units, res.only, res.threshold)
    response = Response(view["chart"] or "<svg xmlns='http://www.w3.org/2000/svg'/>", mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response

