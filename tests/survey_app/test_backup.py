"""Online backup: the copy holds every stored response and opens on its own."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

from survey_app.models import Response
from tests.survey_app.respondent.test_desk_survey import VALID, open_form


def test_backup_while_running_contains_the_responses(app, client, session, demo, tmp_path):
    for _ in range(3):
        _, hidden = open_form(client)
        client.post("/q/demo", data={**VALID, **hidden})
    out = tmp_path / "backup.db"
    result = app.test_cli_runner().invoke(args=["db", "backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    expected = session.scalar(select(func.count()).select_from(Response))
    if app.config["DATABASE_URL"].startswith("sqlite"):
        with sqlite3.connect(out) as copy:
            assert copy.execute("SELECT count(*) FROM responses").fetchone()[0] == expected == 3
    else:
        pytest.importorskip("psycopg")
        assert out.stat().st_size > 0 and out.read_bytes()[:5] == b"PGDMP"


def test_backup_of_a_missing_database_is_a_clear_error(tmp_path):
    from survey_app.services.backup import BackupError, backup_database

    with pytest.raises(BackupError, match="not found"):
        backup_database(f"sqlite:///{tmp_path}/none.db", tmp_path / "out.db")
