"""trust: kept policy versions (replay); contact-data reads move to the audit log

Revision ID: 0009_trust
Revises: 0005
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shared.db

revision = "0009_trust"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("first_used_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_policy_versions")),
    )
    # Who saw contact data is in the hash-chained audit log now (`contact_data.shown`): one
    # record of it. Reads logged here before are not chained, so they are dropped, not copied.
    with op.batch_alter_table("contact_data_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_data_reads_case_id"))
    op.drop_table("contact_data_reads")


def downgrade() -> None:
    op.create_table(
        "contact_data_reads",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("read_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_data_reads")),
    )
    with op.batch_alter_table("contact_data_reads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_data_reads_case_id"), ["case_id"], unique=False
        )
    op.drop_table("policy_versions")
