"""Consumer of case events: when a case closes, its signals read `picked_up` or `not_picked_up`.

That status is the only thing a corporation learns of the case (DDAS).
"""

from __future__ import annotations

from sqlalchemy import tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.cloudevent import CloudEvent
from shared.events import CASE_EVENT_PREFIX, CaseChanged
from signal_ingest.tables import signals

CONSUMER = "signal-ingest-feedback"


async def handle_case_event(conn: AsyncConnection, event: CloudEvent) -> None:
    if not event.type.startswith(CASE_EVENT_PREFIX):
        return
    change = CaseChanged.model_validate_json(event.data)
    if change.change != "closed" or not change.signal_refs:
        return
    await conn.execute(
        update(signals)
        .where(
            tuple_(signals.c.source, signals.c.signal_id).in_(
                [(ref.source, ref.signal_id) for ref in change.signal_refs]
            )
        )
        .values(status=change.signal_status)
    )
