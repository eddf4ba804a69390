"""The notifier's use cases, one function each.

Recording and the ops reads and replay run in the caller's transaction (the consumer's inbox
batch, the ops console's one read across services), so they take its connection. A delivery
round commits its claim before it sends and its outcomes after, so it opens its own
transactions through a `NotifierDatabase`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.channels.email import SmtpSender, TeamMailboxes
from notifier.channels.webhook import WebhookChannel
from notifier.domain.case_summary import is_urgent_for_team
from notifier.domain.delivery import (
    Delivery,
    DeliveryStatus,
    RandomSource,
    RetryPolicy,
    after_attempt,
    new_delivery,
    replay,
)
from notifier.domain.notification import (
    Channel,
    DeadLetter,
    NotificationState,
    StoredNotification,
)
from notifier.metrics import count_team_email_attempts, count_webhook_attempts
from notifier.repository import NotificationRepository, NotifierDatabase
from shared.db import database_away
from shared.events import CaseChanged
from shared.observability import ENDPOINT_DISABLED

log = logging.getLogger(__name__)

EMAIL_LEASE = timedelta(seconds=60)
"""A team e-mail claim: one message at a time, 5 x the 10 s SMTP timeout fits in it."""


@dataclass(frozen=True, slots=True)
class ReceivedChange:
    """A readable case event; `received_at` is strictly increasing in bus order."""

    id: str
    time: datetime
    change: CaseChanged
    received_at: datetime
    correlation_id: str | None = None


async def record_case_changes(
    conn: AsyncConnection, received: Sequence[ReceivedChange], mailboxes: TeamMailboxes
) -> None:
    """Each new change becomes a notification with a pending webhook delivery, and an urgent one
    a team e-mail too; a change recorded before (a redelivered event) is left alone."""
    repo = NotificationRepository(conn)
    fresh = await repo.add_notifications([_stored(r) for r in received])
    new = [r for r in received if r.id in fresh]
    await repo.add_deliveries([new_delivery(r.id, r.received_at) for r in new])
    urgent = [r for r in new if is_urgent_for_team(r.change.change, r.change.case.priority)]
    emails = [(r, e) for r in urgent if (e := mailboxes.email(r.id, r.change)) is not None]
    await repo.add_team_emails([(new_delivery(r.id, r.received_at), e) for r, e in emails])


@dataclass(frozen=True, slots=True)
class WebhookRound:
    """What one webhook round did, for its worker to decide how long to idle."""

    claimed: int
    delivered: int
    endpoint_disabled: bool
    next_due: datetime | None
    """When a retry comes due, if the round claimed less than it could and may send again."""


async def deliver_webhooks(
    db: NotifierDatabase,
    channel: WebhookChannel,
    policy: RetryPolicy,
    *,
    batch_size: int,
    clock: Callable[[], datetime],
    rng: RandomSource,
) -> WebhookRound:
    """Claim what is due, post it concurrently, store every attempt and outcome; a 410
    disables the endpoint, which parks every delivery until ops replay."""
    async with db.transaction() as repo:
        lease = channel.lease(batch_size)
        claimed = await repo.claim_due(
            "webhook", clock(), batch_size, lease, unless_disabled=channel.endpoint
        )
        disabled = not claimed and await repo.is_endpoint_disabled(channel.endpoint)
        stored = await repo.notifications([d.notification_id for d in claimed]) if claimed else {}
    ENDPOINT_DISABLED.set(1 if disabled else 0)
    delivered = 0
    if claimed:
        results = await channel.attempts([stored[d.notification_id] for d in claimed])
        now = clock()
        after = [
            after_attempt(d, r, policy, now, rng) for d, r in zip(claimed, results, strict=True)
        ]
        gone = [a for a in after if a.status is DeliveryStatus.ENDPOINT_DISABLED]
        # The posts are done: if the database is away now (a restart), keep the outcomes and
        # record them when it is back, within half the lease. Lost, they would leave every claim
        # waiting for its lease to end (minutes) before anything is sent again.
        patience = _Patience(lease / 2)
        while True:
            try:
                async with db.transaction() as repo:
                    await repo.save_states("webhook", _claims(claimed, after), now)
                    await repo.add_attempts(list(zip(after, results, strict=True)), now)
                    if gone:
                        await repo.disable_endpoint(channel.endpoint, now, "HTTP 410 Gone")
                    if channel.carries_contact_data:
                        sent = [
                            a.notification_id for a in after if a.status is DeliveryStatus.DELIVERED
                        ]
                        await repo.audit_contact_data_sent([stored[i] for i in sent])
                break
            except Exception as exc:
                if not database_away(exc) or not await patience.wait():
                    raise
                log.warning("webhook round: the database is away; recording its outcomes later")
        delivered = count_webhook_attempts(after, {i: n.time for i, n in stored.items()}, now)
        disabled = bool(gone)
    next_due = None
    if len(claimed) < batch_size and not disabled:
        async with db.transaction() as repo:
            next_due = await repo.next_due("webhook")
    return WebhookRound(len(claimed), delivered, disabled, next_due)


class _Patience:
    """Waits with a growing pause (0.2 s up to 5 s) until `limit` has passed."""

    def __init__(self, limit: timedelta) -> None:
        self._end = time.monotonic() + limit.total_seconds()
        self._pause = 0.2

    async def wait(self) -> bool:
        if time.monotonic() + self._pause > self._end:
            return False
        await asyncio.sleep(self._pause)
        self._pause = min(self._pause * 2, 5.0)
        return True


async def send_team_emails(
    db: NotifierDatabase,
    sender: SmtpSender,
    policy: RetryPolicy,
    *,
    batch_size: int,
    clock: Callable[[], datetime],
    rng: RandomSource,
) -> int:
    """Send the due team e-mails one by one under the webhook's retry policy; returns how many
    were claimed."""
    async with db.transaction() as repo:
        claimed = await repo.claim_due("team_email", clock(), batch_size, EMAIL_LEASE)
        if not claimed:
            return 0
        messages = await repo.team_email_messages([d.notification_id for d in claimed])
    results = [await sender.send(messages[d.notification_id]) for d in claimed]
    now = clock()
    after = [after_attempt(d, r, policy, now, rng) for d, r in zip(claimed, results, strict=True)]
    async with db.transaction() as repo:
        await repo.save_states("team_email", _claims(claimed, after), now)
    count_team_email_attempts(after)
    return len(claimed)


async def replay_dead_letters(
    conn: AsyncConnection, ids: Sequence[str] | None, now: datetime
) -> list[str]:
    """Back to pending with a fresh budget under the same id (`None`: every dead letter), and
    the endpoint enabled again; what it parked gets a fresh budget too: it never had a fair try."""
    repo = NotificationRepository(conn)
    replayed = [replay(d, now) for d in await repo.parked(ids)]
    await repo.save_states("webhook", [(r, None) for r in replayed], now)
    if not replayed and ids is not None:
        return []
    if await repo.enable_all_endpoints():
        await repo.restart_pending(before=now)
    return [r.notification_id for r in replayed]


async def dead_letters(
    conn: AsyncConnection,
    limit: int = 1000,
    *,
    newest_first: bool = False,
    channel: Channel = "webhook",
) -> list[DeadLetter]:
    """What ran out of retries (or hit a 410) on `channel`: the ops API, console and CLI list."""
    return await NotificationRepository(conn).dead_letters(
        channel, limit, newest_first=newest_first
    )


async def count_dead_letters(conn: AsyncConnection, channel: Channel = "webhook") -> int:
    return await NotificationRepository(conn).count_dead_letters(channel)


async def any_endpoint_disabled(conn: AsyncConnection) -> bool:
    return await NotificationRepository(conn).is_endpoint_disabled(None)


async def is_endpoint_disabled(conn: AsyncConnection, endpoint: str) -> bool:
    return await NotificationRepository(conn).is_endpoint_disabled(endpoint)


async def list_notifications(
    conn: AsyncConnection, status: DeliveryStatus | None, limit: int
) -> list[NotificationState]:
    """The latest notifications and how far their webhooks got."""
    return await NotificationRepository(conn).notification_states(status, limit)


def _stored(received: ReceivedChange) -> StoredNotification:
    change = received.change
    return StoredNotification(
        id=received.id,
        event_type=change.event_type,
        subject=change.case_id,
        time=received.time,
        case_document=change.case.model_dump_json(),
        sealed_household=change.sealed_household,
        created_at=received.received_at,
        correlation_id=received.correlation_id,
    )


def _claims(claimed: Sequence[Delivery], after: Sequence[Delivery]) -> list[tuple[Delivery, int]]:
    """Each new state with the attempts it was claimed at: stored only while the claim holds."""
    return [(a, c.attempts) for c, a in zip(claimed, after, strict=True)]
