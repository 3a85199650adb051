"""CLI for the channels beyond the web form: printed paper forms and imported Kobo/ODK submissions."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Round, Unit
from survey_app.services.errors import Invalid

paper_cli = AppGroup("paper", help="Printed paper questionnaires.")


def _round_and_unit(session, round_name: str, unit_code: str | None):  # type: ignore[no-untyped-def]
    round_ = session.scalar(select(Round).where(Round.name == round_name))
    if round_ is None:
        raise click.ClickException(f"no round named {round_name!r}")
    unit = None
    if unit_code is not None:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise click.ClickException(f"no unit with code {unit_code!r}")
    return round_, unit


@paper_cli.command("forms")
@click.option("--round", "round_name", required=True, help="Round name.")
@click.option("--group", required=True, help="Respondent group code (the round must have its questionnaire).")
@click.option("--unit", "unit_code", required=True, help="Unit code printed on the forms.")
@click.option("--count", type=int, default=1, show_default=True, help="How many numbered forms (1-500).")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), required=True)
def paper_forms(round_name: str, group: str, unit_code: str, count: int, lang: str, out_path: str) -> None:
    """Write COUNT printable A4 forms, each with a new unique number, to one PDF."""
    from survey_app.services import audit
    from survey_app.services.paper import forms_pdf, issue_forms
    from survey_app.services.posters import FontMissing

    with db.new_session() as session:
        round_, unit = _round_and_unit(session, round_name, unit_code)
        try:
            batch = issue_forms(session, round_, group, unit, count, lang)
            pdf = forms_pdf(batch)
        except (Invalid, FontMissing) as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from exc
        with open(out_path, "wb") as out:
            out.write(pdf)
        audit.record(session, None, "paper.forms", round_.name, group=group, unit=unit.code, count=count)
        session.commit()
    click.echo(f"Wrote {count} forms ({batch.numbers[0]} … {batch.numbers[-1]}) to {out_path}.")


submissions_cli = AppGroup("submissions", help="Submissions exported from KoboToolbox or ODK Central.")


@submissions_cli.command("import")
@click.option("--round", "round_name", required=True, help="Round name.")
@click.option("--group", required=True, help="Respondent group code of the questionnaire.")
@click.option("--unit", "unit_code", required=True, help="Unit code the submissions are about.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def submissions_import(round_name: str, group: str, unit_code: str, path: str) -> None:
    """Import a CSV or XLSX export; all rows or none, each submission once (re-running adds nothing)."""
    from pathlib import Path

    from survey_app.services import audit
    from survey_app.services.submission_import import LIMITS, ImportRefused, import_submissions

    file = Path(path)
    if file.stat().st_size > LIMITS.max_bytes:
        raise click.ClickException(f"{path} is larger than {LIMITS.max_bytes // (1024 * 1024)} MB")
    with db.new_session() as session:
        round_, unit = _round_and_unit(session, round_name, unit_code)
        try:
            result = import_submissions(session, round_, group, unit, file.name, file.read_bytes())
        except ImportRefused as refused:
            for problem in refused.problems:
                click.echo(problem.text("en"), err=True)
            raise click.ClickException("nothing was imported") from None
        audit.record(session, None, "submissions.import", round_.name, group=group, unit=unit.code,
                     rows=result.rows, imported=result.imported, already=result.already)
        session.commit()
    click.echo(f"Imported {result.imported} submissions; {result.already} of {result.rows} rows were imported before.")
