"""The audit log's table (auditlog): append-only, hash-chained; see migration 0004's triggers.

Rows are never updated or deleted, also not by the retention purge: entries hold ids and codes,
no personal data, so they may outlive the cases they name. Alembic's batch mode on SQLite
recreates a table it alters, and with it would drop the append-only triggers: a migration
that alters this table must create them again.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, String, Table, Text

from shared.db import UtcDateTime, metadata

audit_log = Table(
    "audit_log",
    metadata,
    # Assigned by the appender (previous + 1) under the append lock: dense, so a gap shows.
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_key_id", String(32), nullable=True),
    Column("actor_source", String(100), nullable=True),
    Column("action", String(64), nullable=False),
    Column("subject", String(100), nullable=True, index=True),
    Column("details", Text, nullable=False),  # canonical JSON (sorted keys), as hashed
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
