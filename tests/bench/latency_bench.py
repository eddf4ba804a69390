"""End to end on PostgreSQL + Kafka: `serve ingest`, `serve triage` and `serve notifier` as real
processes, a receiver process that verifies every webhook's signature with `standardwebhooks`,
and signals posted open-loop at a fixed rate. Latency is from the 202 of a signal to the first
webhook received whose `data.signals` holds it.

The services use the real consumer groups (`triage`, `notifier`, `signal-ingest-feedback`) on the
shared topics, so the run refuses to start while another member is in one of them (tests?), and
waits until the started services have no backlog left before it posts: a backlog from earlier
runs would otherwise be measured as latency. When the groups have such a backlog, a first set of
services works it off (its time is reported), is stopped, and the bench database emptied: stale
records carry households sealed with other runs' keys, whose webhooks could never be built and
would be retried throughout the measurement. A second, fresh set is measured.
"""

from __future__ import annotations

import asyncio
import csv
import sys
import tempfile
import time
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from notifier.consumer import CONSUMER as NOTIFIER_GROUP
from shared.crypto import generate_pii_key
from shared.events import CASES_TOPIC, SIGNALS_TOPIC
from shared.keys import generate_webhook_secret
from signal_ingest.consumer import CONSUMER as FEEDBACK_GROUP
from tests.bench.http_clients import HttpxPoster, Poster, RawPool
from tests.bench.infra import OUT, Server, Servers, create_api_key, empty_tables, scalar
from tests.bench.ingest_bench import SharedTopicBusy
from tests.bench.kafka_admin import (
    IDLE_STATES,
    GroupWatch,
    Offsets,
    end_offsets,
    group_backlog,
    group_state,
    skip_bench_records,
)
from tests.bench.workload import notifying_signals
from triage.consumer import SignalTriage

GROUPS = (
    (SignalTriage.CONSUMER, SIGNALS_TOPIC),
    (NOTIFIER_GROUP, CASES_TOPIC),
    (FEEDBACK_GROUP, CASES_TOPIC),
)
IDLE_POLLS = 3  # consecutive idle polls, 0.5 s apart, before the load starts


@dataclass(frozen=True)
class LatencyPlan:
    rate: float = 200.0  # signals/s
    client: str = "raw"  # the load generator's HTTP client: raw or httpx
    duration_s: float = 20.0  # measured
    warmup_s: float = 2.0  # at the same rate before the measured part, not counted
    grace_s: float = 30.0  # how long after the load a webhook may still arrive
    idle_timeout_s: float = 180.0  # for the services' consumer backlog to clear


class LatencyFailed(RuntimeError):
    pass


@dataclass
class Percentiles:
    p50: float | None
    p95: float | None
    p99: float | None
    max: float | None

    @classmethod
    def of(cls, values: list[float]) -> Percentiles:
        ordered = sorted(values)

        def at(q: float) -> float | None:
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else None

        return cls(at(0.50), at(0.95), at(0.99), ordered[-1] if ordered else None)


@dataclass(frozen=True)
class Accepted:
    sent_s: float  # since the first POST was due
    at: float  # the 202, monotonic
    wall: float  # the 202, wall clock
    response_ms: float


@dataclass
class Posted:
    """What the load generator saw, per accepted signal id."""

    accepted: dict[str, Accepted] = field(default_factory=dict)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    behind_max_ms: float = 0.0  # how late the pacer sent a POST, at worst
    cpu_s: float = 0.0  # the load generator's (this process's) CPU time
    connections: int | None = None  # opened by the raw pool
    send_s: float = 0.0  # first to last POST sent
    ended: float = 0.0  # monotonic time the last response came

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(what)


@dataclass
class LatencyFigures:
    plan: LatencyPlan
    posted: int
    accepted: int
    post_errors: int
    rate_achieved: float
    behind_max_ms: float
    response: Percentiles  # POST → 202, ms
    latency: Percentiles  # 202 → webhook received, ms
    to_case_event: Percentiles  # 202 → the case event's time (triage decided), ms (wall clock)
    case_event_to_webhook: Percentiles  # case event time → webhook received, ms (wall clock)
    missing: int  # accepted, no webhook within the grace period
    warmup_missing: int  # the same for the warm-up's signals
    webhooks: int  # received during and after the load
    rejected: int  # failed the signature check
    duplicate_ids: int  # webhook-ids received more than once
    backlog_at_start: dict[str, int]
    drain_s: float | None  # the first set of services working off that backlog
    idle_after_s: float  # the measured services, from started to lag 0
    service_cpu: dict[str, float]  # share of one core during the load
    connections: int | None  # the load generator opened
    notes: list[str] = field(default_factory=list)


def _services(env: dict[str, str], prefix: str = "latency") -> list[Server]:
    return [
        Server(f"{prefix}-{name}", ["-m", "services.cli", "serve", name], env, "/readyz")
        for name in ("ingest", "triage", "notifier")
    ]


