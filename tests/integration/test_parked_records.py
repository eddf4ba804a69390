"""A record a consumer cannot handle is parked with its reason; the partition goes on (§5)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.schema import upgrade
from shared.bus import EventBus, Record
from shared.bus.embedded import EmbeddedBus
from shared.bus.kafka import KafkaBus
from shared.cloudevent import CloudEvent
from shared.consuming import EventProcessor
from shared.db import create_engine
from shared.parking import list_parked
from shared.settings import Settings
from tests.e2e.process import eventually


def event(topic: str, key: str, data: bytes) -> Record:
    ce = CloudEvent(
        type="nl.vroegsignaal.test",
        source="/test",
        id=str(uuid.uuid4()),
        subject=key,
        time=datetime.now(UTC),
        data=data,
    )
    return Record.of(topic, key, ce)


class Handler:
    """Handles every event but the poison one, which fails however often it is tried.
    (`handled` also keeps what a failed batch's rolled-back transaction saw.)"""

    def __init__(self) -> None:
        self.handled: list[bytes] = []

    async def __call__(self, conn: AsyncConnection, ce: CloudEvent) -> None:
        if ce.data == b"poison":
            raise KeyError("a bug in the handler")
        self.handled.append(ce.data)


async def test_a_poison_record_and_a_broken_envelope_are_parked_and_the_rest_handled(
    stack: Settings, unique: str
) -> None:
    topic = f"test.parking.{unique}"
    bus: EventBus = (
        EmbeddedBus(stack.data_dir / "log.sqlite3")
        if stack.embedded_bus
        else KafkaBus(stack.kafka_bootstrap_servers or "", 1, [topic])
    )
    stack.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade(stack.resolved_database_url)
    engine = create_engine(stack.resolved_database_url)
    await bus.start()
    handler, stop = Handler(), asyncio.Event()
    group = f"parking-{unique}"
    good = [f"good-{i}".encode() for i in range(6)]
    broken = Record(topic=topic, key=b"hh", value=b"{}", headers=(("ce_id", b"x"),))
    records = [event(topic, "hh", d) for d in good[:3]]
    records += [event(topic, "hh", b"poison"), broken]
    records += [event(topic, "hh", d) for d in good[3:]]
    processor = EventProcessor(group, engine, bus.consumer(group, [topic]), handler, batch_size=50)
    task = asyncio.create_task(processor.run(stop))
    try:
        await bus.publish(records)

        async def all_good_handled() -> bool:
            return set(handler.handled) == set(good)

        async def nothing_behind() -> bool:
            return await processor.consumer.lag() == 0

        await eventually(all_good_handled, timeout_s=60)
        await eventually(nothing_behind, timeout_s=30)
        async with engine.connect() as conn:
            parked = sorted(
                (p for p in await list_parked(conn) if p.consumer == group), key=lambda p: p.offset
            )
    finally:
        stop.set()
        await task
        await bus.stop()
        await engine.dispose()
    assert [p.reason.split(":")[0] for p in parked] == ["handler failed", "no CloudEvent envelope"]
    assert parked[1].offset == parked[0].offset + 1  # the 4th and 5th records published
    assert parked[0].reason == "handler failed: KeyError"
