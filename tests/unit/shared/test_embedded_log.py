"""The embedded event log keeps Kafka's promises: order, offsets per group, survival of restarts."""

from __future__ import annotations

from pathlib import Path

from shared.bus import Record
from shared.bus.embedded import EmbeddedBus
from shared.cloudevent import CloudEvent


def record(n: int, key: str = "household-1") -> Record:
    return Record.of(
        "topic.a", key, CloudEvent(type="t", source="/test", id=f"e{n}", data=str(n).encode())
    )


async def test_groups_read_in_order_and_resume_from_their_commits(tmp_path: Path) -> None:
    bus = EmbeddedBus(tmp_path / "log.sqlite3")
    await bus.start()
    await bus.publish([record(n) for n in range(5)])
    first = bus.consumer("g1", ["topic.a"])
    await first.start()
    batch = await first.fetch(3, 0.1)
    assert [r.event().id for r in batch] == ["e0", "e1", "e2"]
    await first.commit(batch)
    assert await first.lag() == 2
    await bus.stop()

    reopened = EmbeddedBus(tmp_path / "log.sqlite3")
    await reopened.start()
    again = reopened.consumer("g1", ["topic.a"])
    await again.start()
    assert [r.event().id for r in await again.fetch(10, 0.1)] == ["e3", "e4"]
    other_group = reopened.consumer("g2", ["topic.a"])
    await other_group.start()
    assert len(await other_group.fetch(10, 0.1)) == 5
    await reopened.stop()


async def test_rewind_fetches_an_uncommitted_batch_again(tmp_path: Path) -> None:
    bus = EmbeddedBus(tmp_path / "log.sqlite3")
    await bus.start()
    await bus.publish([record(n) for n in range(3)])
    consumer = bus.consumer("g", ["topic.a"])
    await consumer.start()
    assert len(await consumer.fetch(10, 0.1)) == 3
    assert await consumer.fetch(10, 0.05) == []
    await consumer.rewind()
    assert [r.event().id for r in await consumer.fetch(10, 0.1)] == ["e0", "e1", "e2"]
    await bus.stop()


async def test_headers_and_keys_survive_the_round_trip(tmp_path: Path) -> None:
    bus = EmbeddedBus(tmp_path / "log.sqlite3")
    await bus.start()
    original = record(7, key="abc")
    await bus.publish([original])
    consumer = bus.consumer("g", ["topic.a"])
    await consumer.start()
    [received] = await consumer.fetch(1, 0.1)
    assert (received.key, received.value, received.headers) == (
        original.key,
        original.value,
        original.headers,
    )
    await bus.stop()
