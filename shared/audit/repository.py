"""Storing and reading the audit log; the only module that touches its table.

`append_audit` runs in the caller's transaction, so an effect (a case read, a key revoked) and
its audit entry commit together or not at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Select, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.audit.details import AuditDetails
from shared.audit.domain import Actor, AuditAction, AuditEntry, canonical_details, seal
from shared.audit.query import AuditQuery
from shared.audit.tables import audit_log
from shared.db import AdvisoryLock, is_postgres


async def append_audit(
    conn: AsyncConnection,
    actor: Actor,
    action: AuditAction,
    subject: str | None,
    details: AuditDetails | None = None,
) -> AuditEntry:
    """Appends one entry to the chain inside the caller's transaction and returns it.

    Appends are serialised until that transaction ends (PostgreSQL: an advisory transaction
    lock; SQLite: its single writer), so the chain never forks across processes. Call it as the
    last statement before the commit: the lock is held until then. Raises ValueError for an
    unknown action or details that are not small, plain and free of personal data.
    """
    (entry,) = await append_audits(conn, actor, action, [(subject, details or {})])
    return entry


async def append_audits(
    conn: AsyncConnection,
    actor: Actor,
    action: AuditAction,
    items: Sequence[tuple[str | None, AuditDetails]],
) -> list[AuditEntry]:
    """Appends one entry per (subject, details) in order, as `append_audit` would one by one,
    with one lock, one read of the chain's head and one insert: the chain is the same, the
    round trips do not grow with the entries. Every entry is checked before any is written."""
    if not items:
        return []
    await _lock_chain(conn)
    last = (await conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(1))).first()
    previous = entry_from_row(last) if last else None
    now = datetime.now(UTC)
    entries: list[AuditEntry] = []
    for subject, details in items:
        previous = seal(previous, now, actor, action, subject, details)
        entries.append(previous)
    await conn.execute(
        audit_log.insert(),
        [
            {
                "id": entry.id,
                "at": entry.at,
                "actor_kind": entry.actor.kind,
                "actor_key_id": entry.actor.key_id,
                "actor_source": entry.actor.source,
                "action": entry.action,
                "subject": entry.subject,
                "details": canonical_details(entry.details),
                "prev_hash": entry.prev_hash,
                "hash": entry.hash,
            }
            for entry in entries
        ],
    )
    return entries


async def _lock_chain(conn: AsyncConnection) -> None:
    if is_postgres(conn):
        await conn.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(AdvisoryLock.AUDIT_CHAIN)}
        )
    else:
        # A write statement (of no rows) takes SQLite's write lock before the head is read, so
        # no other process can append in between; the delete triggers fire per row, for none.
        await conn.execute(text("DELETE FROM audit_log WHERE 0"))


async def audit_page(
    conn: AsyncConnection, query: AuditQuery, limit: int
) -> tuple[list[AuditEntry], int | None]:
    """Up to `limit` entries in order, and the id to continue after (None on the last page)."""
    statement = _filtered(query).order_by(audit_log.c.id).limit(limit + 1)
    entries = [entry_from_row(row) for row in await conn.execute(statement)]
    more = len(entries) > limit
    return entries[:limit], entries[limit - 1].id if more else None


async def iter_audit(
    conn: AsyncConnection, since: datetime | None = None, batch: int = 500
) -> AsyncIterator[AuditEntry]:
    """Every entry from `since` in id order, read in batches (the log only grows)."""
    query = AuditQuery(since=since)
    while True:
        entries, after = await audit_page(conn, query, batch)
        for entry in entries:
            yield entry
        if after is None:
            return
        query = AuditQuery(since=since, after_id=after)


def _filtered(query: AuditQuery) -> Select[Any]:
    statement = select(audit_log).where(audit_log.c.id > query.after_id)
    if query.since is not None:
        statement = statement.where(audit_log.c.at >= query.since)
    if query.until is not None:
        statement = statement.where(audit_log.c.at < query.until)
    if query.subject is not None:
        statement = statement.where(audit_log.c.subject == query.subject)
    return statement


def entry_from_row(row: Any) -> AuditEntry:
    """An entry as stored; unreadable details stay visible as such (and fail verification)."""
    try:
        details = orjson.loads(row.details)
    except orjson.JSONDecodeError:
        details = {"unreadable": True}
    if not isinstance(details, dict):
        details = {"unreadable": True}
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=Actor(row.actor_kind, row.actor_key_id, row.actor_source),
        action=row.action,
        subject=row.subject,
        details=details,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
