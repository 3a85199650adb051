"""h18: enrolled kiosk tablets and suspected-stuffing counts

Revision ID: h18_abuse
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "h18_abuse"
down_revision = "h12a_structure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_tablets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["service_point_id"], ["service_points.id"],
                                name=op.f("fk_kiosk_tablets_service_point_id_service_points"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_tablets")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_kiosk_tablets_secret_hash")),
    )
    op.create_index(op.f("ix_kiosk_tablets_service_point_id"), "kiosk_tablets", ["service_point_id"])
    op.create_table(
        "stuffing_signals",
        sa.Column("service_point_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("submissions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["service_point_id"], ["service_points.id"],
                                name=op.f("fk_stuffing_signals_service_point_id_service_points"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("service_point_id", "day", name=op.f("pk_stuffing_signals")),
    )


def downgrade() -> None:
    op.drop_table("stuffing_signals")
    op.drop_index(op.f("ix_kiosk_tablets_service_point_id"), table_name="kiosk_tablets")
    op.drop_table("kiosk_tablets")
