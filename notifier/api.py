"""Ops routes of the notifier: notifications and dead letters (ids, reasons; no personal data)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from notifier import service
from notifier.domain.delivery import DeliveryStatus
from notifier.schemas import (
    DeadLetterList,
    NotificationList,
    NotificationOut,
    Replayed,
    dead_letter_out,
)
from shared.web.auth import OpsReader, OpsWriter
from shared.web.deps import EngineDep
from shared.web.problems import Problem, ProblemError

router = APIRouter(prefix="/v1/ops", tags=["operations"])
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}} for code in (401, 403)
}


@router.get(
    "/notifications",
    response_model=NotificationList,
    responses=_PROBLEMS,
    summary="Recent notifications and their delivery state",
)
async def list_notifications(
    engine: EngineDep,
    _: OpsReader,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> NotificationList:
    async with engine.connect() as conn:
        states = await service.list_notifications(conn, status, limit)
    return NotificationList(notifications=[NotificationOut.of(s) for s in states])


@router.get(
    "/dead-letters",
    response_model=DeadLetterList,
    responses=_PROBLEMS,
    summary="Notifications that ran out of retries or hit a 410",
)
async def list_dead_letters(engine: EngineDep, _: OpsReader) -> DeadLetterList:
    async with engine.connect() as conn:
        letters = await service.dead_letters(conn)
    return DeadLetterList(dead_letters=[dead_letter_out(x) for x in letters])


@router.post(
    "/dead-letters/{notification_id}/replay",
    response_model=Replayed,
    responses={**_PROBLEMS, 404: {"model": Problem}},
    summary="Send a dead letter again (ops:write), same webhook-id, fresh retry budget",
)
async def replay_dead_letter(notification_id: str, engine: EngineDep, _: OpsWriter) -> Replayed:
    async with engine.begin() as conn:
        replayed = await service.replay_dead_letters(conn, [notification_id], datetime.now(UTC))
    if not replayed:
        raise ProblemError(404, f"No dead letter {notification_id}.")
    return Replayed(id=notification_id)
