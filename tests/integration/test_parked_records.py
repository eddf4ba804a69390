"""A record a consumer cannot handle is parked with its reason; the partition goes on (§5)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.schema import upgrade
from services.triage import triage_setup
from shared.bus import EventBus, Record
from shared.bus.embedded import EmbeddedBus
from shared.bus.kafka import KafkaBus
from shared.cloudevent import CloudEvent
from shared.consuming import EventProcessor
from shared.crypto import PiiVault
from shared.db import create_engine
from shared.events import SIGNAL_RECEIVED
from shared.parking import list_parked
from shared.settings import Settings
from signal_ingest.domain.signal import parse_signal
from signal_ingest.received import new_signal
from tests.e2e.process import eventually
from tests.signals import rent_arrears
from triage.consumer import SignalTriage
from triage.tables import cases


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


async def test_triage_parks_an_unreadable_signal_event_and_triages_the_rest(
    stack: Settings, unique: str
) -> None:
    """A `signal.received` whose data is not a signal, and a record without an envelope, on the
    signals topic: both parked with their reason, the good signals around them become cases."""
    topic = f"test.triage-parking.{unique}"
    bus: EventBus = (
        EmbeddedBus(stack.data_dir / "log.sqlite3")
        if stack.embedded_bus
        else KafkaBus(stack.kafka_bootstrap_servers or "", 3, [topic])
    )
    stack.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade(stack.resolved_database_url)
    engine = create_engine(stack.resolved_database_url)
    vault = PiiVault(stack.pii_key or "")
    setup = triage_setup(stack)
    await bus.start()
    now = datetime.now(UTC)

    async def good() -> tuple[str, Record]:
        signal = parse_signal(rent_arrears())
        keys = await vault.households.ensure([vault.pseudonym(signal.household.address.identity())])
        made = new_signal(signal, "digest", f"corp-{unique}", vault, now, keys).event
        return made.key.decode(), Record(topic, made.key, made.value, made.headers)

    goods = [await good() for _ in range(4)]
    bad_data = CloudEvent(
        type=SIGNAL_RECEIVED,
        source=f"/corp-{unique}",
        id=str(uuid.uuid4()),
        subject="hh",
        time=now,
        data=b'{"signal_id": 1, "type": "rent_arrears"}',
    )
    no_envelope = Record(topic=topic, key=b"hh", value=b"\x00\xff", headers=())
    records = [goods[0][1], goods[1][1], Record.of(topic, "hh", bad_data), no_envelope]
    records += [goods[2][1], goods[3][1]]
    group = f"triage-{unique}"
    processor = EventProcessor(
        group,
        engine,
        bus.consumer(group, [topic]),
        handle_batch=SignalTriage(setup.policy, vault),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(processor.run(stop))
    households = {pseudonym for pseudonym, _ in goods}
    try:
        await bus.publish(records)

        async def triaged() -> bool:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    select(cases.c.household_pseudonym).where(
                        cases.c.household_pseudonym.in_(households)
                    )
                )
                return {r[0] for r in rows} == households

        async def nothing_behind() -> bool:
            return await processor.consumer.lag() == 0

        await eventually(triaged, timeout_s=60)
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
    reasons = sorted(p.reason.split(":")[0] for p in parked)
    assert reasons == ["no CloudEvent envelope", "unreadable event"], [p.reason for p in parked]
    [unreadable] = [p for p in parked if p.reason.startswith("unreadable")]
    assert "signal_id" in unreadable.reason and "1" not in unreadable.reason.split(":", 1)[1]