async def _check_groups_idle(kafka: str) -> None:
    for group, _ in GROUPS:
        state = await group_state(kafka, group)
        if state not in IDLE_STATES:
            raise SharedTopicBusy(
                f"consumer group `{group}` is {state} (tests running?): the started services "
                f"would share its partitions; rerun when it is idle, or pass --force-shared-topic"
            )


async def _idle(watch: GroupWatch, servers: Servers, webhooks: bool) -> tuple[bool, str]:
    """Every consumer group at lag 0 and formed (a member reports lag 0 before it has
    partitions), no outbox backlog and, with `webhooks`, no webhook waiting for its first
    attempt (stale ones that failed and wait for a retry are not work the services can finish).

    Asked of the broker and the database, not of the services' `/v1/ops/summary`: that counts
    the month's signals and cases on each call (~180 ms of database time at 85,000 signals), and
    asked of five services twice a second it took a tenth of the machine's CPU from the run it
    was timing."""
    lags = {group: await watch.backlog(group, topic) for group, topic in GROUPS}
    states = {group: await watch.state(group) for group, _ in GROUPS}
    backlog = await scalar(servers, "SELECT count(*) FROM (SELECT 1 FROM outbox LIMIT 1) o")
    pending = await scalar(
        servers,
        "SELECT count(*) FROM (SELECT 1 FROM webhook_deliveries"
        " WHERE status = 'pending' AND attempts = 0 LIMIT 1) p",
    )
    idle = (
        all(lag == 0 for lag in lags.values())
        and all(state == "Stable" for state in states.values())
        and backlog == 0
        and (pending == 0 or not webhooks)
    )
    detail = f"lags {lags}, groups {states}, outbox rows {backlog}, unsent webhooks {pending}"
    return idle, detail + " (0/1: any)"


async def wait_until_idle(servers: Servers, timeout_s: float, webhooks: bool = True) -> float:
    """Seconds until the services were first found idle (then held for `IDLE_POLLS` polls)."""
    began = time.monotonic()
    first_idle: float | None = None
    streak = 0
    async with GroupWatch(servers.kafka) as watch:
        while True:
            idle, detail = await _idle(watch, servers, webhooks)
            if idle:
                first_idle = first_idle or time.monotonic()
                streak += 1
                if streak >= IDLE_POLLS:
                    return first_idle - began
            else:
                first_idle, streak = None, 0
            if time.monotonic() - began > timeout_s:
                raise LatencyFailed(f"services not idle after {timeout_s:g} s: {detail}")
            await asyncio.sleep(0.5)


async def post_paced(
    url: str, key: str, bodies: list[tuple[str, bytes]], rate: float, client: str
) -> Posted:
    """Open loop: POST i is sent at start + i / rate whatever became of the earlier ones, each
    on a connection of its own while it waits (`RawPool`, or httpx with a large pool)."""
    posted = Posted()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=1024, max_keepalive_connections=256)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=httpx.Timeout(30)
    ) as pooled:
        poster: Poster = (
            HttpxPoster(pooled, "/v1/signals")
            if client == "httpx"
            else RawPool(url, "/v1/signals", headers)
        )
        start = time.monotonic() + 0.05

        async def one(signal_id: str, body: bytes) -> None:
            sent = time.monotonic()
            try:
                async with asyncio.timeout(30):
                    status, answer = await poster.post(body)
            except (
                OSError,
                EOFError,
                ValueError,
                asyncio.LimitOverrunError,
                httpx.HTTPError,
            ) as exc:
                posted.error(type(exc).__name__)
                return
            done, wall = time.monotonic(), time.time()
            if status != 202:
                posted.error(f"{status}: {answer[:200]!r}")
                return
            posted.accepted[signal_id] = Accepted(sent - start, done, wall, (done - sent) * 1000)

        tasks = []
        cpu = time.process_time()
        try:
            for i, (signal_id, body) in enumerate(bodies):
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    posted.behind_max_ms = max(posted.behind_max_ms, -delay * 1000)
                tasks.append(asyncio.create_task(one(signal_id, body)))
            posted.send_s = time.monotonic() - start
            await asyncio.wait_for(asyncio.gather(*tasks), 60)
        finally:
            for task in tasks:
                task.cancel()
            await poster.aclose()
    posted.ended = time.monotonic()
    posted.cpu_s = time.process_time() - cpu
    posted.connections = poster.opened if isinstance(poster, RawPool) else None
    return posted


@dataclass
class Arrivals:
    first: dict[str, list[Any]]  # signal id -> the first receiver record that held it
    webhooks: int
    duplicate_ids: int


