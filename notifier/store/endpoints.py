"""Webhook endpoint state: a 410 disables the endpoint until ops replay (CONTRACT §4)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.tables import webhook_endpoints
from shared.db import insert_ignoring_conflicts


def endpoint_key(url: str) -> str:
    """Endpoints are known by a hash: a URL may carry a token that has no place in the database."""
    return hashlib.sha256(url.encode()).hexdigest()


async def is_endpoint_disabled(conn: AsyncConnection, key: str) -> bool:
    disabled_at = await conn.scalar(
        select(webhook_endpoints.c.disabled_at).where(webhook_endpoints.c.endpoint == key)
    )
    return disabled_at is not None


async def any_endpoint_disabled(conn: AsyncConnection) -> bool:
    disabled = await conn.scalar(
        select(func.count())
        .select_from(webhook_endpoints)
        .where(webhook_endpoints.c.disabled_at.is_not(None))
    )
    return bool(disabled)


async def disable_endpoint(conn: AsyncConnection, key: str, now: datetime, reason: str) -> None:
    await conn.execute(
        insert_ignoring_conflicts(conn, webhook_endpoints).values(
            endpoint=key, disabled_at=now, reason=reason
        )
    )
    await conn.execute(
        update(webhook_endpoints)
        .where(
            webhook_endpoints.c.endpoint == key,
            webhook_endpoints.c.disabled_at.is_(None),
        )
        .values(disabled_at=now, reason=reason)
    )


async def enable_all_endpoints(conn: AsyncConnection) -> bool:
    """Re-enable every disabled endpoint; True if one was disabled."""
    result = await conn.execute(
        update(webhook_endpoints)
        .where(webhook_endpoints.c.disabled_at.is_not(None))
        .values(disabled_at=None, reason=None)
    )
    return bool(result.rowcount)
