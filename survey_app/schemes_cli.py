"""``flask schemes export|check``: index schemes as Excel workbooks for the people who apply a decision.

``export --programme CODE`` writes the scheme a programme stores (the one its
rounds are computed with); ``--scheme PATH`` writes a scheme file.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from analysis.indices.scheme import SchemeError
from analysis.indices.scheme_files import load_scheme
from analysis.indices.scheme_workbook import SchemeWorkbookError, read_scheme_workbook, write_scheme_workbook
from survey_app.services.scheme_view import questionnaire_items

schemes_cli = AppGroup("schemes", help="Index schemes as Excel workbooks.")


@schemes_cli.command("export")
@click.option("--programme", "programme_code", default=None, help="Programme code: write its index scheme.")
@click.option("--code", "scheme_code", default=None, help="Which scheme of the programme, when it has several.")
@click.option("--scheme", "scheme_path", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Instead: a scheme file (YAML or XLSX), e.g. questionnaires/schemes/par_district.yaml.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(programme_code: str | None, scheme_code: str | None, scheme_path: Path | None, out: Path) -> None:
    """Write a scheme as a workbook (sheets settings, nodes or criteria, areas, items, indicators)."""
    if (programme_code is None) == (scheme_path is None):
        raise click.UsageError("give either --programme CODE or --scheme PATH")
    try:
        if programme_code:
            scheme = _programme_scheme(programme_code, scheme_code)
        elif scheme_path is not None:
            scheme = load_scheme(scheme_path)
        else:
            raise click.UsageError("give either --programme CODE or --scheme PATH")
    except SchemeError as exc:
        raise click.ClickException(str(exc)) from None
    out.write_bytes(write_scheme_workbook(scheme))
    click.echo(f"scheme {scheme.code} written to {out}")


def _programme_scheme(programme_code: str, scheme_code: str | None):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from survey_app.extensions import db
    from survey_app.models import Programme
    from survey_app.services.scheme_view import programme_scheme

    programme = db.session.scalar(select(Programme).where(Programme.code == programme_code))
    if programme is None:
        raise click.ClickException(f"no programme {programme_code}")
    codes = [row.code for row in programme.schemes]
    if scheme_code is None and len(codes) != 1:
        raise click.ClickException(f"programme {programme_code} has schemes {', '.join(codes) or '(none)'}: "
                                   "choose one with --code")
    scheme = programme_scheme(programme, scheme_code or codes[0])
    if scheme is None:
        raise click.ClickException(f"programme {programme_code} has no scheme {scheme_code}")
    return scheme


@schemes_cli.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(path: Path) -> None:
    """Check a scheme workbook against the questionnaire files; list every problem with sheet, row and column."""
    items = questionnaire_items(current_app.config["QUESTIONNAIRE_DIR"])
    try:
        scheme = read_scheme_workbook(path, questionnaire_items=items)
    except SchemeWorkbookError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        raise SystemExit(1) from None
    except SchemeError as exc:
        click.echo(str(exc))
        raise SystemExit(1) from None
    click.echo(f"{path.name}: OK (scheme {scheme.code})")
