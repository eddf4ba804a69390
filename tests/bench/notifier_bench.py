"""Webhook deliveries per second: one `WebhookWorker`, built by the very code `serve notifier`
builds it with, sends N stored notifications to a fast local receiver in its own process;
against a bare httpx POST loop (one AsyncClient pooling as many connections as the worker has
lanes, the same timeouts and concurrency) posting the same signed bodies to the same receiver,
in the same run.

The notifications are made by the services' own code, outside the timing: signal records go
through `SignalTriage` (real cases, real case documents), and triage's case events through
`CaseEventConsumer`, each under `EventProcessor` (inbox included). Every household is new,
so every notification is a `case.opened` of its own case (none waits behind another of its case).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.channels.webhook import PayloadBuilder, WebhookSender
from notifier.consumer import CONSUMER, CaseEventConsumer
from notifier.tables import notifications, webhook_deliveries
from notifier.workers import WebhookWorker
from services.notifier import (
    HTTP_TIMEOUT,
    WEBHOOK_CONCURRENCY,
    WEBHOOK_SOURCE,
    _webhook_worker,
)
from services.runtime import assemble_runtime
from shared.bus import Record
from shared.bus.kafka import KafkaBus
from shared.consuming import EventProcessor
from shared.crypto import PiiVault, generate_pii_key
from shared.db import create_engine
from shared.events import CASES_TOPIC
from shared.keys import generate_webhook_secret
from shared.outbox import outbox
from shared.settings import Settings
from tests.bench.infra import Server, Servers, empty_tables, scalar, serving_gc
from tests.bench.workload import NOTIFYING_KINDS, signal_records
from triage.consumer import SignalTriage
from triage.domain.policy import default_policy_path, load_policy

BATCH = 500  # what EventProcessor fetches per poll
SIGNED_SAMPLES = 256  # distinct signed requests the bare loop cycles through
WARMUP_POSTS = 500


class DeliveryFailed(RuntimeError):
    pass


@dataclass
class DeliveryFigures:
    notifications: int
    concurrency: int
    ours_per_s: float
    bare_per_s: float
    delivered: int  # per the database after our run
    received: int  # POSTs the receiver answered during our run
    bare_errors: int
    body_bytes: float  # mean request body during our run
    ours_cpu_us: float  # CPU of the bench process (the worker) per delivery
    bare_cpu_us: float
    ours_receiver_cpu: float  # receiver CPU, share of one core
    bare_receiver_cpu: float
    recording_s: float


class _Handed:
    """EventProcessor's consumer for records handed to `process` directly: nothing to fetch,
    nothing to commit."""

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def fetch(self, max_records: int, timeout_s: float) -> list[Record]:
        return []

    async def commit(self, records: Sequence[Record]) -> None:
        return None

    async def rewind(self) -> None:
        return None

    async def lag(self) -> int:
        return 0


def _chunks(records: Sequence[Record], size: int) -> Iterator[list[Record]]:
    for start in range(0, len(records), size):
        yield list(records[start : start + size])


async def record_notifications(
    engine: AsyncEngine, settings: Settings, vault: PiiVault, count: int
) -> int:
    """Triage `count` signals of new households, then record triage's case events as the
    notifier's consumer does (the events never reach a relay or Kafka). Returns the pending
    deliveries."""
    records = await signal_records(
        "bench.notifier.signals", count, count, vault=vault, kinds=NOTIFYING_KINDS
    )
    triage = EventProcessor(
        SignalTriage.CONSUMER,
        engine,
        _Handed(),
        handle_batch=SignalTriage(load_policy(default_policy_path()), vault),
    )
    for chunk in _chunks(records, BATCH):
        await triage.process(chunk)
    async with engine.begin() as conn:
        rows = (await conn.execute(select(outbox).order_by(outbox.c.seq))).all()
        await conn.execute(delete(outbox))  # no relay may ever publish these
    events = [
        Record(
            topic=row.topic,
            key=row.key.encode(),
            value=row.value,
            headers=tuple((n, v.encode()) for n, v in orjson.loads(row.headers)),
        )
        for row in rows
        if row.topic == CASES_TOPIC
    ]
    recorder = EventProcessor(CONSUMER, engine, _Handed(), handle_batch=CaseEventConsumer(settings))
    for chunk in _chunks(events, BATCH):
        await recorder.process(chunk)
    async with engine.connect() as conn:
        pending = await conn.scalar(
            select(func.count())
            .select_from(webhook_deliveries)
            .where(webhook_deliveries.c.status == "pending")
        )
    return int(pending or 0)


@contextlib.asynccontextmanager
async def profiled(path: Path | None) -> AsyncIterator[None]:
    """pyinstrument over the whole thread (the engineer's own tool, not a dependency)."""
    if path is None:
        yield
        return
    from pyinstrument import Profiler  # type: ignore[import-not-found,unused-ignore]

    profiler: Any = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        text = profiler.output_text(unicode=True, show_all=False)
        await asyncio.to_thread(path.write_text, text)


async def signed_samples(
    engine: AsyncEngine, sender: WebhookSender, payloads: PayloadBuilder
) -> list[tuple[dict[str, str], bytes]]:
    """Headers and bodies exactly as the worker sends them, for the bare loop."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(notifications).limit(SIGNED_SAMPLES))).all()
    return [sender.signed_request(await payloads.notification(row)) for row in rows]


async def bare_loop(
    url: str, requests: Sequence[tuple[dict[str, str], bytes]], count: int, concurrency: int
) -> tuple[float, int]:
    """(seconds, errors) for `count` POSTs by `concurrency` tasks sharing one client."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    client = httpx.AsyncClient(timeout=HTTP_TIMEOUT, limits=limits, follow_redirects=False)
    numbers = itertools.count()
    errors = 0

    async def loop() -> None:
        nonlocal errors
        while (i := next(numbers)) < count:
            headers, body = requests[i % len(requests)]
            try:
                response = await client.post(url, content=body, headers=headers)
            except httpx.HTTPError:
                errors += 1
                continue
            if not response.is_success:
                errors += 1

    try:
        began = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        return time.perf_counter() - began, errors
    finally:
        await client.aclose()


async def timed_worker(worker: WebhookWorker, count: int, timeout_s: float) -> float:
    """Seconds from the worker's start until it has delivered `count` notifications."""
    stop = asyncio.Event()
    began = time.perf_counter()
    task = asyncio.create_task(worker.run(stop))
    try:
        while worker.delivered < count:
            if task.done():
                task.result()
                raise DeliveryFailed(f"the worker stopped after {worker.delivered} deliveries")
            if time.perf_counter() - began > timeout_s:
                raise DeliveryFailed(
                    f"{worker.delivered} of {count} delivered in {timeout_s:g} s"
                    + (" (endpoint disabled)" if worker.endpoint_disabled else "")
                )
            await asyncio.sleep(0.005)
        return time.perf_counter() - began
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def _stats(client: httpx.AsyncClient, receiver: Server) -> dict[str, Any]:
    stats: dict[str, Any] = (await client.get(receiver.url + "/stats")).json()
    return stats


async def bench_deliveries(
    servers: Servers, count: int, timeout_s: float, profile: Path | None
) -> DeliveryFigures:
    await empty_tables(servers)
    receiver = Server(
        "webhook-receiver-fast",
        [
            *("-m", "uvicorn", "tests.bench.webhook_receiver:app", "--workers", "1"),
            *("--lifespan", "off", "--log-level", "warning", "--no-access-log"),
        ],
        {"BENCH_RECEIVER_MODE": "fast"},
        "/healthz",
    )
    engine = create_engine(servers.database_url)
    try:
        await receiver.start()
        url = receiver.url + "/hooks/usd"
        pii_key = generate_pii_key()
        settings = Settings(
            database_url=servers.database_url,
            kafka_bootstrap_servers=servers.kafka,
            pii_key=pii_key,
            usd_webhook_url=url,
            usd_webhook_secret=generate_webhook_secret(),
            webhook_payload="full",
            team_emails="",
            smtp_host=None,
        )
        vault = PiiVault(pii_key)
        began = time.perf_counter()
        recorded = await record_notifications(engine, settings, vault, count)
        recording_s = time.perf_counter() - began
        if recorded != count:
            raise DeliveryFailed(f"recorded {recorded} notifications, expected {count}")

        # The worker exactly as `start_notifier_workers` builds it (client, sender, payloads,
        # concurrency, attempt timeout); the bus and relay are never started.
        bus = KafkaBus(servers.kafka)
        runtime = assemble_runtime(settings, engine, bus)
        runtime.vault.households = vault.households  # the household keys triage made above
        built = _webhook_worker(runtime, None)
        assert built is not None
        worker, lanes = built
        sender = WebhookSender(
            lanes, url, settings.usd_webhook_secret or "", WEBHOOK_SOURCE, timeout=HTTP_TIMEOUT
        )
        payloads = PayloadBuilder(vault, settings.webhook_payload, settings.public_base_url)
        samples = await signed_samples(engine, sender, payloads)

        async with httpx.AsyncClient(timeout=10) as control:
            await bare_loop(url, samples, WARMUP_POSTS, WEBHOOK_CONCURRENCY)  # receiver warm-up
            with serving_gc():
                cpu0, rcv0 = time.process_time(), receiver.cpu_seconds()
                bare_s, bare_errors = await bare_loop(url, samples, count, WEBHOOK_CONCURRENCY)
                cpu1, rcv1 = time.process_time(), receiver.cpu_seconds()
            before = await _stats(control, receiver)
            try:
                with serving_gc():
                    async with profiled(profile):
                        cpu2, rcv2 = time.process_time(), receiver.cpu_seconds()
                        ours_s = await timed_worker(worker, count, timeout_s)
                        cpu3, rcv3 = time.process_time(), receiver.cpu_seconds()
            finally:
                await lanes.aclose()
            after = await _stats(control, receiver)
        received = after["posts"] - before["posts"]
        delivered = await scalar(
            servers, "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'"
        )
        return DeliveryFigures(
            notifications=count,
            concurrency=WEBHOOK_CONCURRENCY,
            ours_per_s=count / ours_s,
            bare_per_s=count / bare_s,
            delivered=delivered,
            received=received,
            bare_errors=bare_errors,
            body_bytes=(after["body_bytes"] - before["body_bytes"]) / max(received, 1),
            ours_cpu_us=(cpu3 - cpu2) * 1e6 / count,
            bare_cpu_us=(cpu1 - cpu0) * 1e6 / count,
            ours_receiver_cpu=(rcv3 - rcv2) / ours_s,
            bare_receiver_cpu=(rcv1 - rcv0) / bare_s,
            recording_s=recording_s,
        )
    finally:
        await engine.dispose()
        await receiver.stop()
