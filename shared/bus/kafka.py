"""Kafka adapter of the bus (aiokafka): idempotent producer, manual commits, explicit topics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from shared.bus import BusUnavailable, GroupLag, Record

log = logging.getLogger(__name__)
PUBLISH_TIMEOUT_S = 20.0


class KafkaConsumer:
    def __init__(self, bootstrap: str, group: str | None, topics: Sequence[str]) -> None:
        self._bootstrap, self._group, self._topics = bootstrap, group, tuple(topics)
        self._consumer = self._new_consumer()
        self._used = False

    def _new_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            *self._topics,
            bootstrap_servers=self._bootstrap,
            group_id=self._group,
            enable_auto_commit=False,  # commit only after the effect's transaction committed
            auto_offset_reset="earliest" if self._group else "latest",
            max_poll_interval_ms=300_000,
            session_timeout_ms=10_000,
            heartbeat_interval_ms=1_000,
        )

    async def start(self) -> None:
        """Starts (or, after a stop, restarts with a fresh client: aiokafka cannot restart one)."""
        if self._used:
            self._consumer = self._new_consumer()
        self._used = True
        await self._consumer.start()

    async def stop(self) -> None:
        await self._consumer.stop()

    async def fetch(self, max_records: int, timeout_s: float) -> list[Record]:
        batches = await self._consumer.getmany(
            timeout_ms=int(timeout_s * 1000), max_records=max_records
        )
        return [
            Record(
                topic=m.topic,
                key=m.key or b"",
                value=m.value or b"",
                headers=tuple(m.headers or ()),
                partition=m.partition,
                offset=m.offset,
            )
            for messages in batches.values()
            for m in messages
        ]

    async def commit(self, records: Sequence[Record]) -> None:
        offsets: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(r.topic, r.partition)
            offsets[tp] = max(offsets.get(tp, 0), r.offset + 1)
        if offsets:
            await self._consumer.commit(offsets)

    async def rewind(self) -> None:
        for tp in self._consumer.assignment():
            committed = await self._consumer.committed(tp)
            if committed is None:
                await self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, committed)

    async def lag(self) -> int:
        assigned = list(self._consumer.assignment())
        if not assigned:
            return 0
        ends = await self._consumer.end_offsets(assigned)
        total = 0
        for tp in assigned:
            total += ends[tp] - (await self._consumer.committed(tp) or 0)
        return total


class KafkaTail(KafkaConsumer):
    """No group, no commits: every partition pinned at its end offset on start (live views)."""

    def __init__(self, bootstrap: str, topics: Sequence[str]) -> None:
        super().__init__(bootstrap, None, topics)

    async def start(self, assigned_within_s: float = 10.0) -> None:
        await super().start()
        try:
            async with asyncio.timeout(assigned_within_s):  # no group: all partitions, soon
                while not self._consumer.assignment():  # noqa: ASYNC110 (aiokafka has no event)
                    await asyncio.sleep(0.02)
                for tp in self._consumer.assignment():  # resolve "latest" before returning
                    await self._consumer.position(tp)
        except BaseException:
            await self._consumer.stop()
            raise

    async def commit(self, records: Sequence[Record]) -> None:
        return None

    async def rewind(self) -> None:
        return None

    async def lag(self) -> int:
        return 0


class KafkaBus:
    def __init__(self, bootstrap: str, partitions: int = 6, topics: Sequence[str] = ()) -> None:
        self._bootstrap, self._partitions, self._topics = bootstrap, partitions, tuple(topics)
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()
        self._topics_ready = False

    async def start(self) -> None:
        """Best effort: a broker that is down now is retried on the next publish."""
        try:
            await self._ensure_producer()
            await self.ensure_topics()
        except (KafkaError, OSError, BusUnavailable) as exc:
            log.warning("kafka not reachable at start: %s", type(exc).__name__)

    async def ensure_topics(self) -> None:
        """Creates missing topics, replicated 3 times where the cluster has 3 brokers."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        await admin.start()
        try:
            brokers = len((await admin.describe_cluster())["brokers"])
            replicas = min(3, max(brokers, 1))
            config = {"min.insync.replicas": str(max(1, replicas - 1))}
            response = await admin.create_topics(
                [
                    NewTopic(t, self._partitions, replicas, topic_configs=config)
                    for t in self._topics
                ]
            )
            for topic, code, message in (e[:3] for e in response.topic_errors):
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise BusUnavailable(f"creating topic {topic} failed: {code} {message}")
            self._topics_ready = True
        finally:
            await admin.close()

    async def _ensure_producer(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self._bootstrap,
                    enable_idempotence=True,  # acks=all, no duplicates from producer retries
                    linger_ms=2,
                    request_timeout_ms=15_000,
                )
                try:
                    await producer.start()
                except BaseException:
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def _discard_producer(self) -> None:
        """After a fatal producer error aiokafka needs a fresh producer (KAFKA.md)."""
        async with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(KafkaError, OSError, TimeoutError):
                await asyncio.wait_for(producer.stop(), 5)

    async def stop(self) -> None:
        await self._discard_producer()

    async def publish(self, records: Sequence[Record]) -> None:
        if not records:
            return
        try:
            producer = await self._ensure_producer()
            if not self._topics_ready:
                await self.ensure_topics()

            async def send_all() -> None:
                futures = [
                    await producer.send(r.topic, r.value, key=r.key, headers=list(r.headers))
                    for r in records
                ]
                await asyncio.gather(*futures)

            await asyncio.wait_for(send_all(), PUBLISH_TIMEOUT_S)
        except (KafkaError, OSError, TimeoutError) as exc:
            await self._discard_producer()
            raise BusUnavailable(f"kafka publish failed: {type(exc).__name__}") from exc

    def consumer(self, group: str, topics: Sequence[str]) -> KafkaConsumer:
        return KafkaConsumer(self._bootstrap, group, topics)

    def tail(self, topics: Sequence[str]) -> KafkaTail:
        return KafkaTail(self._bootstrap, topics)

    async def group_lags(self, concurrency: int = 20) -> list[GroupLag]:
        """Committed offsets of every group (AdminClient) against the partitions' end offsets."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        await admin.start()
        try:
            groups = sorted({str(g[0]) for g in await admin.list_consumer_groups()})
            limit = asyncio.Semaphore(concurrency)

            async def offsets(group: str) -> dict[TopicPartition, int]:
                async with limit:
                    found = await admin.list_consumer_group_offsets(group)
                return {tp: meta.offset for tp, meta in found.items() if meta.offset >= 0}

            committed = dict(zip(groups, await asyncio.gather(*map(offsets, groups)), strict=True))
        finally:
            await admin.close()
        partitions = list({tp for found in committed.values() for tp in found})
        if not partitions:
            return []
        reader = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
        await reader.start()
        try:
            ends = await reader.end_offsets(partitions)
        finally:
            await reader.stop()
        lags: dict[tuple[str, str], int] = {}
        for group, found in committed.items():
            for tp, offset in found.items():
                key = (group, tp.topic)
                lags[key] = lags.get(key, 0) + max(0, ends[tp] - offset)
        return [GroupLag(group, topic, lag) for (group, topic), lag in sorted(lags.items())]

    async def is_ready(self) -> bool:
        try:
            producer = await asyncio.wait_for(self._ensure_producer(), 3)
            metadata = await asyncio.wait_for(producer.client.fetch_all_metadata(), 3)
        except (KafkaError, OSError, TimeoutError):
            return False
        return bool(metadata.brokers())
