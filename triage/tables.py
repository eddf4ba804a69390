"""Triage's own tables: cases (Vroegsignaalzaak) and the audit log of contact-data reads."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text, text

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
    # One open case per household: a second one cannot be created by a racing worker.
    Index(
        "uq_cases_open_household",
        "household_pseudonym",
        unique=True,
        postgresql_where=text("status <> 'closed'"),
        sqlite_where=text("status <> 'closed'"),
    ),
    Index("ix_cases_queue", "status", "priority_rank", "respond_before"),
)

contact_data_reads = Table(
    "contact_data_reads",
    metadata,
    Column("id", SequenceId, primary_key=True, autoincrement=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("key_id", String(32), nullable=False),
    Column("source", String(100), nullable=False),
    Column("read_at", UtcDateTime, nullable=False),
)
