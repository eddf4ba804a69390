"""The cases topic's handler: case events → the signal statuses a corporation may see (DDAS).

Runs inside the EventProcessor's transaction, so the statuses and the inbox commit together.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.cloudevent import CloudEvent
from shared.events import CASE_EVENT_PREFIX, CaseChanged
from signal_ingest import service
from signal_ingest.repository import SqlSignalStatuses

CONSUMER = "signal-ingest-feedback"


async def handle_case_event(conn: AsyncConnection, event: CloudEvent) -> None:
    if not event.type.startswith(CASE_EVENT_PREFIX):
        return
    change = CaseChanged.model_validate_json(event.data)
    await service.apply_case_feedback(SqlSignalStatuses(conn), change)
