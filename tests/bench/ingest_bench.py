"""Ingest under load: `vroegsignaal serve ingest` (PostgreSQL + Kafka) against the bare baseline
app, each a real uvicorn process, driven by a load generator in its own process.

Both servers run side by side and take turns, round after round (baseline, then ours), so that
whatever else the machine does at a moment weighs on both: a ratio is taken per round and the
median round is reported. Before each turn our outbox relay is allowed to finish its backlog, so
it never runs during the baseline's turn."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from shared.crypto import generate_pii_key
from shared.events import SIGNALS_TOPIC
from tests.bench.infra import REPO, Server, Servers, create_api_key, scalar
from tests.bench.kafka_admin import IDLE_STATES, end_offsets, group_state, skip_bench_records
from triage.consumer import SignalTriage

Load = dict[str, Any]


@dataclass(frozen=True)
class LoadPlan:
    concurrency: int = 32
    duration_s: float = 5
    warmup_s: float = 1
    batch_clients: int = 4
    batch_size: int = 1000
    batch_duration_s: float = 4
    rounds: int = 3
    client: str = "raw"


@dataclass
class Rounds:
    """One kind of load, measured in turns: `ours[i]` and `baseline[i]` ran back to back."""

    ours: list[Load] = field(default_factory=list)
    baseline: list[Load] = field(default_factory=list)

    def ratios(self, rate: str) -> list[float]:
        return [o[rate] / max(b[rate], 1e-9) for o, b in zip(self.ours, self.baseline, strict=True)]

    def median_ratio(self, rate: str) -> float:
        return statistics.median(self.ratios(rate))

    @staticmethod
    def median(loads: list[Load], figure: str) -> float:
        return statistics.median(load[figure] for load in loads)

    def errors(self) -> tuple[int, int]:
        return sum(o["errors"] for o in self.ours), sum(b["errors"] for b in self.baseline)

    def error_samples(self) -> list[str]:
        return [s for load in self.ours + self.baseline for s in load["error_samples"]][:5]


@dataclass
class RelayFigures:
    """Our outbox at the end of each of our turns, per kind of load: what the relay had not yet
    put on Kafka, and how long it then took to."""

    backlog: dict[str, list[int]] = field(default_factory=dict)
    drain_s: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class IngestFigures:
    single: Rounds
    batch: Rounds
    ours_rss_mb: float
    baseline_rss_mb: float
    relay: RelayFigures
    noop: Load | None = None
    notes: list[str] = field(default_factory=list)


async def load(
    server: Server,
    plan: LoadPlan,
    path: str,
    batch: bool,
    key: str | None = None,
    warmup_s: float | None = None,
) -> Load:
    duration = plan.batch_duration_s if batch else plan.duration_s
    warmup = plan.warmup_s if warmup_s is None else warmup_s
    args = [
        *("-m", "tests.bench.load", "--url", server.url, "--path", path),
        *("--server-pid", str(server.pid), "--duration", str(duration)),
        *("--warmup", str(warmup)),
        *("--concurrency", str(plan.batch_clients if batch else plan.concurrency)),
        *("--batch-size", str(plan.batch_size if batch else 0), "--client", plan.client),
    ]
    env = {**os.environ, **({"BENCH_API_KEY": key} if key else {})}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=REPO, env=env, stdout=-1, stderr=-1
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), warmup + duration + 120)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed: {err.decode()[-2000:]}")
    result: Load = orjson.loads(out.splitlines()[-1])
    return result


def baseline_server(servers: Servers) -> Server:
    return Server(
        "baseline",
        [
            *("-m", "uvicorn", "tests.bench.baseline_app:app", "--workers", "1"),
            *("--log-level", "warning", "--no-access-log"),
        ],
        {"BENCH_BASELINE_DSN": servers.dsn},
        "/healthz",
    )


async def measure(
    servers: Servers, plan: LoadPlan, ours: Server, baseline: Server, key: str
) -> IngestFigures:
    relay = RelayFigures()
    # The load generator's ceiling on this machine, and a warm-up of both servers.
    noop = await load(baseline, plan, "/noop", batch=False)
    await load(ours, plan, "/v1/signals", batch=False, key=key)
    await _drain_outbox(servers)
    single, batch = Rounds(), Rounds()
    for kind, rounds, is_batch in (("single", single, False), ("batch", batch, True)):
        path = "/v1/signals/batch" if is_batch else "/v1/signals"
        for _ in range(plan.rounds):
            rounds.baseline.append(await load(baseline, plan, path, batch=is_batch))
            rounds.ours.append(await load(ours, plan, path, batch=is_batch, key=key))
            backlog = await scalar(servers, "SELECT count(*) FROM outbox")
            relay.backlog.setdefault(kind, []).append(backlog)
            relay.drain_s.setdefault(kind, []).append(await _drain_outbox(servers))
    return IngestFigures(single, batch, ours.peak_rss_mb(), baseline.peak_rss_mb(), relay, noop)


async def bench_servers(servers: Servers, plan: LoadPlan) -> IngestFigures:
    with tempfile.TemporaryDirectory(prefix="vs-bench-") as data_dir:
        env = {
            "VS_DATABASE_URL": servers.database_url,
            "VS_KAFKA_BOOTSTRAP_SERVERS": servers.kafka,
            "VS_PII_KEY": generate_pii_key(),
            # The limiter runs on the hot path as in production, set out of the way of the load.
            "VS_RATE_LIMIT_PER_S": "1e9",
            "VS_RATE_LIMIT_BURST": "1000000000",
            "VS_DATA_DIR": data_dir,
        }
        key = await asyncio.to_thread(create_api_key, env, "bench", "signals:write")
        ours = Server("ingest", ["-m", "services.cli", "serve", "ingest"], env, "/readyz")
        baseline = baseline_server(servers)
        try:
            await asyncio.gather(ours.start(), baseline.start())
            return await measure(servers, plan, ours, baseline, key)
        finally:
            await asyncio.gather(ours.stop(), baseline.stop())


async def _drain_outbox(servers: Servers, timeout_s: float = 120) -> float:
    """Waits until the relay has put every accepted signal on Kafka; returns how long it took."""
    began = time.perf_counter()
    while await scalar(servers, "SELECT count(*) FROM outbox"):
        if time.perf_counter() - began > timeout_s:
            raise TimeoutError("the outbox relay did not drain the outbox")
        await asyncio.sleep(0.1)
    return time.perf_counter() - began


class SharedTopicBusy(RuntimeError):
    """A triage consumer is live on the shared Kafka: our signals would end up in its database."""


async def _check_triage_idle(servers: Servers) -> None:
    state = await group_state(servers.kafka, SignalTriage.CONSUMER)
    if state not in IDLE_STATES:
        raise SharedTopicBusy(
            f"consumer group `{SignalTriage.CONSUMER}` is {state} (tests running?): ingest would "
            f"feed it benchmark signals; rerun when it is idle, or pass --force-shared-topic"
        )


async def bench_ingest(servers: Servers, plan: LoadPlan, force: bool = False) -> IngestFigures:
    if not force:
        await _check_triage_idle(servers)
    before = await end_offsets(servers.kafka, SIGNALS_TOPIC)
    try:
        figures = await bench_servers(servers, plan)
    finally:
        # Our signals went to the shared signals topic (its name is fixed): keep the test run's
        # triage group from replaying them into the test database.
        after = await end_offsets(servers.kafka, SIGNALS_TOPIC)
        note = await skip_bench_records(servers.kafka, SignalTriage.CONSUMER, before, after)
    figures.notes.append(note)
    return figures
