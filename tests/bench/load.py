"""HTTP load generator, run as its own process (`python -m tests.bench.load`) so it never shares
the server's event loop: N keep-alive workers post fresh signals for a fixed time and print one
JSON line (rate, latency percentiles, errors, client and server CPU). `--client raw` (default)
or `httpx`: see http_clients.py for why."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.bench.http_clients import HttpxPoster, Poster, RawConnection
from tests.signals import rent_arrears

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    samples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.samples) < 5:
            self.samples.append(what)


def body(batch_size: int) -> bytes:
    if batch_size == 0:
        return orjson.dumps(rent_arrears())
    return orjson.dumps({"signals": [rent_arrears() for _ in range(batch_size)]})


async def worker(
    poster: Poster, args: argparse.Namespace, start: float, end: float, tally: Tally
) -> None:
    expected = 200 if args.batch_size else 202
    try:
        while time.perf_counter() < end:
            content = body(args.batch_size)
            began = time.perf_counter()
            try:
                status, answer = await poster.post(content)
            except (
                OSError,
                EOFError,
                ValueError,
                asyncio.LimitOverrunError,
                httpx.HTTPError,
            ) as exc:
                tally.error(type(exc).__name__)
                continue
            done = time.perf_counter()
            if status != expected:
                tally.error(f"{status}: {answer[:200]!r}")
            elif args.batch_size and answer.count(b'"accepted"') != args.batch_size:
                tally.error(f"batch not all accepted: {answer[:200]!r}")
            elif start <= done <= end:  # completions inside the measured window
                tally.latencies.append(done - began)
    finally:
        await poster.aclose()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if key := os.environ.get("BENCH_API_KEY"):
        headers["Authorization"] = f"Bearer {key}"
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=None)
    tally = Tally()
    async with httpx.AsyncClient(
        base_url=args.url, headers=headers, limits=limits, timeout=httpx.Timeout(60)
    ) as client:
        posters: list[Poster] = [
            HttpxPoster(client, args.path)
            if args.client == "httpx"
            else RawConnection(args.url, args.path, headers)
            for _ in range(args.concurrency)
        ]
        start = time.perf_counter() + args.warmup
        end = start + args.duration
        workers = [asyncio.create_task(worker(p, args, start, end, tally)) for p in posters]
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        client_cpu0, server_cpu0 = time.process_time(), cpu_seconds(args.server_pid)
        await asyncio.sleep(max(0.0, end - time.perf_counter()))
        client_cpu1, server_cpu1 = time.process_time(), cpu_seconds(args.server_pid)
        await asyncio.wait_for(asyncio.gather(*workers), 120)
    lat = sorted(tally.latencies)
    count = len(lat)
    per_request = max(args.batch_size, 1)

    def pct(q: float) -> float | None:
        return lat[min(count - 1, int(q * count))] * 1000 if count else None

    return {
        "requests_per_s": count / args.duration,
        "signals_per_s": count * per_request / args.duration,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "errors": tally.errors,
        "error_samples": tally.samples,
        "client_cpu": (client_cpu1 - client_cpu0) / args.duration,
        "server_cpu": (server_cpu1 - server_cpu0) / args.duration,
        "server_cpu_us_per_signal": (server_cpu1 - server_cpu0) * 1e6 / max(count * per_request, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.load")
    parser.add_argument("--url", required=True)
    parser.add_argument("--path", default="/v1/signals")
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--batch-size", type=int, default=0, help="0: single-signal bodies")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw")
    result = asyncio.run(run(parser.parse_args()))
    sys.stdout.write(orjson.dumps(result).decode() + "\n")


if __name__ == "__main__":
    main()
