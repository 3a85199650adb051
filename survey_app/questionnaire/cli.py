"""``flask questionnaires validate``: check the questionnaire files before a round uses them."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.questionnaire.loader import QuestionnaireError, load_directory, questionnaire_files

questionnaires_cli = AppGroup("questionnaires", help="Check the questionnaire files (questionnaires/*.yaml).")


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
