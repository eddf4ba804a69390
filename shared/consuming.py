"""Runs a service's event handler over a bus consumer with effectively-once effects.

One database transaction per fetched batch records every effect and its event id (inbox); the
offsets are committed only after it. A failed batch rewinds to the committed offsets and is
retried, so nothing acknowledged is skipped; a record that cannot be read is counted and skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.bus import Consumer, Record
from shared.cloudevent import CloudEvent, EnvelopeError
from shared.inbox import first_delivery
from shared.observability import EVENTS_CONSUMED, EVENTS_REJECTED

log = logging.getLogger(__name__)

EventHandler = Callable[[AsyncConnection, CloudEvent], Awaitable[None]]
"""Handles one event inside the batch transaction. It must read and validate the event before
writing anything: raising UnreadableEvent or ValidationError after a write would leave that
write in the batch."""


class UnreadableEvent(ValueError):
    """An event whose data does not match its declared schema; it is skipped, not retried."""


class EventProcessor:
    def __init__(
        self,
        name: str,
        engine: AsyncEngine,
        consumer: Consumer,
        handle: EventHandler,
        after_commit: Callable[[], None] | None = None,
        batch_size: int = 500,
    ) -> None:
        self.name = name
        self._engine, self._consumer, self._handle = engine, consumer, handle
        self._after_commit = after_commit or (lambda: None)
        self._batch_size = batch_size
        self.processed = 0

    @property
    def consumer(self) -> Consumer:
        return self._consumer

    async def process(self, records: list[Record]) -> None:
        async with self._engine.begin() as conn:
            for record in records:
                try:
                    event = record.event()
                except EnvelopeError as exc:
                    self._reject(record, exc)
                    continue
                if not await first_delivery(conn, self.name, event):
                    continue
                try:
                    await self._handle(conn, event)
                except (UnreadableEvent, ValidationError) as exc:
                    self._reject(record, exc)
        self._after_commit()
        await self._consumer.commit(records)
        self.processed += len(records)
        EVENTS_CONSUMED.labels(consumer=self.name).inc(len(records))

    def _reject(self, record: Record, exc: Exception) -> None:
        EVENTS_REJECTED.labels(consumer=self.name).inc()
        log.error(
            "%s: skipped unreadable record %s/%s@%s: %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            type(exc).__name__,
        )

    async def run(self, stop: asyncio.Event) -> None:
        await self._start_consumer(stop)
        backoff = 0.25
        try:
            while not stop.is_set():
                records = await self._consumer.fetch(self._batch_size, 0.5)
                if not records:
                    continue
                try:
                    await self.process(records)
                    backoff = 0.25
                except Exception:
                    log.exception("%s: batch failed; retrying from committed offsets", self.name)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 10.0)
                    await self._consumer.rewind()
        finally:
            await self._consumer.stop()

    async def _start_consumer(self, stop: asyncio.Event) -> None:
        delay = 0.5
        while True:
            try:
                await self._consumer.start()
                return
            except Exception as exc:
                if stop.is_set():
                    raise
                log.warning(
                    "%s: consumer start failed (%s); retrying", self.name, type(exc).__name__
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
