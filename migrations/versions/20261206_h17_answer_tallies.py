"""answer tallies for the dashboard; one covering index for its counting scan

Revision ID: h17_tallies
Revises: h12a_structure
Create Date: 2026-12-06 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "h17_tallies"
down_revision = "h18_abuse"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_tallies",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("group_code", sa.String(length=20), nullable=False),
        sa.Column("questionnaire_version_id", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("layout", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                  nullable=False),
        sa.ForeignKeyConstraint(["questionnaire_version_id"], ["questionnaire_versions.id"],
                                name=op.f("fk_answer_tallies_questionnaire_version_id_questionnaire_versions"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_answer_tallies_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_answer_tallies_unit_id_units"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "unit_id", "group_code", "questionnaire_version_id", "submitted_on",
                                name=op.f("pk_answer_tallies")),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index("ix_responses_round_partition",
                              ["round_id", "unit_id", "group_code", "questionnaire_version_id", "submitted_on",
                               "channel", "service_point_id", "duration_seconds"], unique=False)
        batch_op.drop_index("ix_responses_round_unit")


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index("ix_responses_round_unit", ["round_id", "unit_id"], unique=False)
        batch_op.drop_index("ix_responses_round_partition")
    op.drop_table("answer_tallies")
