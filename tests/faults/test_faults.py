"""Fault injection (issue 9): real Kafka and PostgreSQL, separate `serve` processes, the USD
receiver checking signatures. Each scenario records every acknowledged signal and ends in the
state of `Pipeline.settled`: every accepted signal in exactly one case, every case change
delivered, no webhook-id for two changes, consumer lag back to 0, no process stuck."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaProducer

from shared.cloudevent import CloudEvent
from shared.events import CASES_TOPIC, SIGNAL_RECEIVED, SIGNALS_TOPIC
from tests.e2e.process import eventually
from tests.faults.pipeline import Pipeline


async def publish_poison(bootstrap: str) -> set[tuple[str, int, int]]:
    """On each topic a record without a CloudEvent envelope and an event whose data is not what
    its type says; returns where they landed (topic, offset)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    landed: set[tuple[str, int, int]] = set()
    try:
        for topic, kind in (
            (SIGNALS_TOPIC, SIGNAL_RECEIVED),
            (CASES_TOPIC, "nl.vroegsignaal.case.opened"),
        ):
            bad = CloudEvent(
                type=kind,
                source="/faults/poison",
                id=str(uuid.uuid4()),
                subject="poison",
                time=datetime.now(UTC),
                data=b'{"not": "what the type says"}',
            )
            for value, headers in ((b"\x00garbage", []), (bad.data, list(bad.headers()))):
                sent = await producer.send_and_wait(topic, value, key=b"poison", headers=headers)
                landed.add((topic, sent.partition, sent.offset))
    finally:
        await producer.stop()
    return landed


async def start_all(pipeline: Pipeline, triage_workers: int = 1) -> None:
    await asyncio.gather(
        pipeline.start("ingest"),
        *(pipeline.start(f"triage-{i}", "triage") for i in range(triage_workers)),
        pipeline.start("notifier"),
    )


async def test_the_broker_killed_mid_stream_and_restarted(pipeline: Pipeline) -> None:
    await start_all(pipeline)
    traffic = pipeline.traffic()
    stream = asyncio.create_task(traffic.run(seconds=11))
    await asyncio.sleep(4)
    await pipeline.servers.kill_kafka()
    await asyncio.sleep(4)
    await pipeline.servers.start_kafka()
    await stream
    assert len(traffic.acked) > 100
    await pipeline.settled(traffic.acked)


async def test_one_of_two_triage_workers_killed(pipeline: Pipeline) -> None:
    await start_all(pipeline, triage_workers=2)
    traffic = pipeline.traffic()
    stream = asyncio.create_task(traffic.run(seconds=12))
    await asyncio.sleep(5)
    pipeline.kill("triage-0")
    del pipeline.processes["triage-0"]  # dead on purpose; the other takes its partitions
    await stream
    await pipeline.settled(traffic.acked)


async def test_postgresql_restarted_mid_stream(pipeline: Pipeline) -> None:
    await start_all(pipeline)
    traffic = pipeline.traffic()
    stream = asyncio.create_task(traffic.run(seconds=12))
    await asyncio.sleep(4)
    await pipeline.servers.stop_postgres()  # every connection of every process is cut
    await asyncio.sleep(3)
    await pipeline.servers.start_postgres()
    await stream
    assert len(traffic.acked) > 50, traffic.answers
    # The outage is a 503 with Retry-After (retries are safe), never a 500.
    assert traffic.answers[503] > 0 and traffic.answers[500] == 0, traffic.answers
    await pipeline.settled(traffic.acked)


async def test_the_notifier_killed_with_deliveries_pending(pipeline: Pipeline) -> None:
    await start_all(pipeline)
    traffic = pipeline.traffic()
    pipeline.receiver.stop()  # the USD is away: deliveries wait for their next attempt
    await traffic.run(seconds=5)

    async def pending() -> bool:
        rows = await pipeline._rows(
            "SELECT count(*) AS n FROM webhook_deliveries WHERE status <> 'delivered'"
        )
        return int(rows[0]["n"]) > 10

    await eventually(pending, 30)
    pipeline.kill("notifier")
    await pipeline.receiver.start()
    stream = asyncio.create_task(traffic.run(seconds=4, seed=10))
    await pipeline.start("notifier")
    await stream
    await pipeline.settled(traffic.acked)


async def test_a_poison_record_on_each_topic(pipeline: Pipeline) -> None:
    await start_all(pipeline)
    traffic = pipeline.traffic()
    stream = asyncio.create_task(traffic.run(seconds=8))
    await asyncio.sleep(2)
    poison = await publish_poison(pipeline.servers.bootstrap)
    await stream
    await pipeline.settled(traffic.acked)
    parked = await pipeline._rows(
        'SELECT consumer, topic, partition, "offset", reason FROM parked_records'
    )
    found = {(r["topic"], r["partition"], r["offset"]) for r in parked}
    assert poison <= found, (poison, parked)
    assert {r["consumer"] for r in parked} >= {"triage", "notifier"}


async def test_hostile_inputs_among_good_traffic(pipeline: Pipeline) -> None:
    """Issue 9's Found 1–5 posted while good traffic flows: each answered at the boundary, the
    good items beside them accepted, and the pipeline's end state as always."""
    await start_all(pipeline)
    traffic = pipeline.traffic()
    stream = asyncio.create_task(traffic.run(seconds=10))
    url, auth = pipeline.ingest_url, pipeline.auth
    async with httpx.AsyncClient(timeout=30) as client:
        rng = random.Random(3)
        for bad in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+00:01", 0, "2099-01-01"):
            hostile = {**traffic.signal(rng), "occurred_at": bad}
            answer = await client.post(f"{url}/v1/signals", json=hostile, headers=auth)
            assert answer.status_code == 422, (bad, answer.text)
            good = traffic.signal(rng)
            body = {"signals": [good, hostile, {**good, "id": "not-a-uuid"}]}
            answer = await client.post(f"{url}/v1/signals/batch", json=body, headers=auth)
            statuses = [r["status"] for r in answer.json()["results"]]
            assert statuses == ["accepted", "rejected", "rejected"], answer.text
            traffic.acked.add(good["id"])
        huge = {"signals": [traffic.signal(rng) for _ in range(1001)]}
        answer = await client.post(f"{url}/v1/signals/batch", json=huge, headers=auth)
        assert answer.status_code in (413, 422), answer.status_code
        raw = b"{" + b" " * (1024 * 1024 + 10) + b"}"
        headers = {**auth, "Content-Type": "application/json"}
        answer = await client.post(f"{url}/v1/signals", content=raw, headers=headers)
        assert answer.status_code == 413
    await stream
    await pipeline.settled(traffic.acked)


async def test_the_usd_receiver_down_for_30_seconds(pipeline: Pipeline) -> None:
    """30 s: the retry schedule (1 s doubling, full jitter, capped at 15 min) is not a setting,
    so the outage is not shortened; every change still arrives once the USD is back."""
    await start_all(pipeline)
    traffic = pipeline.traffic()
    stream = asyncio.create_task(traffic.run(seconds=34, per_s=6))
    await asyncio.sleep(2)
    pipeline.receiver.stop()
    await asyncio.sleep(30)
    await pipeline.receiver.start()
    await stream
    await pipeline.settled(traffic.acked)
