"""The ingest service's own tables: accepted signals, personal data sealed."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, PrimaryKeyConstraint, String, Table, Text

from shared.db import UtcDateTime, metadata

signals = Table(
    "signals",
    metadata,
    Column("source", String(100), nullable=False),
    Column("signal_id", String(36), nullable=False),
    Column("type", String(32), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("household_pseudonym", String(64), nullable=False),
    Column("minors", Integer, nullable=True),
    Column("sealed_body", Text, nullable=False),
    PrimaryKeyConstraint("source", "signal_id"),
    Index("ix_signals_received_at", "received_at"),
)
