"""Vroegsignaal as production runs it, for the fault tests: `serve ingest|triage|notifier` as
separate processes on their own PostgreSQL and Kafka (started with deploy/postgres and
deploy/kafka on ports of their own, so a scenario may kill or restart them), the USD receiver in
a process of its own checking every signature, traffic that records every acknowledged signal,
and the end state every scenario must reach."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.schema import upgrade
from shared.crypto import generate_pii_key
from shared.events import CASES_TOPIC, SIGNALS_TOPIC
from shared.keys import generate_webhook_secret
from tests.e2e.process import VroegsignaalProcess, eventually, free_port
from tests.integration.kafka_topic import read_topic
from tests.signals import PII, rent_arrears

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
GROUPS = {"triage": [SIGNALS_TOPIC], "notifier": [CASES_TOPIC]}
"""The consumer groups whose lag must come back to 0, and what they read."""
CLI = [sys.executable, "-m", "services.cli"]
RECEIVER = [sys.executable, "-m", "tests.faults.receiver"]
ALL_SCOPES = "signals:write,cases:read,cases:write,ops:read,ops:write,reports:read,audit:read"
WAIT_S = 120
"""How long the end state may take to settle after the fault (each scenario is bounded)."""


def _port(env: str, fallback: int) -> int:
    return int(os.environ.get(env) or fallback)


@dataclass
class OwnServers:
    """PostgreSQL and Kafka for the fault tests alone: never the suite's shared servers."""

    pg_port: int
    kafka_port: int
    controller_port: int
    root: Path

    @classmethod
    def beside(cls, pg_url: str, kafka_bootstrap: str) -> OwnServers:
        """Ports 11 above the suite's (VS_FAULTS_PG_PORT, VS_FAULTS_KAFKA_PORT and
        VS_FAULTS_KAFKA_CONTROLLER_PORT choose others)."""
        pg = int(pg_url.rsplit("@", 1)[1].split("/")[0].rsplit(":", 1)[1])
        kafka = int(kafka_bootstrap.rsplit(":", 1)[1])
        controller = int(os.environ.get("KAFKA_CONTROLLER_PORT") or kafka + 1)
        return cls(
            pg_port=_port("VS_FAULTS_PG_PORT", pg + 11),
            kafka_port=_port("VS_FAULTS_KAFKA_PORT", kafka + 11),
            controller_port=_port("VS_FAULTS_KAFKA_CONTROLLER_PORT", controller + 11),
            root=REPO / "var" / "test-infra",
        )

    @property
    def env(self) -> dict[str, str]:
        return {
            "PG_PORT": str(self.pg_port),
            "PG_BASE_DIR": f"/tmp/vs-faults-pg-{self.pg_port}",  # short: the socket path limit
            "KAFKA_PORT": str(self.kafka_port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "KAFKA_DATA_DIR": str(self.root / f"faults-kafka-{self.kafka_port}"),
        }

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    def database_url(self, name: str) -> str:
        return f"postgresql+asyncpg://vroegsignaal:vroegsignaal@127.0.0.1:{self.pg_port}/{name}"

    def dsn(self, name: str) -> str:
        return f"postgresql://vroegsignaal:vroegsignaal@127.0.0.1:{self.pg_port}/{name}"

    def _script(self, script: str, *args: str) -> None:
        done = subprocess.run(
            ["bash", str(DEPLOY / script), *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{script} {' '.join(args)} failed: {done.stderr[-2000:]}")

    async def start_postgres(self) -> None:
        await asyncio.to_thread(self._script, "postgres/start.sh")

    async def stop_postgres(self) -> None:
        """`pg_ctl stop -m fast`: every connection is cut, as in a failover or a restart."""
        await asyncio.to_thread(self._script, "postgres/stop.sh")

    async def start_kafka(self) -> None:
        await asyncio.to_thread(self._script, "kafka/start.sh")

    async def kill_kafka(self) -> None:
        """SIGKILL: no clean shutdown, no flush."""
        await asyncio.to_thread(self._script, "kafka/stop.sh", "--kill")

    async def stop_kafka(self) -> None:
        await asyncio.to_thread(self._script, "kafka/stop.sh")

    async def fresh_database(self) -> str:
        name = f"faults_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(self.dsn("postgres"))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        await upgrade(self.database_url(name))
        return name


class Receiver:
    """tests/faults/receiver.py in its own process; what it verified is in `log`."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.secret = generate_webhook_secret()
        self.log = directory / "received.jsonl"
        self.log.touch()
        self._out = directory / "receiver.out"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> None:
        out = self._out.open("ab")
        self.proc = subprocess.Popen(
            [*RECEIVER, str(self.port), self.secret, str(self.log)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )

        async def up() -> bool:
            try:
                async with httpx.AsyncClient() as client:
                    return (await client.get(f"http://127.0.0.1:{self.port}/healthz")).is_success
            except httpx.HTTPError:
                return False

        await eventually(up, 30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def received(self) -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in self.log.read_bytes().splitlines() if line]


@dataclass
class Traffic:
    """Posts signals for a few households, retrying each until it is acknowledged (a 2xx): a
    client that trusts 202 and resends on anything else. `acked` is every acknowledged id."""

    url: str
    auth: dict[str, str]
    households: int = 25
    acked: set[str] = field(default_factory=set)
    answers: Counter[int] = field(default_factory=Counter)
    _amounts: dict[int, float] = field(default_factory=dict)

    def signal(self, rng: random.Random) -> dict[str, Any]:
        household = rng.randrange(self.households)
        amount = self._amounts.get(household, 400.0) + rng.randint(50, 500)
        self._amounts[household] = amount  # higher each time: every signal changes its case
        return rent_arrears(
            amount=amount, minors=household % 3, house_number=1000 + household, postcode="1402 AB"
        )

    async def post_until_acked(
        self, client: httpx.AsyncClient, path: str, body: dict[str, Any]
    ) -> httpx.Response:
        deadline = time.monotonic() + WAIT_S
        while True:
            try:
                response = await client.post(self.url + path, json=body, headers=self.auth)
                self.answers[response.status_code] += 1
                if response.is_success:
                    return response
                if response.status_code == 503:
                    assert response.headers["content-type"] == "application/problem+json"
                    assert int(response.headers["retry-after"]) >= 1
                if response.status_code < 500 and response.status_code != 429:
                    raise AssertionError(f"{path} answered {response.status_code}: {response.text}")
            except httpx.HTTPError:
                self.answers[0] += 1
            if time.monotonic() > deadline:
                raise AssertionError(f"{path} not acknowledged within {WAIT_S}s")
            await asyncio.sleep(0.25)

    async def run(self, seconds: float, per_s: float = 15, seed: int = 9) -> None:
        """Singles and small batches for `seconds`."""
        rng = random.Random(seed)
        end = time.monotonic() + seconds
        async with httpx.AsyncClient(timeout=10) as client:
            while time.monotonic() < end:
                if rng.random() < 0.2:
                    batch = [self.signal(rng) for _ in range(rng.randint(2, 8))]
                    response = await self.post_until_acked(
                        client, "/v1/signals/batch", {"signals": batch}
                    )
                    for result in response.json()["results"]:
                        assert result["status"] in ("accepted", "duplicate"), result
                        self.acked.add(result["id"])
                    await asyncio.sleep(len(batch) / per_s)
                else:
                    one = self.signal(rng)
                    await self.post_until_acked(client, "/v1/signals", one)
                    self.acked.add(one["id"])
                    await asyncio.sleep(1 / per_s)


@dataclass
class Pipeline:
    servers: OwnServers
    directory: Path
    database: str
    receiver: Receiver
    env: dict[str, str]
    processes: dict[str, VroegsignaalProcess] = field(default_factory=dict)
    key: str = ""
    detail: str = ""

    @property
    def dsn(self) -> str:
        return self.servers.dsn(self.database)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    @property
    def ingest_url(self) -> str:
        return self.processes["ingest"].url

    def traffic(self) -> Traffic:
        return Traffic(self.ingest_url, self.auth)

    async def start(self, name: str, service: str | None = None) -> VroegsignaalProcess:
        process = VroegsignaalProcess(
            ["serve", service or name, "--host", "127.0.0.1"],
            self.env,
            self.directory / f"{name}.log",
        )
        self.processes[name] = process
        await process.start(timeout_s=90)
        return process

    def kill(self, name: str) -> None:
        self.processes[name].kill()

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.terminate()
        self.receiver.stop()

    async def settled(self, acked: set[str]) -> None:
        """The end state of CONTRACT §2–5 after any fault, or AssertionError naming what is not."""
        await eventually(lambda: self._each_in_one_case(acked), WAIT_S, 0.5)
        await eventually(self._no_lag, WAIT_S, 0.5)
        try:
            await eventually(self._every_change_delivered, WAIT_S, 0.5)
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {self.detail}") from None
        self._one_webhook_id_per_change()
        await self._nobody_stuck()

    async def _rows(self, sql: str) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.dsn)
        try:
            return list(await conn.fetch(sql))
        finally:
            await conn.close()

    async def _each_in_one_case(self, acked: set[str]) -> bool:
        counts: Counter[str] = Counter()
        for row in await self._rows("SELECT state FROM cases"):
            state = row["state"] if isinstance(row["state"], dict) else orjson.loads(row["state"])
            counts.update(s["id"] for s in state["signals"])
        twice = {s for s in acked if counts[s] > 1}
        assert not twice, f"signals in more than one case (or twice in one): {sorted(twice)[:5]}"
        return not acked - set(counts)

    async def _no_lag(self) -> bool:
        return await lag(self.servers.bootstrap) == 0

    async def _every_change_delivered(self) -> bool:
        case_ids = {r["case_id"] for r in await self._rows("SELECT case_id FROM cases")}
        changes = {
            dict(r.headers)["ce_id"].decode()
            for r in await read_topic(self.servers.bootstrap, CASES_TOPIC)
            if dict(r.headers).get("ce_subject", b"").decode() in case_ids
        }
        delivered = {r["webhook_id"] for r in self.receiver.received() if r["verified"]}
        states = {
            r["status"]: r["n"]
            for r in await self._rows(
                "SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status"
            )
        }
        assert "dead" not in states, f"dead letters: {states}"
        missing = sorted(changes - delivered)
        self.detail = f"{len(missing)} changes not delivered {missing[:3]}, deliveries {states}"
        return bool(changes) and changes <= delivered and set(states) == {"delivered"}

    def _one_webhook_id_per_change(self) -> None:
        received = [r for r in self.receiver.received() if r["verified"]]
        bodies: dict[str, set[str]] = defaultdict(set)
        ids_of: dict[tuple[Any, ...], set[str]] = defaultdict(set)
        for r in received:
            bodies[r["webhook_id"]].add(r["body_sha256"])
            change = (r["subject"], r["type"], r["history_total"], tuple(r["signal_ids"]))
            ids_of[change].add(r["webhook_id"])
        assert all(len(b) == 1 for b in bodies.values()), "one webhook-id, two bodies"
        twice = [c for c, ids in ids_of.items() if len(ids) > 1]
        assert not twice, f"one change under two webhook-ids: {twice[:3]}"
        logs = "".join(p.read_text() for p in self.directory.glob("*.log"))
        assert not [p for p in PII if p in logs], "personal data in a log line"

    async def _nobody_stuck(self) -> None:
        """Every process alive and ready, and a new signal still goes all the way through."""
        async with httpx.AsyncClient(timeout=10) as client:
            for name, process in self.processes.items():
                assert process.proc is not None and process.proc.poll() is None, f"{name} died"
                ready = await client.get(process.url + "/readyz")
                assert ready.status_code == 200, (name, ready.text)
            probe = rent_arrears(house_number=99_000 + random.randrange(999))
            posted = await client.post(
                self.ingest_url + "/v1/signals", json=probe, headers=self.auth
            )
            assert posted.status_code == 202, posted.text

        async def probe_delivered() -> bool:
            return any(probe["id"] in r.get("signal_ids", []) for r in self.receiver.received())

        await eventually(probe_delivered, 60, 0.2)

    def ingest_lines_of(self, signal_id: str) -> Iterator[str]:
        for name in self.processes:
            for line in (self.directory / f"{name}.log").read_text().splitlines():
                if signal_id in line:
                    yield line


async def lag(bootstrap: str) -> int:
    """Records not yet committed by the consumer groups, read from the broker."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await admin.start()
    await consumer.start()
    try:
        behind = 0
        for group, topics in GROUPS.items():
            committed = await admin.list_consumer_group_offsets(group)
            partitions = [
                TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
            ]
            ends = await consumer.end_offsets(partitions)
            for tp in partitions:
                done = committed.get(tp)
                behind += ends[tp] - (done.offset if done is not None and done.offset >= 0 else 0)
        return behind
    finally:
        await consumer.stop()
        await admin.close()


async def new_pipeline(servers: OwnServers, directory: Path) -> Pipeline:
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    database = await servers.fresh_database()
    receiver = Receiver(directory)
    env = {
        "VS_DATABASE_URL": servers.database_url(database),
        "VS_KAFKA_BOOTSTRAP_SERVERS": servers.bootstrap,
        "VS_PII_KEY": generate_pii_key(),
        "VS_USD_WEBHOOK_URL": receiver.url,
        "VS_USD_WEBHOOK_SECRET": receiver.secret,
        "VS_DATA_DIR": str(directory / "var"),
        "VS_RATE_LIMIT_PER_S": "10000",
        "VS_RATE_LIMIT_BURST": "10000",
    }
    pipeline = Pipeline(servers, directory, database, receiver, env)
    created = await asyncio.to_thread(
        subprocess.run,
        [*CLI, "keys", "create", "--source", "corp-faults", "--scopes", ALL_SCOPES],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    pipeline.key = created.stdout.strip().splitlines()[-1]
    return pipeline
