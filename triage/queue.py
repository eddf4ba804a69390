"""The USD's work queue: cases by priority, then deadline, with a keyset cursor."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from triage.tables import cases

# `open` is every case still being worked (contacted or not), as a USD worker means it.
STATUSES = {"open": ("open", "contacted"), "contacted": ("contacted",), "closed": ("closed",)}


class BadCursor(ValueError):
    pass


def encode_cursor(row: Any) -> str:
    raw = orjson.dumps([row.priority_rank, row.respond_before.isoformat(), row.case_id])
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[int, datetime, str]:
    try:
        rank, deadline, case_id = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        return int(rank), datetime.fromisoformat(deadline), str(case_id)
    except (ValueError, TypeError) as exc:
        raise BadCursor("cursor is not one this API gave out") from exc


async def list_cases(
    conn: AsyncConnection,
    status: str | None,
    priority: str | None,
    team: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    order = (cases.c.priority_rank, cases.c.respond_before, cases.c.case_id)
    query = select(
        cases.c.case_id,
        cases.c.status,
        cases.c.priority,
        cases.c.priority_rank,
        cases.c.risk_score,
        cases.c.team,
        cases.c.respond_before,
        cases.c.opened_at,
        cases.c.outcome,
    )
    if status:
        query = query.where(cases.c.status.in_(STATUSES[status]))
    if priority:
        query = query.where(cases.c.priority == priority)
    if team:
        query = query.where(cases.c.team == team)
    if cursor:
        rank, deadline, case_id = decode_cursor(cursor)
        query = query.where(
            or_(
                order[0] > rank,
                and_(order[0] == rank, order[1] > deadline),
                and_(order[0] == rank, order[1] == deadline, order[2] > case_id),
            )
        )
    rows = (await conn.execute(query.order_by(*order).limit(limit + 1))).all()
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return list(rows[:limit]), next_cursor
