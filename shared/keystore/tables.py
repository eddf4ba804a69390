"""The key store's tables: kept in a database of their own, never in the data's backups."""

from __future__ import annotations

from sqlalchemy import Column, MetaData, String, Table, Text

from shared.db import UtcDateTime

keystore_metadata = MetaData()

household_keys = Table(
    "household_keys",
    keystore_metadata,
    Column("household_pseudonym", String(64), primary_key=True),
    Column("wrapped_key", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
"""One data key per household, wrapped under VS_PII_KEY; deleting the row erases the household."""

keystore_secrets = Table(
    "keystore_secrets",
    keystore_metadata,
    Column("name", String(64), primary_key=True),
    Column("wrapped", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
"""Secrets that must outlive a key rotation (the pseudonym secret), wrapped under VS_PII_KEY."""
