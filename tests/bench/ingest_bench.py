"""Ingest under load: `vroegsignaal serve ingest` (PostgreSQL + Kafka) against the bare baseline
app, each a real uvicorn process, driven by a load generator in its own process."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from shared.crypto import generate_pii_key
from shared.events import SIGNALS_TOPIC
from tests.bench.infra import REPO, Server, Servers, create_api_key, scalar
from tests.bench.kafka_admin import end_offsets, group_state, skip_bench_records
from triage.intake import SignalTriage

Load = dict[str, Any]


@dataclass(frozen=True)
class LoadPlan:
    concurrency: int = 32
    duration_s: float = 10
    warmup_s: float = 2
    batch_clients: int = 4
    batch_size: int = 1000
    batch_duration_s: float = 6
    client: str = "raw"


@dataclass
class ServerFigures:
    single: Load
    batch: Load
    peak_rss_mb: float
    noop: Load | None = None


@dataclass
class RelayFigures:
    outbox_at_load_end: int = 0
    drain_s: float = 0.0


@dataclass
class IngestFigures:
    ours: ServerFigures
    baseline: ServerFigures
    relay: RelayFigures
    notes: list[str] = field(default_factory=list)


async def load(
    server: Server, plan: LoadPlan, path: str, batch: bool, key: str | None = None
) -> Load:
    duration = plan.batch_duration_s if batch else plan.duration_s
    args = [
        *("-m", "tests.bench.load", "--url", server.url, "--path", path),
        *("--server-pid", str(server.pid), "--duration", str(duration)),
        *("--warmup", str(plan.warmup_s)),
        *("--concurrency", str(plan.batch_clients if batch else plan.concurrency)),
        *("--batch-size", str(plan.batch_size if batch else 0), "--client", plan.client),
    ]
    env = {**os.environ, **({"BENCH_API_KEY": key} if key else {})}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=REPO, env=env, stdout=-1, stderr=-1
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), plan.warmup_s + duration + 120)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed: {err.decode()[-2000:]}")
    result: Load = orjson.loads(out.splitlines()[-1])
    return result


async def bench_baseline(servers: Servers, plan: LoadPlan) -> ServerFigures:
    server = Server(
        "baseline",
        [
            *("-m", "uvicorn", "tests.bench.baseline_app:app", "--workers", "1"),
            *("--log-level", "warning", "--no-access-log"),
        ],
        {"BENCH_BASELINE_DSN": servers.dsn},
        "/healthz",
    )
    try:
        await server.start()
        noop = await load(server, plan, "/noop", batch=False)
        single = await load(server, plan, "/v1/signals", batch=False)
        batch = await load(server, plan, "/v1/signals/batch", batch=True)
        return ServerFigures(single, batch, server.peak_rss_mb(), noop)
    finally:
        await server.stop()


async def bench_ours(servers: Servers, plan: LoadPlan, relay: RelayFigures) -> ServerFigures:
    with tempfile.TemporaryDirectory(prefix="vs-bench-") as data_dir:
        env = {
            "VS_DATABASE_URL": servers.database_url,
            "VS_KAFKA_BOOTSTRAP_SERVERS": servers.kafka,
            "VS_PII_KEY": generate_pii_key(),
            "VS_DATA_DIR": data_dir,
        }
        key = await asyncio.to_thread(create_api_key, env, "bench", "signals:write")
        server = Server("ingest", ["-m", "services.cli", "serve", "ingest"], env, "/readyz")
        try:
            await server.start()
            single = await load(server, plan, "/v1/signals", batch=False, key=key)
            batch = await load(server, plan, "/v1/signals/batch", batch=True, key=key)
            relay.outbox_at_load_end = await scalar(servers, "SELECT count(*) FROM outbox")
            relay.drain_s = await _drain_outbox(servers)
            return ServerFigures(single, batch, server.peak_rss_mb())
        finally:
            await server.stop()


async def _drain_outbox(servers: Servers, timeout_s: float = 120) -> float:
    """Waits until the relay has put every accepted signal on Kafka; returns how long it took."""
    began = time.perf_counter()
    while await scalar(servers, "SELECT count(*) FROM outbox"):
        if time.perf_counter() - began > timeout_s:
            raise TimeoutError("the outbox relay did not drain the outbox")
        await asyncio.sleep(0.2)
    return time.perf_counter() - began


class SharedTopicBusy(RuntimeError):
    """A triage consumer is live on the shared Kafka: our signals would end up in its database."""


async def _check_triage_idle(servers: Servers) -> None:
    state = await group_state(servers.kafka, SignalTriage.CONSUMER)
    if state not in ("Empty", "Dead"):
        raise SharedTopicBusy(
            f"consumer group `{SignalTriage.CONSUMER}` is {state} (tests running?): ingest would "
            f"feed it benchmark signals; rerun when it is idle, or pass --force-shared-topic"
        )


async def bench_ingest(servers: Servers, plan: LoadPlan, force: bool = False) -> IngestFigures:
    if not force:
        await _check_triage_idle(servers)
    baseline = await bench_baseline(servers, plan)
    if not force:
        await _check_triage_idle(servers)
    relay = RelayFigures()
    before = await end_offsets(servers.kafka, SIGNALS_TOPIC)
    try:
        ours = await bench_ours(servers, plan, relay)
    finally:
        # Our signals went to the shared signals topic (its name is fixed): keep the test run's
        # triage group from replaying them into the test database.
        after = await end_offsets(servers.kafka, SIGNALS_TOPIC)
        note = await skip_bench_records(servers.kafka, SignalTriage.CONSUMER, before, after)
    return IngestFigures(ours, baseline, relay, [note])
