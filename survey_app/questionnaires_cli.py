"""``flask questionnaires validate``: check the questionnaire files before a round uses them."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.questionnaire.loader import QuestionnaireError, load_directory, questionnaire_files

questionnaires_cli = AppGroup("questionnaires", help="Check questionnaire files; import and export XLSForm workbooks.")


@questionnaires_cli.command("validate")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory of questionnaire files (default: the app's QUESTIONNAIRE_DIR).",
)
def validate_command(directory: Path | None) -> None:
    """Report every problem of every file as `file: item X: message`; exit 1 if there is any."""
    if directory is None:
        configured = current_app.config.get("QUESTIONNAIRE_DIR")
        if not configured:
            raise click.UsageError("QUESTIONNAIRE_DIR is not configured: pass --dir")
        directory = Path(configured)
    try:
        questionnaires = load_directory(directory)
    except QuestionnaireError as error:
        for problem in error.problems:
            click.echo(str(problem))
        click.echo(f"{len(error.problems)} problem(s) in {directory}", err=True)
        raise SystemExit(1) from None
    names = {path.stem: path.name for path in questionnaire_files(directory)}
    for group, q in questionnaires.items():
        click.echo(
            f"{names.get(group, group)}: OK (group {group}, {len(q.sections)} sections, "
            f"{len(q.items)} items, version {q.short_version})"
        )


@questionnaires_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--group", "group", required=True, help="Respondent group code the questionnaire is for.")
def import_command(path: Path, group: str) -> None:
    """Store an XLSForm workbook (.xlsx, .xls, .csv) as a questionnaire version of GROUP.

    Prints `version <12-character hash>` (the same when these questions were
    already stored), or every problem with its sheet, row and column and exits 1.
    """
    from survey_app.extensions import db
    from survey_app.questionnaire.xlsform import WorkbookError
    from survey_app.services.questionnaire_workbooks import import_workbook

    try:
        result = import_workbook(db.session, path.read_bytes(), path.name, group)
    except WorkbookError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem))
        click.echo(f"{len(error.problems)} problem(s) in {path.name}; nothing stored", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    for warning in result.warnings:
        click.echo(f"note: {warning}", err=True)
    click.echo(f"version {result.version.short_version}")


@questionnaires_cli.command("export")
@click.option("--version", "short_hash", default=None, help="Version hash (12 characters or more).")
@click.option("--group", "group", default=None, help="Instead: the version the open round uses for this group.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(short_hash: str | None, group: str | None, out: Path) -> None:
    """Write a questionnaire version as an XLSForm workbook."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from survey_app.extensions import db
    from survey_app.services.questionnaire_workbooks import export_workbook, find_version, version_in_use

    if (short_hash is None) == (group is None):
        raise click.UsageError("give either --version HASH or --group CODE")
    if short_hash is not None:
        version = find_version(db.session, short_hash)
        if version is None:
            raise click.ClickException(f"no single version with hash {short_hash}")
    else:
        today = datetime.now(ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"))).date()
        version = version_in_use(db.session, str(group), today)
        if version is None:
            raise click.ClickException(f"no round uses a questionnaire for group {group}")
    out.write_bytes(export_workbook(version))
    click.echo(f"version {version.short_version} written to {out}")
