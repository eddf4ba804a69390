"""Fault injection (issue 9): real Kafka and PostgreSQL, separate `serve` processes, the USD
receiver checking signatures. Each scenario records every acknowledged signal and ends in the
state of `Pipeline.settled`: every accepted signal in exactly one case, every case change
delivered, no webhook-id for two changes, consumer lag back to 0, no process stuck."""

from __future__ import annotations

import asyncio

from tests.faults.pipeline import Pipeline


async def start_all(pipeline: Pipeline, triage_workers: int = 1) -> None:
    await asyncio.gather(
        pipeline.start("ingest"),
        *(pipeline.start(f"triage-{i}", "triage") for i in range(triage_workers)),
        pipeline.start("notifier"),
    )


async def test_the_broker_killed_mid_stream_and_restarted(pipeline: Pipeline) -> None:
    await start_all(pipeline)
    traffic = pipeline.traffic()
    stream = asyncio.create_task(traffic.run(seconds=14))
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
