"""Triage's own tables: cases (Vroegsignaalzaak), their decisions and housing plans, the crisis
shelter's units and bookings, and the policy versions scored with. Who saw contact data is in
the shared audit log (`shared.audit`), the one record of it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from shared.db import SequenceId, UtcDateTime, metadata

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("household_pseudonym", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("priority_rank", Integer, nullable=False),
    Column("risk_score", Integer, nullable=False),
    Column("team", String(50), nullable=False),
    Column("respond_before", UtcDateTime, nullable=False),
    Column("overdue_escalated_for", UtcDateTime, nullable=True),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("outcome", String(32), nullable=True),
    Column("policy_version", String(32), nullable=False),
    Column("sealed_household", Text, nullable=False),
    Column("state", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    # What the work queue shows and the reports count: no contact data.
    Column("district", String(4), nullable=True),
    Column("minors", Integer, nullable=True),
    Column("eviction_date", Date, nullable=True),
    Column("housing_plan", String(32), nullable=True),
    Column("listing", JSON, nullable=False),
    # One open case per household: a second one cannot be created by a racing worker.
    Index(
        "uq_cases_open_household",
        "household_pseudonym",
        unique=True,
        postgresql_where=text("status <> 'closed'"),
        sqlite_where=text("status <> 'closed'"),
    ),
    Index("ix_cases_queue", "status", "priority_rank", "respond_before", "risk_score"),
    Index("ix_cases_household", "household_pseudonym", "closed_at"),
)

case_decisions = Table(
    "case_decisions",
    metadata,
    Column("id", SequenceId, primary_key=True, autoincrement=True),
    Column("case_id", String(36), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("cause", String(32), nullable=False),
    Column("policy_version", String(32), nullable=False),
    Column("risk_score", Integer, nullable=False),
    Column("priority", String(16), nullable=False),
    Column("team", String(50), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("inputs", JSON, nullable=False),
    Index("ix_case_decisions_case", "case_id", "id"),
)
"""Each assessment with its inputs (no contact data), so every score can be replayed."""

housing_plans = Table(
    "housing_plans",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("summary", Text, nullable=True),
    Column("starts_on", Date, nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(100), nullable=False),
)
"""Woonplannen, every one recorded (the case shows the latest)."""

shelter_units = Table(
    "shelter_units",
    metadata,
    Column("facility", String(50), primary_key=True),
    Column("unit", String(16), primary_key=True),
    Column("capacity", Integer, nullable=True),
    Column("occupied", Integer, nullable=False),
    # The capacity guarantee: no transaction, from any process, can commit more bookings.
    CheckConstraint("occupied >= 0", name="ck_shelter_units_occupied_not_negative"),
    CheckConstraint(
        "capacity IS NULL OR occupied <= capacity", name="ck_shelter_units_within_capacity"
    ),
)
"""Crisis shelter units from VS_SHELTER_FILE; `occupied` counts the active bookings."""

shelter_bookings = Table(
    "shelter_bookings",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False),
    Column("facility", String(50), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("from_date", Date, nullable=False),
    Column("until_date", Date, nullable=True),
    Column("booked_at", UtcDateTime, nullable=False),
    Column("booked_by", String(100), nullable=False),
    Column("released_at", UtcDateTime, nullable=True),
    Column("released_by", String(100), nullable=True),
    ForeignKeyConstraint(
        ["facility", "unit"],
        ["shelter_units.facility", "shelter_units.unit"],
        name="fk_shelter_bookings_unit",
    ),
    # A case holds at most one active booking.
    Index(
        "uq_shelter_bookings_active_case",
        "case_id",
        unique=True,
        postgresql_where=text("released_at IS NULL"),
        sqlite_where=text("released_at IS NULL"),
    ),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("first_used_at", UtcDateTime, nullable=False),
)
"""Every policy version triage has scored with, as published: old decisions replay under it."""