async def collect(receiver: Server, since: int, wanted: set[str], until: float) -> Arrivals:
    """Reads the receiver's records from index `since` until every wanted signal id arrived or
    the monotonic time `until` passed."""
    first: dict[str, list[Any]] = {}
    ids: dict[str, int] = {}
    async with httpx.AsyncClient(timeout=10) as client:
        while True:
            response = await client.get(receiver.url + "/records", params={"since": since})
            records: list[list[Any]] = orjson.loads(response.content)
            since += len(records)
            for record in records:
                ids[record[2]] = ids.get(record[2], 0) + 1
                for signal_id in record[5]:
                    if signal_id in wanted and signal_id not in first:
                        first[signal_id] = record
            if len(first) == len(wanted) or time.monotonic() > until:
                break
            await asyncio.sleep(0.25)
    return Arrivals(first, len(ids), sum(n - 1 for n in ids.values()))


def _event_time(value: str | None) -> float | None:
    return datetime.fromisoformat(value).timestamp() if value else None


async def _drain(
    env: dict[str, str], key: str, servers: Servers, timeout_s: float, started: list[Server]
) -> float:
    """Starts a set of services to work off the shared groups' backlog, stops it once they are
    idle, and empties the bench database of what they made (the API key stays)."""
    services = _services(env, "drain")
    started += services
    began = time.monotonic()
    try:
        await asyncio.gather(*(service.start() for service in services))
        # Webhooks are not waited for: the backlog's events were sealed with other runs' keys,
        # so their deliveries fail and, case by case, hold back the later ones; the tables are
        # emptied below anyway.
        await wait_until_idle(servers, timeout_s, webhooks=False)
        drained = time.monotonic() - began
    finally:
        await asyncio.gather(*(s.stop() for s in services), return_exceptions=True)
    await empty_tables(servers, keep=["api_keys"])
    return drained


async def bench_latency(
    servers: Servers, run_id: str, plan: LatencyPlan, force: bool = False
) -> LatencyFigures:
    if not force:
        await _check_groups_idle(servers.kafka)
    await empty_tables(servers)
    secret = generate_webhook_secret()
    receiver = Server(
        "latency-receiver",
        [
            *("-m", "uvicorn", "tests.bench.webhook_receiver:app", "--workers", "1"),
            *("--lifespan", "off", "--log-level", "warning", "--no-access-log"),
        ],
        {"BENCH_RECEIVER_MODE": "verify", "BENCH_WEBHOOK_SECRET": secret},
        "/healthz",
    )
    started: list[Server] = [receiver]
    before: dict[str, Offsets] = {}
    notes: list[str] = []
    drain_s: float | None = None
    with tempfile.TemporaryDirectory(prefix="vs-bench-") as data_dir:
        try:
            await receiver.start()
            env = {
                "VS_DATABASE_URL": servers.database_url,
                "VS_KAFKA_BOOTSTRAP_SERVERS": servers.kafka,
                "VS_PII_KEY": generate_pii_key(),
                # The limiter runs on the hot path as in production, set out of the way of the load.
                "VS_RATE_LIMIT_PER_S": "1e9",
                "VS_RATE_LIMIT_BURST": "1000000000",
                "VS_DATA_DIR": data_dir,
                "VS_USD_WEBHOOK_URL": receiver.url + "/hooks/usd",
                "VS_USD_WEBHOOK_SECRET": secret,
                "VS_WEBHOOK_PAYLOAD": "full",
                "VS_TEAM_EMAILS": "",
                "VS_SMTP_HOST": "",
            }
            key = await asyncio.to_thread(create_api_key, env, "bench", "signals:write")
            backlog = {
                group: await group_backlog(servers.kafka, group, topic) for group, topic in GROUPS
            }
            for topic in (SIGNALS_TOPIC, CASES_TOPIC):
                before[topic] = await end_offsets(servers.kafka, topic)
            if any(backlog.values()):
                print(f"bench: working off the shared groups' backlog {backlog}", file=sys.stderr)
                drain_s = await _drain(env, key, servers, plan.idle_timeout_s, started)
            services = _services(env)
            started += services
            await asyncio.gather(*(service.start() for service in services))
            idle_s = await wait_until_idle(servers, plan.idle_timeout_s)
            waiting = await scalar(
                servers, "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'"
            )
            if waiting:
                notes.append(f"{waiting} stale webhooks were waiting for a retry at load start")

            count = round(plan.rate * (plan.warmup_s + plan.duration_s))
            bodies = [(str(s["id"]), orjson.dumps(s)) for s in notifying_signals(run_id, count)]
            async with httpx.AsyncClient(timeout=10) as client:
                since = len((await client.get(receiver.url + "/records")).json())
            measured = [receiver, *services]
            cpu0, load_began = {s.name: s.cpu_seconds() for s in measured}, time.monotonic()
            posted = await post_paced(services[0].url, key, bodies, plan.rate, plan.client)
            cpu1, load_s = {s.name: s.cpu_seconds() for s in measured}, posted.ended - load_began
            print(
                f"bench: {len(posted.accepted):,} signals accepted; waiting for their webhooks",
                file=sys.stderr,
            )
            arrivals = await collect(
                receiver, since, set(posted.accepted), posted.ended + plan.grace_s
            )
            async with httpx.AsyncClient(timeout=10) as client:
                stats = (await client.get(receiver.url + "/stats")).json()
        finally:
            await asyncio.gather(*(s.stop() for s in started), return_exceptions=True)
            notes += await _leave_no_backlog(servers.kafka, before)

    timings = _timings(posted, arrivals)
    _write_csv(OUT / "latency.csv", timings)
    window = [t for t in timings if t.sent_s >= plan.warmup_s]
    arrived = [t for t in window if t.latency_ms is not None]
    if stats["unreadable"]:
        notes.append(f"{stats['unreadable']} webhooks without a readable data.signals")
    return LatencyFigures(
        plan=plan,
        posted=round(plan.rate * plan.duration_s),
        accepted=len(window),
        post_errors=posted.errors,
        rate_achieved=(len(bodies) - 1) / max(posted.send_s, 1e-9),
        behind_max_ms=posted.behind_max_ms,
        response=Percentiles.of([t.response_ms for t in window]),
        latency=Percentiles.of([t.latency_ms for t in arrived if t.latency_ms is not None]),
        to_case_event=Percentiles.of([t.to_event_ms for t in arrived if t.to_event_ms is not None]),
        case_event_to_webhook=Percentiles.of(
            [t.to_webhook_ms for t in arrived if t.to_webhook_ms is not None]
        ),
        missing=len(window) - len(arrived),
        warmup_missing=sum(t.latency_ms is None for t in timings if t.sent_s < plan.warmup_s),
        webhooks=arrivals.webhooks,
        rejected=stats["rejected"],
        duplicate_ids=arrivals.duplicate_ids,
        backlog_at_start=backlog,
        drain_s=drain_s,
        idle_after_s=idle_s,
        service_cpu={
            **{
                name.removeprefix("latency-"): (cpu1[name] - cpu0[name]) / max(load_s, 1e-9)
                for name in cpu0
            },
            "load generator": posted.cpu_s / max(load_s, 1e-9),
        },
        connections=posted.connections,
        notes=notes + [f"POST error: {sample}" for sample in posted.error_samples],
    )


