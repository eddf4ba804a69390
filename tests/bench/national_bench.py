"""The national month end to end (issue 9): `national_month` posted in batches by each
corporation with its own key to `serve ingest`, with 2 `serve triage` and 2 `serve notifier`
processes and the USD receiver in its own process verifying every signature.

Reports the time from the first POST to the last webhook, signals/s over that time, signal
(its batch's 200) → first webhook holding it p50/p99, peak RSS per process, database growth
(bytes per signal), and a raw aiokafka produce + consume of the same request bodies on a fresh
topic in the same run. Default 10,000 signals (`make bench`); the full month:
`python -m tests.bench --only national --national-signals 85000`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from shared.bus import Record
from shared.crypto import generate_pii_key
from shared.db import create_engine
from shared.events import CASES_TOPIC, SIGNALS_TOPIC
from shared.keys import generate_webhook_secret
from shared.web.auth import create_key
from tests.bench.infra import Server, Servers, empty_tables, scalar
from tests.bench.kafka_admin import create_topic, delete_topic, end_offsets
from tests.bench.latency_bench import (
    GROUPS,
    Percentiles,
    _check_groups_idle,
    _leave_no_backlog,
    wait_until_idle,
)
from tests.bench.national_accounting import (
    LOSSES,
    account_signals,
    read_ledger,
    read_timeline,
)
from tests.bench.national_month import MonthSignal, corporations, national_month
from tests.bench.triage_bench import raw_consume
from tests.bench.workload import publish

BATCH = 500  # signals per POST /v1/signals/batch


@dataclass
class NationalFigures:
    signals: int
    corporations: int
    accepted: int
    post_errors: int
    post_s: float  # first POST to last batch answered
    total_s: float | None  # first POST to the last webhook
    webhooks: int
    rejected: int
    latency: Percentiles  # ms, batch answered -> first webhook holding the signal
    without_webhook: int  # accepted signals no webhook named (accounted for in `accounts`)
    accounts: dict[str, int]  # accepted signals per `national_accounting.ACCOUNTS`
    case_events: int  # published by triage on the cases topic during the run
    notifications: int  # recorded by the notifier
    webhook_states: dict[str, int]  # webhook deliveries per status
    timeline: dict[str, float | None]  # s after the first POST each stage finished
    rss_mb: dict[str, float]
    cpu_s: dict[str, float]  # CPU seconds per process from the first POST until idle
    machine_busy_s: float  # CPU seconds the whole machine (every process on it) was busy then
    idle_s: float  # first POST until the services were found idle
    db_growth_bytes: int
    raw_produce_s: float
    raw_consume_s: float
    notes: list[str] = field(default_factory=list)


async def _raw_kafka(
    servers: Servers, run_id: str, month: list[MonthSignal]
) -> tuple[float, float]:
    """A bare aiokafka producer, then a bare consume-and-commit loop, over the same bodies."""
    topic = f"bench.national.{run_id}"
    await create_topic(servers.kafka, topic, 6)
    try:
        records = [
            Record(
                topic,
                s.body["household"]["address"]["house_number_addition"].encode(),
                orjson.dumps(s.body),
                (),
            )
            for s in month
        ]
        began = time.perf_counter()
        await publish(servers.kafka, records)
        produce_s = time.perf_counter() - began
        consume_s = await raw_consume(
            servers.kafka, topic, f"bench-national-raw-{run_id}", len(records), 300
        )
        return produce_s, consume_s
    finally:
        await delete_topic(servers.kafka, topic, [f"bench-national-raw-{run_id}"])


async def _post_corporation(
    url: str, key: str, signals: list[MonthSignal], accepted: dict[str, float], errors: list[str]
) -> None:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
        for start in range(0, len(signals), BATCH):
            chunk = signals[start : start + BATCH]
            body = orjson.dumps({"signals": [s.body for s in chunk]})
            try:
                response = await client.post("/v1/signals/batch", content=body)
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
                continue
            answered = time.monotonic()
            if response.status_code != 200:
                errors.append(f"{response.status_code}: {response.text[:200]}")
                continue
            results = response.json().get("results", [])
            for signal, result in zip(chunk, results, strict=False):
                if result.get("status") in ("accepted", "duplicate"):
                    accepted[signal.body["id"]] = answered
                else:
                    errors.append(str(result)[:200])


def machine_busy_s() -> float:
    """CPU seconds every core of the machine has been busy since boot (/proc/stat: all but
    idle and iowait), whoever ran: other benches on the machine show here, not in ours."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user..steal, less idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


async def _db_size(servers: Servers) -> int:
    return await scalar(servers, "SELECT pg_database_size(current_database())")


