"""Ops routes of the notifier: notifications and dead letters (ids, reasons; no personal data)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from notifier.domain.delivery import DeliveryStatus
from notifier.store import DeadLetter as StoredDeadLetter
from notifier.store import dead_letters, replay_dead_letters
from notifier.tables import notifications, webhook_deliveries
from shared.ops.summary import DeadLetter as DeadLetterOut
from shared.web.auth import OpsReader
from shared.web.problems import Problem, ProblemError

router = APIRouter(prefix="/v1/ops", tags=["operations"])
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}} for code in (401, 403)
}


class NotificationOut(BaseModel):
    """One case change for the USD and how far its webhook got."""

    id: str = Field(description="CloudEvent id and webhook-id.")
    type: str = Field(examples=["nl.vroegsignaal.case.opened"])
    case_id: str
    time: datetime
    status: str = Field(description="pending, delivered, dead or endpoint_disabled.")
    attempts: int
    last_error: str | None = Field(None, examples=["HTTP 503"])
    next_attempt_at: datetime | None = None


class NotificationList(BaseModel):
    notifications: list[NotificationOut]


class DeadLetterList(BaseModel):
    dead_letters: list[DeadLetterOut]


def dead_letter_out(letter: StoredDeadLetter) -> DeadLetterOut:
    return DeadLetterOut(
        id=letter.id,
        type=letter.event_type,
        case_id=letter.case_id,
        status=letter.status,
        attempts=letter.attempts,
        last_error=letter.last_error,
        dead_since=letter.since,
    )


class Replayed(BaseModel):
    id: str
    status: str = "pending"


@router.get(
    "/notifications",
    response_model=NotificationList,
    responses=_PROBLEMS,
    summary="Recent notifications and their delivery state",
)
async def list_notifications(
    request: Request,
    _: OpsReader,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> NotificationList:
    n, d = notifications.c, webhook_deliveries.c
    query = (
        select(
            n.id,
            n.event_type,
            n.subject,
            n.time,
            d.status,
            d.attempts,
            d.last_error,
            d.next_attempt_at,
        )
        .join_from(notifications, webhook_deliveries, d.notification_id == n.id)
        .order_by(n.created_at.desc(), n.id)
        .limit(limit)
    )
    if status is not None:
        query = query.where(d.status == status)
    async with request.app.state.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return NotificationList(
        notifications=[
            NotificationOut(
                id=r.id,
                type=r.event_type,
                case_id=r.subject,
                time=r.time,
                status=r.status,
                attempts=r.attempts,
                last_error=r.last_error,
                next_attempt_at=r.next_attempt_at,
            )
            for r in rows
        ]
    )


@router.get(
    "/dead-letters",
    response_model=DeadLetterList,
    responses=_PROBLEMS,
    summary="Notifications that ran out of retries or hit a 410",
)
async def list_dead_letters(request: Request, _: OpsReader) -> DeadLetterList:
    async with request.app.state.engine.connect() as conn:
        letters = await dead_letters(conn)
    return DeadLetterList(dead_letters=[dead_letter_out(x) for x in letters])


@router.post(
    "/dead-letters/{notification_id}/replay",
    response_model=Replayed,
    responses={**_PROBLEMS, 404: {"model": Problem}},
    summary="Send a dead letter again, same webhook-id, fresh retry budget",
)
async def replay_dead_letter(request: Request, notification_id: str, _: OpsReader) -> Replayed:
    async with request.app.state.engine.begin() as conn:
        replayed = await replay_dead_letters(conn, [notification_id], datetime.now(UTC))
    if not replayed:
        raise ProblemError(404, f"No dead letter {notification_id}.")
    return Replayed(id=notification_id)
