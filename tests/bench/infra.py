"""What every benchmark stands on: the bench database, server processes, an API key."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
from sqlalchemy.engine import make_url

from services.schema import upgrade
from tests.e2e.process import eventually, free_port

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "var" / "bench"
BENCH_DATABASE = "vroegsignaal_bench"


@dataclass(frozen=True)
class Servers:
    database_url: str  # SQLAlchemy URL of the bench database
    kafka: str

    @property
    def dsn(self) -> str:
        """The same database as a plain libpq DSN, for asyncpg."""
        url = make_url(self.database_url).set(drivername="postgresql")
        return url.render_as_string(hide_password=False)


def servers_from_env() -> Servers:
    test_url = os.environ.get("VS_TEST_DATABASE_URL")
    kafka = os.environ.get("VS_TEST_KAFKA_BOOTSTRAP")
    if not test_url or not kafka:
        raise SystemExit(
            "benchmarks need VS_TEST_DATABASE_URL and VS_TEST_KAFKA_BOOTSTRAP (run `make bench`)"
        )
    url = make_url(test_url).set(database=BENCH_DATABASE)
    return Servers(url.render_as_string(hide_password=False), kafka)


async def prepare_database(servers: Servers) -> None:
    """Creates the bench database afresh and migrates it, so each run starts from the same state
    and the test database never sees benchmark rows (a fresh database, because the audit log is
    append-only: it cannot be truncated)."""
    admin_dsn = make_url(servers.dsn).set(database="postgres").render_as_string(False)
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    finally:
        await conn.close()
    await upgrade(servers.database_url)


async def empty_tables(servers: Servers, keep: Sequence[str] = ()) -> None:
    """Truncates every table of the bench database but alembic's, the append-only audit log
    and those in `keep`."""
    conn = await asyncpg.connect(servers.dsn)
    try:
        names = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> ALL(ARRAY['alembic_version', 'audit_log'])"
            " AND NOT tablename = ANY($1::text[])",
            list(keep),
        )
        if names:
            tables = ", ".join(f'"{row["tablename"]}"' for row in names)
            await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY")
    finally:
        await conn.close()


async def scalar(servers: Servers, sql: str) -> int:
    conn = await asyncpg.connect(servers.dsn)
    try:
        return int(await conn.fetchval(sql) or 0)
    finally:
        await conn.close()


def create_api_key(env: dict[str, str], source: str, scopes: str) -> str:
    """`vroegsignaal keys create`, as an operator would; the key is the last line of stdout."""
    command = ["-m", "services.cli", "keys", "create", "--source", source, "--scopes", scopes]
    done = subprocess.run(
        [sys.executable, *command],
        env={**os.environ, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


class Server:
    """A server process on a free port; `stop()` always ends it (SIGTERM, then SIGKILL)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], ready_path: str) -> None:
        self.name, self.port = name, free_port()
        self.args = [*args, "--host", "127.0.0.1", "--port", str(self.port)]
        self.env, self.ready_path = env, ready_path
        self.log = OUT / "logs" / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, timeout_s: float = 90) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, *self.args],
                env={**os.environ, **self.env},
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

        async def ready() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            try:
                async with httpx.AsyncClient(timeout=2) as client:
                    return (await client.get(self.url + self.ready_path)).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(ready, timeout_s, interval_s=0.2)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far, from /proc/<pid>/stat."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        """VmHWM: the resident set's high-water mark since the process started."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc status")

    async def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            await asyncio.to_thread(self.proc.wait, 15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            await asyncio.to_thread(self.proc.wait, 5)


@contextlib.contextmanager
def serving_gc() -> Iterator[None]:
    """The collector as `vroegsignaal serve` sets it (services/serve.py), for both contenders."""
    gc.collect()
    gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