async def bench_national(
    servers: Servers, run_id: str, count: int, timeout_s: float, force: bool = False
) -> NationalFigures:
    if not force:
        await _check_groups_idle(servers.kafka)
    month = national_month(count)
    names = corporations()
    raw_produce_s, raw_consume_s = await _raw_kafka(servers, run_id, month)
    await empty_tables(servers)
    size_before = await _db_size(servers)
    secret = generate_webhook_secret()
    receiver = Server(
        "national-receiver",
        [
            *("-m", "uvicorn", "tests.bench.webhook_receiver:app", "--workers", "1"),
            *("--lifespan", "off", "--log-level", "warning", "--no-access-log"),
        ],
        {"BENCH_RECEIVER_MODE": "verify", "BENCH_WEBHOOK_SECRET": secret},
        "/healthz",
    )
    started: list[Server] = [receiver]
    notes: list[str] = []
    before = {
        topic: await end_offsets(servers.kafka, topic) for topic in (SIGNALS_TOPIC, CASES_TOPIC)
    }
    engine = create_engine(servers.database_url)
    with tempfile.TemporaryDirectory(prefix="vs-national-") as data_dir:
        try:
            keys: dict[str, str] = {}
            async with engine.begin() as conn:
                for name in names:
                    keys[name] = (await create_key(conn, name, {"signals:write"}))[1]
            await receiver.start()
            env = {
                "VS_DATABASE_URL": servers.database_url,
                "VS_KAFKA_BOOTSTRAP_SERVERS": servers.kafka,
                "VS_PII_KEY": generate_pii_key(),
                "VS_RATE_LIMIT_PER_S": "1e9",
                "VS_RATE_LIMIT_BURST": "1000000000",
                "VS_DATA_DIR": data_dir,
                "VS_USD_WEBHOOK_URL": receiver.url + "/hooks/usd",
                "VS_USD_WEBHOOK_SECRET": secret,
                "VS_WEBHOOK_PAYLOAD": "full",
                "VS_TEAM_EMAILS": "",
                "VS_SMTP_HOST": "",
            }
            services = [
                Server(
                    f"national-{name}-{i}", ["-m", "services.cli", "serve", name], env, "/readyz"
                )
                for name, copies in (("ingest", 1), ("triage", 2), ("notifier", 2))
                for i in range(1, copies + 1)
            ]
            started += services
            await asyncio.gather(*(s.start() for s in services))
            await wait_until_idle(servers, 180)
            async with httpx.AsyncClient(timeout=30) as client:
                since = len((await client.get(receiver.url + "/records")).json())

            by_corp: dict[str, list[MonthSignal]] = {}
            for signal in month:
                by_corp.setdefault(signal.source, []).append(signal)
            accepted: dict[str, float] = {}
            errors: list[str] = []
            print(
                f"bench: posting {count:,} signals from {len(by_corp)} corporations",
                file=sys.stderr,
            )
            cpu_before = {s.name: s.cpu_seconds() for s in [*services, receiver]}
            busy_before = machine_busy_s()
            began, began_wall = time.monotonic(), datetime.now(UTC)
            await asyncio.gather(
                *(
                    _post_corporation(services[0].url, keys[c], s, accepted, errors)
                    for c, s in by_corp.items()
                )
            )
            post_s = time.monotonic() - began
            print(
                f"bench: {len(accepted):,} accepted in {post_s:.1f} s; waiting for webhooks",
                file=sys.stderr,
            )
            try:
                await wait_until_idle(servers, timeout_s)
            except RuntimeError as exc:
                notes.append(f"not idle: {exc}")
            cases_after = await end_offsets(servers.kafka, CASES_TOPIC)
            idle_s = time.monotonic() - began
            busy_s = machine_busy_s() - busy_before
            cpu = {
                s.name.removeprefix("national-"): s.cpu_seconds() - cpu_before[s.name]
                for s in [*services, receiver]
            }
            rss = {s.name.removeprefix("national-"): s.peak_rss_mb() for s in [*services, receiver]}
            async with httpx.AsyncClient(timeout=60) as client:
                records: list[list[Any]] = orjson.loads(
                    (await client.get(receiver.url + "/records", params={"since": since})).content
                )
                stats = (await client.get(receiver.url + "/stats")).json()
        finally:
            await asyncio.gather(*(s.stop() for s in started), return_exceptions=True)
            await engine.dispose()
            notes += await _leave_no_backlog(servers.kafka, before)
    first: dict[str, float] = {}
    for arrived, *_rest, signal_ids in records:
        for signal_id in signal_ids:
            first.setdefault(signal_id, arrived)
    latencies = [(first[i] - at) * 1000 for i, at in accepted.items() if i in first]
    last = max((r[0] for r in records), default=None)
    engine = create_engine(servers.database_url)
    try:
        ledger = await read_ledger(engine)
        timeline = await read_timeline(engine, began_wall)
    finally:
        await engine.dispose()
    accounts = account_signals(accepted, first, ledger)
    lost = [i for name in LOSSES for i in accounts[name]]
    cases_before = before[CASES_TOPIC]
    case_events = sum(end - cases_before.get(tp, 0) for tp, end in cases_after.items())
    total = (last - began) if last is not None else None
    return NationalFigures(
        signals=count,
        corporations=len(by_corp),
        accepted=len(accepted),
        post_errors=len(errors),
        post_s=post_s,
        total_s=total,
        webhooks=len({r[2] for r in records}),
        rejected=stats["rejected"],
        latency=Percentiles.of(latencies),
        without_webhook=len(accepted) - len(latencies),
        accounts={name: len(ids) for name, ids in accounts.items()},
        case_events=case_events,
        notifications=ledger.notifications,
        webhook_states=dict(ledger.webhooks),
        timeline={"posted": post_s, **timeline, "received": total},
        rss_mb=rss,
        cpu_s=cpu,
        machine_busy_s=busy_s,
        idle_s=idle_s,
        db_growth_bytes=await _db_size(servers) - size_before,
        raw_produce_s=raw_produce_s,
        raw_consume_s=raw_consume_s,
        notes=notes
        + [f"POST error: {e}" for e in errors[:5]]
        + [f"accepted signal in a loss account: {i}" for i in lost[:5]],
    )


__all__ = ["GROUPS", "NationalFigures", "bench_national"]
