"""Command line for margins: ``flask --app wsgi margins import|export``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Round
from survey_app.services.problems import ProblemsFound

margins_cli = AppGroup("margins", help="Population margins (transactions, members) of a round.")


def find_round(session, name: str) -> Round:  # type: ignore[no-untyped-def]
    round_ = session.scalar(select(Round).where(Round.name == name))
    if round_ is None:
        raise click.ClickException(f"no round named {name!r}")
    return round_


@margins_cli.command("export")
@click.option("--round", "round_name", required=True, help="Round name.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), required=True)
def margins_export(round_name: str, out_path: str) -> None:
    """Write the round's margins as variable,category,total,group (python -m analysis --margins)."""
    from survey_app.services.margins import margin_rows, rows_csv

    with db.new_session() as session:
        rows = margin_rows(session, find_round(session, round_name).id)
    Path(out_path).write_text(rows_csv(rows), encoding="utf-8")
    click.echo(f"Wrote {len(rows)} margin rows to {out_path}.")


@margins_cli.command("import")
@click.option("--round", "round_name", required=True, help="Round name.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def margins_import(round_name: str, path: str) -> None:
    """Import group,dimension,category,count from CSV or XLSX (all or nothing)."""
    from survey_app.services.margins import import_margins, read_margin_file

    with db.new_session() as session:
        round_ = find_round(session, round_name)
        try:
            stored = import_margins(session, round_, read_margin_file(path, Path(path).read_bytes()))
        except ProblemsFound as exc:
            for p in exc.problems:
                click.echo(p.text("en"), err=True)
            raise click.ClickException("nothing was imported") from None
        session.commit()
    click.echo("Imported " + ", ".join(f"{n} totals for {g}" for g, n in stored.items()) + ".")
