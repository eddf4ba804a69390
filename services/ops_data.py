"""What the ops console reads across the services' tables (counts only, no personal data), and
its one change, replaying a dead letter. The composition root may know every service; this is
the seam to re-point when a service's rooms move (the notifier's repository and use cases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from notifier.schemas import dead_letter_out
from notifier.service import any_endpoint_disabled, count_dead_letters, dead_letters
from notifier.service import replay_dead_letters as notifier_replay
from shared.ops import summary as s

DAY, MONTH = timedelta(days=1), timedelta(days=30)


class NotifierDeadLetters:
    """The notifier's dead-letter store and its replay use case, behind the console."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def latest(self, conn: AsyncConnection, limit: int = 20) -> s.DeadLetters:
        letters = await dead_letters(conn, limit, newest_first=True)
        return s.DeadLetters(
            count=await count_dead_letters(conn),
            latest=[dead_letter_out(x) for x in letters],
            webhook_endpoint_disabled=await any_endpoint_disabled(conn),
        )

    async def replay(self, notification_id: str) -> bool:
        """Back to pending under the same webhook-id with a fresh budget (`dlq replay`)."""
        async with self._engine.begin() as conn:
            return bool(await notifier_replay(conn, [notification_id], datetime.now(UTC)))
