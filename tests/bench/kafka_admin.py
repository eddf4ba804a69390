"""Kafka chores of a benchmark run: bench topics, end offsets, and keeping the shared signals topic
from handing the next test run a backlog of benchmark records."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import GroupCoordinatorNotAvailableError
from aiokafka.protocol.admin import DeleteGroupsRequest

Offsets = dict[TopicPartition, int]
T = TypeVar("T")


async def _when_coordinated(call: Callable[[], Awaitable[T]], timeout_s: float = 60) -> T:
    """A fresh broker creates its offsets topic on the first group lookup and answers
    GroupCoordinatorNotAvailable until it is ready: ask again for a while (a fresh clone's
    `make bench` starts on a fresh broker)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            return await call()
        except GroupCoordinatorNotAvailableError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


async def create_topic(bootstrap: str, topic: str, partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()


async def delete_topic(bootstrap: str, topic: str, groups: Sequence[str] = ()) -> None:
    """Deletes a bench topic and the consumer groups that read it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([topic])
        if groups:
            # aiokafka's admin has no delete_consumer_groups; the request itself is public API.
            coordinator = await _when_coordinated(lambda: admin.find_coordinator(groups[0]))
            await admin._send_request(DeleteGroupsRequest(list(groups)), coordinator)
    finally:
        await admin.close()


async def end_offsets(bootstrap: str, topic: str) -> Offsets:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described["error_code"]:  # e.g. the topic does not exist (yet)
        return {}
    partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
    return await _offsets(bootstrap, partitions, end=True)


IDLE_STATES = ("Empty", "Dead", "")
"""No consumer of the group runs: it has none, it is gone, or ("") it never existed (a fresh
broker)."""


async def group_state(bootstrap: str, group: str) -> str:
    """`Empty` or `Dead` when no consumer of the group is running, else e.g. `Stable`."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await _when_coordinated(lambda: admin.describe_consumer_groups([group]))
        return str(described.groups[0][2])
    finally:
        await admin.close()


async def skip_bench_records(bootstrap: str, group: str, before: Offsets, after: Offsets) -> str:
    """Moves an idle app consumer group past the records this run put on a shared topic.

    Only partitions where the group had already read everything up to `before` are moved, so no
    record older than the run is skipped; an active group is left alone (Kafka would refuse a
    commit from a non-member anyway)."""
    published = sum(end - before.get(tp, 0) for tp, end in after.items())
    state = await group_state(bootstrap, group)
    if state not in IDLE_STATES:
        return (
            f"**WARNING**: group `{group}` is {state}: up to {published:,} benchmark records may "
            f"reach its database"
        )
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    starts = await _offsets(bootstrap, list(after), end=False)
    moves: Offsets = {}
    positions: Offsets = {}
    for tp, end in after.items():
        at = committed.get(tp)
        # A partition the group never committed on is read from its start (earliest): move it
        # only if every record in it is from this run.
        position = at.offset if at is not None and at.offset >= 0 else starts.get(tp, 0)
        if before.get(tp, 0) <= position < end:
            moves[tp], positions[tp] = end, position
    if moves:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            consumer.assign(list(moves))
            await consumer.commit(moves)
        finally:
            await consumer.stop()
    skipped = sum(end - positions[tp] for tp, end in moves.items())
    left = published - sum(end - before.get(tp, 0) for tp, end in moves.items())
    if left > 0:
        return (
            f"**WARNING**: group `{group}` had a backlog from before the run; {left:,} benchmark "
            f"records are left for it (moved past {skipped:,})"
        )
    return f"group `{group}` moved past the run's {skipped:,} records on {len(moves)} partitions"


async def _offsets(bootstrap: str, partitions: list[TopicPartition], end: bool) -> Offsets:
    """The end (next offset to be written) or beginning of each partition."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        if end:
            return dict(await consumer.end_offsets(partitions))
        return dict(await consumer.beginning_offsets(partitions))
    finally:
        await consumer.stop()


class GroupWatch:
    """One admin client and one group-less consumer kept open, for polling groups' backlogs and
    states many times a run without a client start (and its metadata round) per question."""

    def __init__(self, bootstrap: str) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self._partitions: dict[str, list[TopicPartition]] = {}

    async def __aenter__(self) -> GroupWatch:
        await self._admin.start()
        try:
            await self._consumer.start()
        except BaseException:
            await self._admin.close()
            raise
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def backlog(self, group: str, topic: str) -> int:
        """As `group_backlog`."""
        partitions = await self._partitions_of(topic)
        if not partitions:
            return 0
        ends = await self._consumer.end_offsets(partitions)
        starts = await self._consumer.beginning_offsets(partitions)
        committed = await _when_coordinated(
            lambda: self._admin.list_consumer_group_offsets(group, partitions=partitions)
        )
        return _uncommitted(ends, starts, committed)

    async def state(self, group: str) -> str:
        """As `group_state`."""
        [described] = await _when_coordinated(lambda: self._admin.describe_consumer_groups([group]))
        return str(described.groups[0][2])

    async def _partitions_of(self, topic: str) -> list[TopicPartition]:
        if topic not in self._partitions:
            [described] = await self._admin.describe_topics([topic])
            if described["error_code"]:  # not there yet (a fresh broker): ask again next time
                return []
            self._partitions[topic] = [
                TopicPartition(topic, p["partition"]) for p in described["partitions"]
            ]
        return self._partitions[topic]


async def group_backlog(bootstrap: str, group: str, topic: str) -> int:
    """Records of `topic` the group has not committed yet: what a new member would read first
    (from the log start where the group never committed, as `auto_offset_reset=earliest`)."""
    ends = await end_offsets(bootstrap, topic)
    if not ends:
        return 0
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group, partitions=list(ends))
    finally:
        await admin.close()
    starts = await _offsets(bootstrap, list(ends), end=False)
    return _uncommitted(ends, starts, committed)


def _uncommitted(ends: Offsets, starts: Offsets, committed: dict[TopicPartition, Any]) -> int:
    total = 0
    for tp, end in ends.items():
        at = committed.get(tp)
        begin = starts.get(tp, 0)
        total += end - (max(at.offset, begin) if at is not None and at.offset >= 0 else begin)
    return total
