"""families: the work queue's columns, decisions, housing plans, crisis shelter

Revision ID: 0005
Revises: 0007
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

import shared.db

revision = "0005"
down_revision = "0007"
branch_labels = None
depends_on = None

_PROBLEM_TYPES = (
    "rent_arrears",
    "nuisance",
    "pollution",
    "drugs",
    "eviction_order",
    "eviction_executed",
)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district", sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column("minors", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("eviction_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("housing_plan", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("listing", sa.JSON(), nullable=True))
        batch_op.drop_index("ix_cases_queue")
        batch_op.create_index(
            "ix_cases_queue", ["status", "priority_rank", "respond_before", "risk_score"]
        )
        batch_op.create_index("ix_cases_household", ["household_pseudonym", "closed_at"])
    _backfill_listing()
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("listing", existing_type=sa.JSON(), nullable=False)

    op.create_table(
        "case_decisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=False),
        sa.Column("policy_version", sa.String(length=32), nullable=False),
        sa.Column("risk_score", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=50), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_decisions")),
    )
    op.create_index("ix_case_decisions_case", "case_decisions", ["case_id", "id"])

    op.create_table(
        "housing_plans",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing_plans")),
    )
    op.create_index(op.f("ix_housing_plans_case_id"), "housing_plans", ["case_id"])

    op.create_table(
        "shelter_units",
        sa.Column("facility", sa.String(length=50), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("occupied", sa.Integer(), nullable=False),
        sa.CheckConstraint("occupied >= 0", name="ck_shelter_units_occupied_not_negative"),
        sa.CheckConstraint(
            "capacity IS NULL OR occupied <= capacity", name="ck_shelter_units_within_capacity"
        ),
        sa.PrimaryKeyConstraint("facility", "unit", name=op.f("pk_shelter_units")),
    )
    op.create_table(
        "shelter_bookings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("facility", sa.String(length=50), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("until_date", sa.Date(), nullable=True),
        sa.Column("booked_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("booked_by", sa.String(length=100), nullable=False),
        sa.Column("released_at", shared.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility", "unit"],
            ["shelter_units.facility", "shelter_units.unit"],
            name="fk_shelter_bookings_unit",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelter_bookings")),
    )
    op.create_index(
        "uq_shelter_bookings_active_case",
        "shelter_bookings",
        ["case_id"],
        unique=True,
        postgresql_where=sa.text("released_at IS NULL"),
        sqlite_where=sa.text("released_at IS NULL"),
    )


def _backfill_listing() -> None:
    """Cases stored before: their queue columns from the state they kept."""
    cases = sa.table(
        "cases",
        sa.column("case_id", sa.String),
        sa.column("state", sa.JSON),
        sa.column("minors", sa.Integer),
        sa.column("eviction_date", sa.Date),
        sa.column("listing", sa.JSON),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(cases.c.case_id, cases.c.state)).all()
    for case_id, state in rows:
        conn.execute(cases.update().where(cases.c.case_id == case_id).values(**_listing_of(state)))


def _listing_of(state: dict[str, Any]) -> dict[str, Any]:
    stored = state.get("open_signals") or {}
    facts = list(stored.values()) if isinstance(stored, dict) else list(stored)
    types = {fact["type"] for fact in facts}
    order = next((f for f in facts if f["type"] == "eviction_order"), None)
    planned = (order or {}).get("details", {}).get("eviction_date")
    return {
        "minors": state.get("household", {}).get("minors"),
        "eviction_date": (
            date.fromisoformat(planned) if planned and "eviction_executed" not in types else None
        ),
        "listing": {
            "signal_types": [t for t in _PROBLEM_TYPES if t in types],
            "reasons": state.get("reasons", []),
        },
    }


def downgrade() -> None:
    op.drop_index("uq_shelter_bookings_active_case", table_name="shelter_bookings")
    op.drop_table("shelter_bookings")
    op.drop_table("shelter_units")
    op.drop_index(op.f("ix_housing_plans_case_id"), table_name="housing_plans")
    op.drop_table("housing_plans")
    op.drop_index("ix_case_decisions_case", table_name="case_decisions")
    op.drop_table("case_decisions")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_household")
        batch_op.drop_index("ix_cases_queue")
        batch_op.create_index("ix_cases_queue", ["status", "priority_rank", "respond_before"])
        batch_op.drop_column("listing")
        batch_op.drop_column("housing_plan")
        batch_op.drop_column("eviction_date")
        batch_op.drop_column("minors")
        batch_op.drop_column("district")
