"""``flask schemes export|check``: index schemes as Excel workbooks for the people who apply a decision.

Schemes are still files (``questionnaires/schemes/*.yaml``); once programmes
are stored in the database, ``export --programme CODE`` will read the
programme's scheme instead of ``--scheme PATH``.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from analysis.indices.scheme import SchemeError, load_scheme
from analysis.indices.scheme_workbook import SchemeWorkbookError, read_scheme_workbook, write_scheme_workbook
from survey_app.services.scheme_view import questionnaire_items

schemes_cli = AppGroup("schemes", help="Index schemes as Excel workbooks.")


@schemes_cli.command("export")
@click.option("--scheme", "scheme_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The scheme file (YAML or XLSX), e.g. questionnaires/schemes/par_district.yaml.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(scheme_path: Path, out: Path) -> None:
    """Write a scheme as a workbook (sheets settings, nodes or criteria, areas, items, indicators)."""
    try:
        scheme = load_scheme(scheme_path)
    except SchemeError as exc:
        raise click.ClickException(str(exc)) from None
    out.write_bytes(write_scheme_workbook(scheme))
    click.echo(f"scheme {scheme.code} written to {out}")


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
