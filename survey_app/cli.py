"""Command-line interface: ``flask --app wsgi <group> <command>``."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import ROLES, RespondentGroup, Role, Round
from survey_app.services import audit
from survey_app.services.errors import Invalid

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
demo_cli = AppGroup("demo", help="The demo province (or the seed district).")
users_cli = AppGroup("users", help="Staff accounts.")
export_cli = AppGroup("export", help="Export data.")
programmes_cli = AppGroup("programmes", help="Unit kinds, respondent groups and programmes (structure as data).")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to date."""
    from alembic import command

    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)
    click.echo(f"Database at revision {revision}.")


@db_cli.command("backup")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), required=True)
def db_backup(out_path: str) -> None:
    """Back up the database while the app keeps running.

    SQLite: the online backup API (a consistent copy even during writes).
    PostgreSQL: pg_dump in custom format (restore with pg_restore).
    """
    from survey_app.services.backup import BackupError, backup_database

    try:
        size = backup_database(current_app.config["DATABASE_URL"], Path(out_path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {out_path} ({size:,} bytes).")


@demo_cli.command("load")
@click.option("--no-responses", is_flag=True, help="Do not add the simulated responses.")
@click.option("--district", is_flag=True, help="Load the seed documents' district (before 2025) instead.")
def demo_load(no_responses: bool, district: bool) -> None:
    """Load the demo province after the 2025 arrangement, with simulated responses (idempotent)."""
    from survey_app.services.demo import load_demo
    from survey_app.services.programmes import StructureError

    with db.new_session() as session:
        try:
            summary = load_demo(
                session,
                current_app.config["QUESTIONNAIRE_DIR"],
                admin_email=os.environ.get("SURVEY_ADMIN_EMAIL"),
                admin_password=os.environ.get("SURVEY_ADMIN_PASSWORD"),
                district=district, responses=not no_responses,
            )
        except StructureError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
    click.echo(summary)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="")
@click.option("--unit", "unit_code", default=None, help=f"Unit code (required for {Role.UNIT_OFFICER.value}).")
@click.password_option(envvar="SURVEY_NEW_USER_PASSWORD")
def users_create(email: str, role: str, name: str, unit_code: str | None, password: str) -> None:
    """Create a staff user."""
    from survey_app.services.auth import create_user

    with db.new_session() as session:
        try:
            user = create_user(session, email, password, role, name, unit_code)
        except Invalid as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from exc
        audit.record(session, None, "user.create", user.email, role=user.role, via="cli")
        session.commit()
        click.echo(f"Created {user.role} {user.email}.")


@export_cli.command("responses")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "sav", "dta"]), default="csv", show_default=True,
              help="csv, xlsx, or SPSS (sav) / Stata (dta) with Vietnamese variable and value labels.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--round", "round_name", default=None, help="Only this round (name).")
@click.option("--group", default=None, help="Only this respondent group (its code, e.g. citizen).")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write the codebook (questions and answer labels) as CSV here; XLSX always has a sheet.")
def export_responses(fmt: str, out_path: str, round_name: str | None, group: str | None,
                     codebook_path: str | None) -> None:
    """Write all responses, one row a response and one column an item."""
    from survey_app.services.codebook import codebook_questionnaires, codebook_rows
    from survey_app.services.export import ExportFilter, iter_rows, plan_export, write_csv

    with db.new_session() as session:
        round_id = None
        if round_name is not None:
            round_ = session.scalar(select(Round).where(Round.name == round_name))
            if round_ is None:
                raise click.ClickException(f"no round named {round_name!r}")
            round_id = round_.id
        if group is not None and session.get(RespondentGroup, group) is None:
            known = ", ".join(session.scalars(select(RespondentGroup.code).order_by(RespondentGroup.position)))
            raise click.ClickException(f"no respondent group {group!r} (groups: {known})")
        flt = ExportFilter(round_id=round_id, group_code=group)
        plan = plan_export(session, flt)
        if fmt in ("sav", "dta"):
            from survey_app.services.export_stats import write_stats

            count = write_stats(out_path, fmt, plan, iter_rows(session, plan))
        elif fmt == "xlsx":
            from survey_app.services.export_xlsx import write_xlsx

            count = write_xlsx(out_path, plan.header, iter_rows(session, plan),
                               codebook=codebook_rows(codebook_questionnaires(session, flt)),
                               numeric_columns=plan.numeric_columns)
        else:
            with open(out_path, "w", encoding="utf-8", newline="") as out:
                count = write_csv(out, plan.header, iter_rows(session, plan))
        if codebook_path is not None:
            rows = codebook_rows(codebook_questionnaires(session, flt))
            with open(codebook_path, "w", encoding="utf-8", newline="") as out:
                write_csv(out, next(rows), rows)
    click.echo(f"Wrote {count} responses to {out_path}.")


@programmes_cli.command("sync")
def programmes_sync() -> None:
    """Load the shipped unit kinds, groups and every programme of questionnaires/programmes/ (idempotent)."""
    from survey_app.services.programmes import StructureError, sync_shipped

    with db.new_session() as session:
        try:
            loaded = sync_shipped(session, current_app.config["QUESTIONNAIRE_DIR"])
        except StructureError as exc:
            raise click.ClickException("\n".join(exc.problems)) from exc
        session.commit()
        click.echo(f"Loaded {len(loaded)} programmes: {', '.join(p.code for p in loaded)}.")


@programmes_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def programmes_load(path: Path) -> None:
    """Check a programme file and store it (its questionnaire and scheme files relative to the questionnaire dir)."""
    from survey_app.services.programmes import StructureError, load_programme, sync_reference_data

    directory = current_app.config["QUESTIONNAIRE_DIR"]
    with db.new_session() as session:
        try:
            sync_reference_data(session, directory)
            programme = load_programme(session, path, questionnaire_dir=directory)
        except StructureError as exc:
            raise click.ClickException("\n".join(exc.problems)) from exc
        session.commit()
        click.echo(f"Programme {programme.code}: {len(programme.groups)} groups, {len(programme.schemes)} schemes.")


def init_app(app: Flask) -> None:
    from survey_app import jobs_cli
    from survey_app.fieldwork_cli import paper_cli, submissions_cli
    from survey_app.invitations_cli import apikeys_cli, invitations_cli
    from survey_app.questionnaires_cli import questionnaires_cli
    from survey_app.results_cli import margins_cli
    from survey_app.schemes_cli import schemes_cli

    for group in (db_cli, demo_cli, users_cli, export_cli, programmes_cli, questionnaires_cli, invitations_cli,
                  apikeys_cli, schemes_cli, margins_cli, paper_cli, submissions_cli):
        app.cli.add_command(group)
    jobs_cli.init_app(app)
