"""`python -m tests.bench` (what `make bench` runs): ingest, triage and webhook delivery throughput
against baselines measured in the same run, and the end-to-end latency from an accepted signal to
its webhook; prints a markdown table and writes var/bench/results.md."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.infra import OUT, REPO, prepare_database, servers_from_env
from tests.bench.ingest_bench import LoadPlan, bench_ingest
from tests.bench.latency_bench import LatencyPlan, bench_latency
from tests.bench.notifier_bench import bench_deliveries
from tests.bench.report import Row, markdown_table
from tests.bench.results import (
    delivery_rows,
    ingest_rows,
    latency_rows,
    notes,
    notifier_notes,
    triage_rows,
)
from tests.bench.triage_bench import bench_triage


def revision() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + ("+dirty" if git("status", "--porcelain") else "")


async def run(args: argparse.Namespace) -> tuple[str, bool]:
    servers = servers_from_env()
    run_id = uuid.uuid4().hex[:8]
    plan = LoadPlan(
        concurrency=args.concurrency,
        duration_s=args.duration,
        warmup_s=args.warmup,
        batch_clients=args.batch_clients,
        batch_duration_s=args.batch_duration,
        rounds=args.rounds,
        client=args.client,
    )
    began, load_before = time.perf_counter(), os.getloadavg()[0]
    print(f"bench {run_id}: preparing database vroegsignaal_bench", file=sys.stderr)
    await prepare_database(servers)
    latency_plan = LatencyPlan(
        rate=args.latency_rate,
        client=args.client,
        duration_s=args.latency_duration,
        warmup_s=args.latency_warmup,
        grace_s=args.latency_grace,
        idle_timeout_s=args.idle_timeout,
    )
    ingest = triage = deliveries = latency = None
    rows: list[Row] = []
    failures: list[str] = []
    if args.only in (None, "ingest"):
        print("bench: ingest (baseline, then ours)", file=sys.stderr)
        try:
            ingest = await bench_ingest(servers, plan, args.force_shared_topic)
            rows += ingest_rows(ingest)
        except Exception as exc:  # report what failed, still measure the rest
            logging.exception("ingest benchmark failed")
            rows.append(Row("ingest", None, target="runs", met=False))
            failures.append(f"ingest failed: {type(exc).__name__}: {exc}")
    if args.only in (None, "triage"):
        print(f"bench: triage over {args.triage_signals:,} signals", file=sys.stderr)
        try:
            triage = await bench_triage(
                servers, run_id, args.triage_signals, args.triage_timeout, args.profile
            )
            rows += triage_rows(triage)
        except Exception as exc:
            logging.exception("triage benchmark failed")
            rows.append(Row("triage", None, target="runs", met=False))
            failures.append(f"triage failed: {type(exc).__name__}: {exc}")
    if args.only in (None, "notifier", "deliveries"):
        print(f"bench: webhook deliveries ({args.notifications:,})", file=sys.stderr)
        try:
            deliveries = await bench_deliveries(
                servers, args.notifications, args.notifier_timeout, args.notifier_profile
            )
            rows += delivery_rows(deliveries)
        except Exception as exc:
            logging.exception("webhook delivery benchmark failed")
            rows.append(Row("notifier deliveries", None, target="runs", met=False))
            failures.append(f"notifier deliveries failed: {type(exc).__name__}: {exc}")
    if args.only in (None, "notifier", "latency"):
        print(
            f"bench: end to end at {latency_plan.rate:g} signals/s for "
            f"{latency_plan.duration_s:g} s (serve ingest, triage, notifier)",
            file=sys.stderr,
        )
        try:
            latency = await bench_latency(servers, run_id, latency_plan, args.force_shared_topic)
            rows += latency_rows(latency)
        except Exception as exc:
            logging.exception("end-to-end latency benchmark failed")
            rows.append(Row("end to end latency", None, target="runs", met=False))
            failures.append(f"end to end failed: {type(exc).__name__}: {exc}")
    header = (
        f"## Vroegsignaal benchmark {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"(run {run_id}, rev {revision()}, {os.cpu_count()} cores, "
        f"{time.perf_counter() - began:.0f} s, load average {load_before:.1f} → "
        f"{os.getloadavg()[0]:.1f})\n\n"
        f"Ingest, {plan.rounds} turns each of baseline then ours (both servers up): single POST "
        f"{plan.concurrency} keep-alive connections ({plan.client} client), "
        f"{plan.warmup_s:g} s warm-up + "
        f"{plan.duration_s:g} s; batch: {plan.batch_clients} clients × 1000 signals, "
        f"{plan.batch_duration_s:g} s; triage: {args.triage_signals:,} signals, 6 partitions; "
        f"webhooks: {args.notifications:,} notifications; end to end: "
        f"{latency_plan.rate:g} signals/s open loop ({plan.client} client), "
        f"{latency_plan.warmup_s:g} s warm-up + {latency_plan.duration_s:g} s."
    )
    lines = failures + notes(ingest, triage) + notifier_notes(deliveries, latency)
    extra = "".join(f"\n- {line}" for line in lines)
    return f"{header}\n\n{markdown_table(rows)}\n{extra}\n", not failures


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument(
        "--only",
        choices=["ingest", "triage", "notifier", "deliveries", "latency"],
        help="one phase; notifier = deliveries and latency (end to end)",
    )
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=5, help="seconds measured per turn")
    parser.add_argument("--warmup", type=float, default=1)
    parser.add_argument(
        "--rounds", type=int, default=3, help="ingest: turns of baseline and ours, alternating"
    )
    parser.add_argument("--batch-clients", type=int, default=4)
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="load generator's HTTP client (httpx saturates first on small boxes)",
    )
    parser.add_argument("--batch-duration", type=float, default=4)
    parser.add_argument("--triage-signals", type=int, default=20_000)
    parser.add_argument("--triage-timeout", type=float, default=120)
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--notifier-timeout", type=float, default=180)
    parser.add_argument(
        "--notifier-profile",
        type=Path,
        help="write a pyinstrument profile of the delivery run here (pip install pyinstrument)",
    )
    parser.add_argument("--latency-rate", type=float, default=200, help="signals/s")
    parser.add_argument("--latency-duration", type=float, default=20, help="seconds measured")
    parser.add_argument("--latency-warmup", type=float, default=2, help="seconds not counted")
    parser.add_argument(
        "--latency-grace", type=float, default=30, help="seconds a webhook may come after the load"
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=180,
        help="seconds the started services may take to clear a backlog on the shared topics",
    )
    parser.add_argument(
        "--force-shared-topic",
        action="store_true",
        help="run ingest and the end-to-end phase even while a consumer of their groups is live "
        "on the shared Kafka",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="write a pyinstrument profile of the triage run here (pip install pyinstrument)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    report, completed = asyncio.run(asyncio.wait_for(run(args), 1200))
    print(report)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.md").write_text(report)
    print(f"written to {(OUT / 'results.md').relative_to(REPO)}", file=sys.stderr)
    return 0 if completed else 1  # a missed target is a finding, a failed phase is an error


if __name__ == "__main__":
    sys.exit(main())
