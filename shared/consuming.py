"""Runs a service's event handler over a bus consumer with effectively-once effects.

One database transaction per fetched batch records every effect and its event id (inbox); the
offsets are committed only after it. A failed batch rewinds to the committed offsets and is
retried, so nothing acknowledged is skipped. A record that cannot be read, or that fails alone
where its batch kept failing (a poison record), is parked with its reason and the partition goes
on; an outage of the database or bus never parks anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.bus import BusUnavailable, Consumer, Record
from shared.cloudevent import CloudEvent, EnvelopeError
from shared.db import database_away
from shared.inbox import first_deliveries
from shared.loops import Backoff, run_forever, wait_until
from shared.observability import EVENTS_CONSUMED, EVENTS_REJECTED
from shared.parking import park

log = logging.getLogger(__name__)

EventHandler = Callable[[AsyncConnection, CloudEvent], Awaitable[None]]
"""Handles one event inside the batch transaction. It must read and validate the event before
writing anything: raising UnreadableEvent or ValidationError after a write would leave that
write in the batch."""
Unread = Sequence[tuple[CloudEvent, str]]
"""Events a batch handler could not read, each with its reason (ids and types, no values)."""
BatchHandler = Callable[[AsyncConnection, Sequence[CloudEvent]], Awaitable[Unread | None]]
"""Handles a batch of new events in one transaction (for throughput). It reads every event before
writing anything and hands back what it cannot read: those records are parked in the same
transaction, so they are neither retried nor lost."""


def is_transient(exc: BaseException) -> bool:
    """Failures that say nothing about the record: the database or bus is away, or a race that
    a retry resolves (an exception class may declare `transient = True`)."""
    return (
        database_away(exc)
        or isinstance(exc, BusUnavailable)
        or bool(getattr(exc, "transient", False))
    )


class UnreadableEvent(ValueError):
    """An event whose data does not match its declared schema; it is skipped, not retried."""


class EventProcessor:
    def __init__(
        self,
        name: str,
        engine: AsyncEngine,
        consumer: Consumer,
        handle: EventHandler | None = None,
        after_commit: Callable[[], None] | None = None,
        batch_size: int = 500,
        *,
        handle_batch: BatchHandler | None = None,
        isolate_after: int = 3,
    ) -> None:
        if (handle is None) == (handle_batch is None):
            raise ValueError("give either handle or handle_batch")
        self.name = name
        self._engine, self._consumer = engine, consumer
        self._handle_batch = handle_batch or self._one_by_one(handle)  # type: ignore[arg-type]
        self._after_commit = after_commit or (lambda: None)
        self._batch_size = batch_size
        self._isolate_after = isolate_after
        self._failures = 0
        self.processed = 0

    @property
    def consumer(self) -> Consumer:
        return self._consumer

    def _one_by_one(self, handle: EventHandler) -> BatchHandler:
        async def handle_each(conn: AsyncConnection, events: Sequence[CloudEvent]) -> None:
            for event in events:
                try:
                    await handle(conn, event)
                except (UnreadableEvent, ValidationError) as exc:
                    self.reject(event, exc)
            return None

        return handle_each

    async def process(self, records: list[Record]) -> None:
        """One transaction for the batch; after `isolate_after` failures of the same batch its
        records are handled one by one, and one that fails alone as well is parked."""
        try:
            await self._process_batch(records)
            self._failures = 0
        except Exception as exc:
            if is_transient(exc):
                raise  # the database or bus is away: retry the batch, never park for that
            self._failures += 1
            if self._failures < self._isolate_after:
                raise
            log.warning(
                "%s: batch failed %d times; handling it record by record", self.name, self._failures
            )
            for record in records:
                await self._process_alone(record)
            self._failures = 0

    async def _process_batch(self, records: list[Record]) -> None:
        readable: list[tuple[Record, CloudEvent]] = []
        unreadable: list[tuple[Record, str]] = []
        for record in records:
            try:
                readable.append((record, record.event()))
            except EnvelopeError as exc:
                unreadable.append((record, f"no CloudEvent envelope: {exc}"))
        async with self._engine.begin() as conn:
            for record, reason in unreadable:
                await self._park(conn, record, reason)
            events = [event for _, event in readable]
            fresh = await first_deliveries(conn, self.name, events)
            unread = await self._handle_batch(conn, fresh) or ()
            records_of = {id(event): record for record, event in readable}
            for event, reason in unread:
                await self._park(conn, records_of[id(event)], f"unreadable event: {reason}")
        self._after_commit()
        await self._consumer.commit(records)
        self.processed += len(records)
        EVENTS_CONSUMED.labels(consumer=self.name).inc(len(records))

    async def _process_alone(self, record: Record) -> None:
        for attempt in (1, 2):
            try:
                await self._process_batch([record])
                return
            except Exception as exc:
                if is_transient(exc):
                    raise
                if attempt == 1:
                    await asyncio.sleep(0.2)
                    continue
                reason = f"handler failed: {type(exc).__name__}"
        async with self._engine.begin() as conn:
            await self._park(conn, record, reason)
        await self._consumer.commit([record])

    async def _park(self, conn: AsyncConnection, record: Record, reason: str) -> None:
        EVENTS_REJECTED.labels(consumer=self.name).inc()
        log.error(
            "%s: parked record %s/%s@%s: %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            reason,
        )
        await park(conn, self.name, record, reason)

    def reject(self, event: CloudEvent, exc: Exception) -> None:
        """Counts and logs an event that cannot be read; it is skipped, never retried."""
        EVENTS_REJECTED.labels(consumer=self.name).inc()
        log.error(
            "%s: skipped unreadable event %s from %s: %s",
            self.name,
            event.id,
            event.source,
            type(exc).__name__,
        )

    async def run(self, stop: asyncio.Event) -> None:
        await self._start_consumer(stop)

        async def step() -> float:
            records = await self._consumer.fetch(self._batch_size, 0.5)
            if records:
                try:
                    await self.process(records)
                except Exception:
                    await self._restart_from_committed(stop)
                    raise
            return 0.0

        try:
            await run_forever(f"{self.name}: batch (retried from committed offsets)", step, stop)
        finally:
            await self._consumer.stop()

    async def _restart_from_committed(self, stop: asyncio.Event) -> None:
        """Fetched-but-failed records must be fetched again: never continue past them."""
        try:
            await self._consumer.rewind()
        except Exception:
            log.warning("%s: rewind failed; restarting the consumer", self.name)
            with contextlib.suppress(Exception):
                await self._consumer.stop()
            await self._start_consumer(stop)

    async def _start_consumer(self, stop: asyncio.Event) -> None:
        backoff, failures = Backoff(first_s=0.5), 0
        while True:
            try:
                await self._consumer.start()
                return
            except Exception as exc:
                if stop.is_set():
                    raise
                failures += 1
                log.warning(
                    "%s: consumer start failed (%s); retrying", self.name, type(exc).__name__
                )
                await wait_until(stop, timeout_s=backoff.delay(failures))
