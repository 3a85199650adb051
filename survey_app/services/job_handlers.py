"""What each kind of background job does (registered with services/jobs.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from survey_app.models import Round
from survey_app.services.jobs import JobError, Progress, handler


@handler("analysis")
def analysis_job(session: Session, params: Mapping[str, Any], progress: Progress,
                 config: Mapping[str, Any]) -> dict[str, Any]:
    """Weight, estimate and rank the round's responses; store the figures as a new analysis run."""
    from survey_app.services.results import compute, schemes_for_round, store_run

    round_ = session.get(Round, int(params["round_id"]))
    if round_ is None:
        raise JobError("the round no longer exists")
    schemes = schemes_for_round(session, round_, str(config["QUESTIONNAIRE_DIR"]))
    payload = compute(session, round_, schemes, min_n=int(params.get("min_n", 10)), progress=progress)
    run = store_run(session, round_, payload)
    session.flush()
    return {"run_id": run.id, "responses": run.responses}


def _mail_job(session: Session, params: Mapping[str, Any], progress: Progress, config: Mapping[str, Any],
              kind: str) -> dict[str, Any]:
    """Send invitations or reminders with live counts; resumable (each invitation is claimed before it is sent)."""
    from datetime import timedelta

    from survey_app.services import invitations
    from survey_app.services.errors import RoundNotOpen
    from survey_app.services.mailer import Mailer, MailSettings

    round_ = session.get(Round, int(params["round_id"]))
    if round_ is None:
        raise JobError("the round no longer exists")
    compose = invitations.make_composer(str(config["BASE_URL"]), str(config["MAIL_FROM"]))
    group = params.get("group") or None

    def counts(done: int, total: int, report: invitations.SendReport) -> None:
        progress(done, total, f"sent {report.sent}, failed {report.failed}")

    try:
        with Mailer(MailSettings.from_config(config)) as mailer:
            if kind == "send":
                report = invitations.send_invitations(session, round_, mailer, compose, group=group,
                                                      progress=counts)
            else:
                report = invitations.send_reminders(
                    session, round_, mailer, compose, group=group, progress=counts,
                    min_interval=timedelta(hours=float(params.get("min_interval_hours", 48))))
    except RoundNotOpen as exc:
        raise JobError(f"the round is not open ({exc.reason})") from None
    if report.stopped:
        raise JobError(f"the mail server stopped answering ({report.stopped}) after {report.sent} sent; "
                       "run the job again to continue where it stopped")
    return {"sent": report.sent, "failed": report.failed, "skipped": report.skipped_unconfirmed}


@handler("invitations.send")
def send_invitations_job(session: Session, params: Mapping[str, Any], progress: Progress,
                         config: Mapping[str, Any]) -> dict[str, Any]:
    return _mail_job(session, params, progress, config, "send")


@handler("invitations.remind")
def send_reminders_job(session: Session, params: Mapping[str, Any], progress: Progress,
                       config: Mapping[str, Any]) -> dict[str, Any]:
    return _mail_job(session, params, progress, config, "remind")


@handler("report")
def report_job(session: Session, params: Mapping[str, Any], progress: Progress,
               config: Mapping[str, Any]) -> dict[str, Any]:
    """The round's report as HTML, XLSX and Word (PDF where LibreOffice is installed), as `python -m analysis
    report` writes it, into ``params["out_dir"]``; the results page offers the files."""
    from pathlib import Path

    from analysis.reporting import write_report
    from survey_app.services.results import report_inputs, schemes_for_round

    round_ = session.get(Round, int(params["round_id"]))
    if round_ is None:
        raise JobError("the round no longer exists")
    progress(0, 5, "weights")
    schemes = schemes_for_round(session, round_, str(config["QUESTIONNAIRE_DIR"]))
    inputs = report_inputs(session, round_, [s for _, s in schemes], min_n=int(params.get("min_n", 10)))
    out = Path(str(params["out_dir"]))
    written = write_report(inputs, out, progress=False, issuer=str(config.get("REPORT_ISSUER", "")),
                           place=str(config.get("REPORT_PLACE", "")),
                           on_step=lambda done, total: progress(done + 1, total + 1, "report"))
    return {"dir": str(out), "files": [p.name for p in written], "responses": len(inputs.table)}


EXPORT_FORMATS = ("csv", "xlsx", "sav", "dta")


@handler("export")
def export_job(session: Session, params: Mapping[str, Any], progress: Progress,
               config: Mapping[str, Any]) -> dict[str, Any]:
    """A large export written by the worker into ``params["out_dir"]`` (the round page offers it)."""
    from pathlib import Path

    from survey_app.services.codebook import codebook_questionnaires, codebook_rows
    from survey_app.services.export import ExportFilter, iter_rows, plan_export, write_csv

    fmt = str(params.get("format"))
    if fmt not in EXPORT_FORMATS:
        raise JobError(f"unknown export format {fmt!r}")
    flt = ExportFilter(round_id=int(params["round_id"]), group_code=params.get("group") or None)
    plan = plan_export(session, flt)
    total = int(params.get("expected", 0)) or 1
    seen = [0]

    def rows():  # type: ignore[no-untyped-def]
        for row in iter_rows(session, plan):
            seen[0] += 1
            if seen[0] % 1000 == 0:
                progress(min(seen[0], total - 1), total, "rows")
            yield row

    out = Path(str(params["out_dir"]))
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"responses.{fmt}"
    if fmt == "xlsx":
        from survey_app.services.export_xlsx import write_xlsx

        count = write_xlsx(str(path), plan.header, rows(), codebook=codebook_rows(codebook_questionnaires(session, flt)),
                           numeric_columns=plan.numeric_columns)
    elif fmt in ("sav", "dta"):
        from survey_app.services.export_stats import write_stats

        count = write_stats(path, fmt, plan, rows())
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            count = write_csv(handle, plan.header, rows())
    return {"dir": str(out), "file": path.name, "responses": count}
