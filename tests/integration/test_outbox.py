"""The outbox relays what a transaction queued, in the order it was queued, byte for byte."""

from __future__ import annotations

from collections.abc import Sequence

from services.schema import upgrade
from shared.bus import Record
from shared.db import create_engine
from shared.outbox import OutboxRelay, add_to_outbox
from shared.settings import Settings


class RecordingBus:
    def __init__(self) -> None:
        self.published: list[Record] = []

    async def publish(self, records: Sequence[Record]) -> None:
        self.published += records


async def test_events_queued_together_are_relayed_in_their_order_unchanged(
    stack: Settings, unique: str
) -> None:
    """One call queues many events (on PostgreSQL as one statement over arrays): each keeps
    its topic, key, headers and bytes, and the relay publishes them in the order given."""
    stack.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade(stack.resolved_database_url)
    engine = create_engine(stack.resolved_database_url)
    queued = [
        Record(
            f"vs.test.{unique}.{i % 3}",
            f"household-{i % 7}".encode(),
            bytes([i % 256, 0, 255]) + f'{{"n": {i}}}'.encode(),
            (("ce_id", f"{unique}-{i}".encode()), ("ce_subject", "é ☃".encode())),
        )
        for i in range(700)
    ]
    bus = RecordingBus()
    try:
        async with engine.begin() as conn:
            await add_to_outbox(conn, queued[:500])
            await add_to_outbox(conn, [])
        async with engine.begin() as conn:
            await add_to_outbox(conn, queued[500:])
        relay = OutboxRelay(engine, bus)  # type: ignore[arg-type]
        while await relay.relay_once():
            pass
    finally:
        await engine.dispose()
    mine = [r for r in bus.published if r.topic.startswith(f"vs.test.{unique}.")]
    assert mine == queued
