"""Webhook delivery worker: a thin loop around `notifier.domain.delivery`.

Each round claims a batch of due deliveries, posts them concurrently with one long-lived
client, and stores every attempt and outcome in one transaction. All state is in the database,
so a restarted (or second) worker carries on where another stopped.

A claim holds only what can be posted within its lease: a round claims `ROUNDS_PER_CLAIM` x
`concurrency` deliveries, every attempt is cut off after `attempt_timeout_s`, and the lease is
rounds x attempt timeout + `LEASE_MARGIN`. So another worker never takes over, and posts again,
a delivery this one is still working on, however slowly the USD answers.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.domain.delivery import (
    AttemptResult,
    Delivery,
    DeliveryStatus,
    RandomSource,
    RetryPolicy,
    after_attempt,
)
from notifier.payload import PayloadBuilder
from notifier.store import (
    claim_due,
    disable_endpoint,
    is_endpoint_disabled,
    next_due,
    save_outcomes,
)
from notifier.tables import notifications, webhook_attempts, webhook_deliveries
from notifier.webhook import WebhookSender
from shared.observability import DELIVERIES, DELIVERY_LATENCY, ENDPOINT_DISABLED

log = logging.getLogger(__name__)

ROUNDS_PER_CLAIM = 8
"""Claimed deliveries per slot. Fewer cost throughput (a claim and a record per round, whatever
its size); more lengthen the lease, which is how long a crashed worker's claim waits
(8 x 25 s + 30 s: under 4 minutes)."""
LEASE_MARGIN = timedelta(seconds=30)
"""For the claim, payload building and scheduling around the attempts themselves."""

_OUTCOME_LABELS = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.PENDING: "retry",
    DeliveryStatus.DEAD: "dead",
    DeliveryStatus.ENDPOINT_DISABLED: "disabled",
}


class DeliveryWorker:
    def __init__(
        self,
        engine: AsyncEngine,
        sender: WebhookSender,
        endpoint: str,
        payloads: PayloadBuilder,
        policy: RetryPolicy | None = None,
        *,
        concurrency: int = 8,
        batch_size: int | None = None,
        attempt_timeout_s: float = 25.0,
        poll_s: float = 0.5,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: RandomSource | None = None,
    ) -> None:
        """`attempt_timeout_s` bounds one POST (connect, write, read and waits in between);
        `batch_size` defaults to `ROUNDS_PER_CLAIM` x `concurrency`."""
        if concurrency < 1 or attempt_timeout_s <= 0:
            raise ValueError("need concurrency >= 1 and a positive attempt timeout")
        self._engine, self._sender, self._endpoint = engine, sender, endpoint
        self._payloads, self._policy = payloads, policy or RetryPolicy()
        self._batch_size = batch_size or ROUNDS_PER_CLAIM * concurrency
        self._attempt_timeout_s, self._poll_s = attempt_timeout_s, poll_s
        rounds = math.ceil(self._batch_size / concurrency)
        self.lease = timedelta(seconds=rounds * attempt_timeout_s) + LEASE_MARGIN
        self._slots = asyncio.Semaphore(concurrency)
        self._clock, self._rng = clock, rng or random.Random()
        self._wake = asyncio.Event()
        self.endpoint_disabled = False
        self.delivered = 0

    def wake(self) -> None:
        """Called after the consumer stored notifications, so they go out without a poll."""
        self._wake.set()

    async def _claim(self) -> tuple[list[Delivery], dict[str, Row[Any]]]:
        """Due deliveries and their notifications, unless the endpoint is disabled."""
        async with self._engine.begin() as conn:
            claimed = await claim_due(
                conn,
                webhook_deliveries,
                self._clock(),
                self._batch_size,
                self.lease,
                unless_disabled=self._endpoint,
            )
            self.endpoint_disabled = not claimed and await is_endpoint_disabled(
                conn, self._endpoint
            )
            ENDPOINT_DISABLED.set(1 if self.endpoint_disabled else 0)
            if not claimed:
                return [], {}
            ids = [d.notification_id for d in claimed]
            rows = await conn.execute(select(notifications).where(notifications.c.id.in_(ids)))
            return claimed, {row.id: row for row in rows}

    async def _deliver(self, claimed: list[Delivery], rows: dict[str, Row[Any]]) -> None:
        results = await asyncio.gather(*(self._attempt(rows[d.notification_id]) for d in claimed))
        await self._record(claimed, results, rows)

    async def _attempt(self, row: Row[Any]) -> AttemptResult:
        try:
            notification = self._payloads.notification(row)
        except Exception as exc:  # a payload we cannot build is retried, then dead-lettered
            log.error("cannot build notification %s: %s", row.id, type(exc).__name__)
            return AttemptResult(status_code=None, error=f"payload: {type(exc).__name__}")
        async with self._slots:
            try:
                async with asyncio.timeout(self._attempt_timeout_s):
                    return await self._sender.send(notification)
            except TimeoutError:
                return AttemptResult(status_code=None, error="timeout")

    async def _record(
        self, claimed: list[Delivery], results: list[AttemptResult], rows: dict[str, Row[Any]]
    ) -> None:
        now = self._clock()
        outcomes = [
            (d, after_attempt(d, r, self._policy, now, self._rng))
            for d, r in zip(claimed, results, strict=True)
        ]
        disabled = [a for _, a in outcomes if a.status is DeliveryStatus.ENDPOINT_DISABLED]
        async with self._engine.begin() as conn:
            await save_outcomes(conn, webhook_deliveries, outcomes, now)
            await conn.execute(
                webhook_attempts.insert(),
                [
                    {
                        "notification_id": a.notification_id,
                        "attempt": a.attempts,
                        "status_code": r.status_code,
                        "error": r.error,
                        "at": now,
                    }
                    for (_, a), r in zip(outcomes, results, strict=True)
                ],
            )
            if disabled:
                await disable_endpoint(conn, self._endpoint, now, "HTTP 410 Gone")
        for _, after in outcomes:
            DELIVERIES.labels(outcome=_OUTCOME_LABELS[after.status]).inc()
            if after.status is DeliveryStatus.DELIVERED:
                self.delivered += 1
                seconds = (now - rows[after.notification_id].time).total_seconds()
                DELIVERY_LATENCY.observe(max(seconds, 0.0))
            elif after.status is DeliveryStatus.DEAD:
                log.warning(
                    "notification %s is a dead letter after %d attempts (%s)",
                    after.notification_id,
                    after.attempts,
                    after.last_error,
                )
        if disabled:
            self.endpoint_disabled = True
            ENDPOINT_DISABLED.set(1)
            log.error(
                "webhook endpoint disabled by 410 (notification %s); deliveries are parked "
                "until `vroegsignaal dlq replay`",
                disabled[0].notification_id,
            )

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.25
        while not stop.is_set():
            self._wake.clear()
            try:
                claimed, rows = await self._claim()
                if claimed:
                    await self._deliver(claimed, rows)
                backoff = 0.25
            except Exception:
                # Claimed deliveries stay leased until the lease runs out, then are tried again.
                log.exception("webhook delivery round failed; retrying in %.1fs", backoff)
                await wait_for_work(stop, asyncio.Event(), backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if len(claimed) < self._batch_size:
                await wait_for_work(stop, self._wake, await self._idle_seconds(bool(claimed)))

    async def _idle_seconds(self, claimed_any: bool) -> float:
        """Until the next retry is due, at most `poll_s` (other processes add work too)."""
        if self.endpoint_disabled:
            return self._poll_s
        async with self._engine.connect() as conn:
            due = await next_due(conn, webhook_deliveries)
        if due is None:
            return self._poll_s
        floor = 0.0 if claimed_any else 0.02  # due but claimed elsewhere: do not spin
        return min(self._poll_s, max((due - self._clock()) / timedelta(seconds=1), floor))


async def wait_for_work(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    """Sleep up to `seconds`, less if woken or stopped."""
    waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())}
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
