"""Console: a round's responses as CSV or XLSX, and their codebook.

CSV is streamed row batch by row batch straight from the database cursor,
so a download of a million responses never holds them in memory. XLSX is a
zip of XML that cannot be streamed while it is written, so it goes to a
temporary file (openpyxl's write-only mode keeps memory flat) which is then
sent and removed. Every download is written to the audit log before it starts.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata

from flask import Response, send_file, stream_with_context
from sqlalchemy.orm import Session

from survey_app.admin import bp, current_user, roles
from survey_app.admin.helpers import get_or_404, group_arg
from survey_app.extensions import db
from survey_app.models import Role, Round
from survey_app.services import audit
from survey_app.services.codebook import codebook_questionnaires, codebook_rows
from survey_app.services.export import ExportFilter, iter_csv, iter_rows, plan_export
from survey_app.services.export_xlsx import write_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_stem(round_: Round, group: str | None, kind: str) -> str:
    """An ASCII file name: ``responses-khao-sat-cchc-2026-citizen`` (Vietnamese letters lose their marks)."""
    plain = unicodedata.normalize("NFKD", round_.name.replace("đ", "d").replace("Đ", "D"))
    slug = "".join(c if c.isalnum() else "-" for c in plain.encode("ascii", "ignore").decode().lower())
    slug = "-".join(part for part in slug.split("-") if part) or f"round-{round_.id}"
    return f"{kind}-{slug}-{group or 'all'}"


def _record(session: Session, round_: Round, group: str | None, fmt: str) -> None:
    audit.record(session, current_user(), f"export.{fmt}", round_.name, group=group or "all")
    session.commit()


@bp.get("/rounds/<int:round_id>/export.csv")
@roles(Role.ADMIN, Role.ANALYST)
def export_csv(round_id: int):
    round_ = get_or_404(Round, round_id)
    group = group_arg()
    _record(db.session, round_, group, "csv")
    plan = plan_export(db.session, ExportFilter(round_id=round_id, group_code=group))
    chunks = (chunk.encode("utf-8") for chunk in iter_csv(plan.header, iter_rows(db.session, plan)))
    return Response(stream_with_context(chunks), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{file_stem(round_, group, "responses")}.csv"',
        "Cache-Control": "no-store",
    })


@bp.get("/rounds/<int:round_id>/export.xlsx")
@roles(Role.ADMIN, Role.ANALYST)
def export_xlsx(round_id: int):
    round_ = get_or_404(Round, round_id)
    group = group_arg()
    _record(db.session, round_, group, "xlsx")
    flt = ExportFilter(round_id=round_id, group_code=group)
    plan = plan_export(db.session, flt)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, plan.header, iter_rows(db.session, plan),
                   codebook=codebook_rows(codebook_questionnaires(db.session, flt)),
                   numeric_columns=plan.numeric_columns)
        sent = open(path, "rb")  # noqa: SIM115  (send_file closes it when the response ends)
    finally:
        os.unlink(path)  # the open handle keeps the data readable until it is closed
    response = send_file(sent, mimetype=XLSX_TYPE, as_attachment=True,
                         download_name=f"{file_stem(round_, group, 'responses')}.xlsx")
    response.headers["Cache-Control"] = "no-store"
    return response


STATS_TYPES = {"sav": "application/x-spss-sav", "dta": "application/x-stata-dta"}


@bp.get("/rounds/<int:round_id>/export.<any(sav, dta):fmt>")
@roles(Role.ADMIN, Role.ANALYST)
def export_stats(round_id: int, fmt: str):
    """SPSS or Stata file with Vietnamese variable and value labels (built in a temporary file, then sent)."""
    from survey_app.services.export_stats import write_stats

    round_ = get_or_404(Round, round_id)
    group = group_arg()
    _record(db.session, round_, group, fmt)
    plan = plan_export(db.session, ExportFilter(round_id=round_id, group_code=group))
    handle, path = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    try:
        write_stats(path, fmt, plan, iter_rows(db.session, plan))
        sent = open(path, "rb")  # noqa: SIM115  (send_file closes it when the response ends)
    finally:
        os.unlink(path)
    response = send_file(sent, mimetype=STATS_TYPES[fmt], as_attachment=True,
                         download_name=f"{file_stem(round_, group, 'responses')}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/rounds/<int:round_id>/codebook.csv")
@roles(Role.ADMIN, Role.ANALYST)
def codebook_csv(round_id: int):
    round_ = get_or_404(Round, round_id)
    group = group_arg()
    rows = codebook_rows(codebook_questionnaires(db.session, ExportFilter(round_id=round_id, group_code=group)))
    header = next(rows)
    text = "".join(iter_csv(header, rows))
    return Response(text.encode("utf-8"), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{file_stem(round_, group, "codebook")}.csv"',
    })