@dataclass(frozen=True)
class Timing:
    signal_id: str
    sent_s: float
    response_ms: float
    latency_ms: float | None  # 202 → first webhook holding the signal (monotonic clock)
    to_event_ms: float | None  # 202 → case event time (wall clock)
    to_webhook_ms: float | None  # case event time → webhook received (wall clock)
    event_type: str | None


def _timings(posted: Posted, arrivals: Arrivals) -> list[Timing]:
    timings = []
    for signal_id, accepted in posted.accepted.items():
        record = arrivals.first.get(signal_id)
        latency = to_event = to_webhook = None
        event_type = None
        if record is not None:
            arrived, arrived_wall, _, event_type, event_time, _ = record
            latency = (arrived - accepted.at) * 1000
            decided = _event_time(event_time)
            if decided is not None:
                to_event = (decided - accepted.wall) * 1000
                to_webhook = (arrived_wall - decided) * 1000
        timings.append(
            Timing(
                signal_id,
                accepted.sent_s,
                accepted.response_ms,
                latency,
                to_event,
                to_webhook,
                event_type,
            )
        )
    return sorted(timings, key=lambda t: t.sent_s)


def _write_csv(path: Path, timings: list[Timing]) -> None:
    """Every signal's times, for a look at how latency moved during the run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([f.name for f in fields(Timing)])
        for t in timings:
            writer.writerow(
                [
                    t.signal_id,
                    f"{t.sent_s:.4f}",
                    f"{t.response_ms:.1f}",
                    *("" if v is None else f"{v:.1f}" for v in (t.latency_ms, t.to_event_ms)),
                    "" if t.to_webhook_ms is None else f"{t.to_webhook_ms:.1f}",
                    (t.event_type or "").removeprefix("nl.vroegsignaal."),
                ]
            )


async def _leave_no_backlog(kafka: str, before: dict[str, Offsets]) -> list[str]:
    """The started services read the run's records with the real groups; whatever they left
    (a failed run) is skipped, so a later test run does not get it."""
    notes = []
    for group, topic in GROUPS:
        if topic not in before:
            continue
        left = await group_backlog(kafka, group, topic)
        if left:
            after = await end_offsets(kafka, topic)
            note = await skip_bench_records(kafka, group, before[topic], after)
            notes.append(f"`{group}` had {left:,} records left after the run: {note}")
    return notes
