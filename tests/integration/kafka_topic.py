"""Reads a whole Kafka topic as it is, without a consumer group, to check what is on it."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.bus import Record


async def read_topic(bootstrap: str, topic: str) -> list[Record]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()
            ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Record] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=1000)
            for tp, messages in batch.items():
                records += [
                    Record(
                        topic=topic,
                        key=m.key or b"",
                        value=m.value or b"",
                        headers=tuple(m.headers),
                        partition=tp.partition,
                        offset=m.offset,
                    )
                    for m in messages
                ]
        return records
    finally:
        await consumer.stop()
