"""Triage throughput on real Kafka + PostgreSQL: one EventProcessor running SignalTriage over a
fresh topic, against a raw aiokafka consume-and-commit loop over the same records."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer

from shared.bus import Consumer, Record
from shared.bus.kafka import KafkaBus
from shared.consuming import EventProcessor
from shared.crypto import PiiVault, generate_pii_key
from shared.db import create_engine
from tests.bench.infra import Servers, scalar, serving_gc
from tests.bench.kafka_admin import create_topic, delete_topic
from tests.bench.workload import publish, signal_records
from triage.consumer import SignalTriage
from triage.domain.policy import default_policy_path, load_policy

BATCH = 500  # what EventProcessor fetches per poll


async def raw_consume(
    bootstrap: str, topic: str, group: str, count: int, timeout_s: float
) -> float:
    """Seconds from the first fetched batch until `count` records are fetched and committed."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        seen, first = 0, None
        deadline = time.perf_counter() + timeout_s
        while seen < count:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"raw consumer saw {seen} of {count} records")
            batches = await consumer.getmany(timeout_ms=500, max_records=BATCH)
            if not batches:
                continue
            first = first or time.perf_counter()
            await consumer.commit({tp: msgs[-1].offset + 1 for tp, msgs in batches.items()})
            seen += sum(len(msgs) for msgs in batches.values())
        assert first is not None
        return time.perf_counter() - first
    finally:
        await consumer.stop()


class TimedConsumer:
    """Passes through to the real consumer; notes the first fetched batch and stops the run once
    `count` records are committed (EventProcessor commits only after its transaction)."""

    def __init__(self, inner: Consumer, count: int) -> None:
        self._inner, self._count = inner, count
        self.done = asyncio.Event()
        self.committed = 0
        self.first: float | None = None
        self.last: float | None = None

    async def start(self) -> None:
        await self._inner.start()

    async def stop(self) -> None:
        await self._inner.stop()

    async def fetch(self, max_records: int, timeout_s: float) -> list[Record]:
        records = await self._inner.fetch(max_records, timeout_s)
        if records and self.first is None:
            self.first = time.perf_counter()
        return records

    async def commit(self, records: Sequence[Record]) -> None:
        await self._inner.commit(records)
        self.committed += len(records)
        if self.committed >= self._count:
            self.last = time.perf_counter()
            self.done.set()

    async def rewind(self) -> None:
        await self._inner.rewind()

    async def lag(self) -> int:
        return await self._inner.lag()


class ErrorCount(logging.Handler):
    """Counts error log records; a failed batch stops the run at once (EventProcessor would
    retry it forever), with the first failure kept for the report."""

    def __init__(self, stop: asyncio.Event) -> None:
        super().__init__(logging.ERROR)
        self.count, self.broker_errors, self.stop = 0, 0, stop
        self.batch_failure: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("aiokafka"):
            self.broker_errors += 1  # the broker went away: the figures of this run are disturbed
            return
        self.count += 1
        if record.name == "shared.consuming" and self.batch_failure is None:
            cause = record.exc_info[1] if record.exc_info else None
            detail = str(cause).splitlines()[0][:300] if cause else ""
            self.batch_failure = f"{record.getMessage()}: {type(cause).__name__}: {detail}"
            self.stop.set()


class TriageFailed(RuntimeError):
    pass


@dataclass
class TriageFigures:
    signals: int
    households: int
    ours_per_s: float
    raw_per_s: float
    errors: int
    broker_errors: int
    inbox_rows: int
    cases: int
    ours_cpu_us: float  # CPU of the bench process (the worker) per signal: steadier than rates
    raw_cpu_us: float  # on a shared box, whose other load slows the wall clock, not the CPU


async def _timed(
    processor: EventProcessor, consumer: TimedConsumer, timeout_s: float, profile: Path | None
) -> float:
    """Runs the processor until every record is committed; optionally under pyinstrument (whole
    thread, so aiokafka's and asyncpg's background work shows too)."""
    profiler: Any = None
    if profile is not None:
        # The engineer's own tool (pip install pyinstrument), not a project dependency.
        from pyinstrument import Profiler  # type: ignore[import-not-found,unused-ignore]

        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
    try:
        await asyncio.wait_for(processor.run(consumer.done), timeout_s)
    finally:
        if profiler is not None:
            profiler.stop()
            assert profile is not None
            text = profiler.output_text(unicode=True, show_all=False)
            await asyncio.to_thread(profile.write_text, text)
    if consumer.first is None or consumer.last is None:
        raise TriageFailed(f"committed {consumer.committed} records, then stopped")
    return consumer.last - consumer.first


async def bench_triage(
    servers: Servers, run_id: str, count: int, timeout_s: float, profile: Path | None
) -> TriageFigures:
    topic = f"bench.signals.{run_id}"
    households = max(1, count // 3)
    await create_topic(servers.kafka, topic, 6)
    consumer = TimedConsumer(
        KafkaBus(servers.kafka).consumer(f"bench-triage-{run_id}", [topic]), count
    )
    errors = ErrorCount(consumer.done)
    logging.getLogger().addHandler(errors)
    engine = create_engine(servers.database_url)
    try:
        # No reference to the records is kept: the worker's heap (and its GC) stays its own.
        vault = PiiVault(generate_pii_key())
        await publish(servers.kafka, await signal_records(topic, count, households, vault=vault))
        gc.collect()
        with serving_gc():  # the collector as the worker process runs it, for both contenders
            cpu0 = time.process_time()
            raw_s = await raw_consume(servers.kafka, topic, f"bench-raw-{run_id}", count, timeout_s)
            raw_cpu = time.process_time() - cpu0
        processor = EventProcessor(
            SignalTriage.CONSUMER,
            engine,
            consumer,
            handle_batch=SignalTriage(load_policy(default_policy_path()), vault),
        )
        try:
            with serving_gc():
                cpu0 = time.process_time()
                ours_s = await _timed(processor, consumer, timeout_s, profile)
                ours_cpu = time.process_time() - cpu0
        except TriageFailed as exc:
            raise TriageFailed(errors.batch_failure or str(exc)) from None
    finally:
        logging.getLogger().removeHandler(errors)
        await engine.dispose()
        groups = [f"bench-raw-{run_id}", f"bench-triage-{run_id}"]
        await delete_topic(servers.kafka, topic, groups)
    return TriageFigures(
        signals=count,
        households=households,
        ours_per_s=count / ours_s,
        raw_per_s=count / raw_s,
        errors=errors.count,
        broker_errors=errors.broker_errors,
        inbox_rows=await scalar(servers, "SELECT count(*) FROM inbox WHERE consumer = 'triage'"),
        cases=await scalar(servers, "SELECT count(*) FROM cases"),
        ours_cpu_us=ours_cpu * 1e6 / count,
        raw_cpu_us=raw_cpu * 1e6 / count,
    )
