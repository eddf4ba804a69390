"""The notifier's background loops, each on the shared `run_forever`: webhooks and team e-mails.

All delivery state is in the database, so a restarted (or second) worker carries on where
another stopped; a failed round is retried after a back-off, and what it had claimed comes due
again when its lease runs out.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from notifier.channels.email import SmtpSender
from notifier.channels.webhook import WebhookChannel
from notifier.domain.delivery import RandomSource, RetryPolicy
from notifier.repository import NotifierDatabase
from notifier.service import deliver_webhooks, send_team_emails
from shared.loops import run_forever

ROUNDS_PER_CLAIM = 8
"""Claimed deliveries per slot. Fewer cost throughput (a claim and a record per round, whatever
its size); more lengthen the lease, which is how long a crashed worker's claim waits
(8 x 25 s + 30 s: under 4 minutes)."""


class WebhookWorker:
    """Delivers due webhooks in rounds; woken by the consumer when it stored new ones."""

    def __init__(
        self,
        db: NotifierDatabase,
        channel: WebhookChannel,
        policy: RetryPolicy | None = None,
        *,
        batch_size: int | None = None,
        poll_s: float = 0.5,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: RandomSource | None = None,
    ) -> None:
        """`batch_size` defaults to `ROUNDS_PER_CLAIM` x the channel's concurrency."""
        self._db, self._channel, self._policy = db, channel, policy or RetryPolicy()
        self.batch_size = batch_size or ROUNDS_PER_CLAIM * channel.concurrency
        self.lease = channel.lease(self.batch_size)
        self._poll_s, self._clock, self._rng = poll_s, clock, rng or random.Random()
        self._wake = asyncio.Event()
        self.endpoint_disabled = False
        self.delivered = 0

    def wake(self) -> None:
        """Called after the consumer stored notifications, so they go out without a poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        await run_forever("webhook delivery round", self.deliver_due, stop, wake=self._wake)

    async def deliver_due(self) -> float:
        """One round; the seconds until the next is worth it (0 after a full claim)."""
        done = await deliver_webhooks(
            self._db,
            self._channel,
            self._policy,
            batch_size=self.batch_size,
            clock=self._clock,
            rng=self._rng,
        )
        self.delivered += done.delivered
        self.endpoint_disabled = done.endpoint_disabled
        if done.claimed >= self.batch_size:
            return 0.0
        if done.next_due is None:
            return self._poll_s  # other processes add work too: look again after a poll
        floor = 0.0 if done.claimed else 0.02  # due but claimed elsewhere: do not spin
        return min(self._poll_s, max((done.next_due - self._clock()) / timedelta(seconds=1), floor))


class TeamEmailWorker:
    """Sends due team e-mails one at a time, with the webhook's retry policy."""

    def __init__(
        self,
        db: NotifierDatabase,
        sender: SmtpSender,
        policy: RetryPolicy | None = None,
        *,
        batch_size: int = 5,
        poll_s: float = 0.5,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db, self._sender, self._policy = db, sender, policy or RetryPolicy()
        self._batch_size, self._poll_s, self._clock = batch_size, poll_s, clock
        self._rng = random.Random()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        await run_forever("team e-mail round", self.send_due, stop, wake=self._wake)

    async def send_due(self) -> float:
        sent = await send_team_emails(
            self._db,
            self._sender,
            self._policy,
            batch_size=self._batch_size,
            clock=self._clock,
            rng=self._rng,
        )
        return 0.0 if sent >= self._batch_size else self._poll_s
