"""Alembic migrations and the models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from survey_app.models import Base


def _differences(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def test_empty_database_upgraded_to_head_matches_models(tmp_path):
    from alembic import command

    from survey_app.cli import alembic_config

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    command.upgrade(alembic_config(url), "head")
    assert _differences(url) == []


def test_test_database_matches_models(database_url):
    """The suite's own database (PostgreSQL in CI) was migrated the same way."""
    assert _differences(database_url) == []
