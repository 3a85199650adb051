"""paper forms and their keyed copies (double entry); imported Kobo/ODK submission uuids

Revision ID: h15_paper
Revises: h14_results
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "h15_paper"
down_revision = "h14_results"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_forms",
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("group_code", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_paper_forms_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_paper_forms_unit_id_units")),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_paper_forms")),
    )
    op.create_index(op.f("ix_paper_forms_round_id"), "paper_forms", ["round_id"], unique=False)
    op.create_table(
        "paper_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_number", sa.String(length=16), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                  nullable=False),
        sa.ForeignKeyConstraint(["form_number"], ["paper_forms.number"],
                                name=op.f("fk_paper_entries_form_number_paper_forms"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_user_id"], ["staff_users.id"],
                                name=op.f("fk_paper_entries_staff_user_id_staff_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_entries")),
        sa.UniqueConstraint("form_number", "staff_user_id", name=op.f("uq_paper_entries_form_number")),
    )


    op.create_table(
        "imported_submissions",
        sa.Column("uuid_hash", sa.String(length=64), nullable=False),
        sa.Column("imported_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("uuid_hash", name=op.f("pk_imported_submissions")),
    )


def downgrade() -> None:
    op.drop_table("imported_submissions")
    op.drop_table("paper_entries")
    op.drop_index(op.f("ix_paper_forms_round_id"), table_name="paper_forms")
    op.drop_table("paper_forms")
