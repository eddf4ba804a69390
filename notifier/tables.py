"""The notifier's own tables: notifications (household sealed), their delivery state and attempts.

A notification's id is the id of the case event that caused it, and so the webhook-id: the same
for every retry, redelivery and replay.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)

from shared.db import SequenceId, UtcDateTime, metadata

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("event_type", String(64), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("time", UtcDateTime, nullable=False),
    Column("case_document", Text, nullable=False),
    Column("sealed_household", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("correlation_id", String(200), nullable=True),
    Index("ix_notifications_subject", "subject"),
)


def _delivery_state() -> list[Column[Any]]:
    """The columns of `notifier.domain.delivery.Delivery`, shared by webhook and e-mail."""
    return [
        Column("notification_id", String(100), ForeignKey("notifications.id"), primary_key=True),
        Column("status", String(24), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("started_at", UtcDateTime, nullable=False),
        Column("next_attempt_at", UtcDateTime, nullable=True),
        Column("last_error", String(200), nullable=True),
        Column("settled_at", UtcDateTime, nullable=True),
    ]


webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    *_delivery_state(),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("seq", SequenceId, primary_key=True, autoincrement=True),
    Column("notification_id", String(100), ForeignKey("notifications.id"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("status_code", SmallInteger, nullable=True),
    Column("error", String(200), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_webhook_attempts_notification_id", "notification_id"),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("endpoint", String(64), primary_key=True),
    Column("disabled_at", UtcDateTime, nullable=True),
    Column("reason", String(200), nullable=True),
)

team_emails = Table(
    "team_emails",
    metadata,
    *_delivery_state(),
    Column("recipient", String(320), nullable=False),
    Column("message", Text, nullable=False),
    Index("ix_team_emails_due", "status", "next_attempt_at"),
)
