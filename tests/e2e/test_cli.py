"""The `vroegsignaal` command as an operator uses it (CONTRACT §7)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid4

import httpx

from tests.e2e.process import VroegsignaalProcess
from tests.signals import rent_arrears


def cli(*args: str, data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "VS_DATA_DIR": str(data), **env},
        timeout=120,
    )


async def test_keys_are_created_listed_used_and_revoked_within_a_second(tmp_path: Path) -> None:
    data = tmp_path / "var"
    assert cli("db", "upgrade", data=data).returncode == 0
    created = cli(
        "keys", "create", "--source", "woonstichting-gooi", "--scopes", "signals:write", data=data
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    key_id = key.split("_")[1]
    vs = VroegsignaalProcess(["run"], {"VS_DATA_DIR": str(data)}, tmp_path / "run.log")
    await vs.start()
    try:
        async with httpx.AsyncClient(base_url=vs.url) as client:
            auth = {"Authorization": f"Bearer {key}"}
            assert (
                await client.post("/v1/signals", json=rent_arrears(), headers=auth)
            ).status_code == 202
            assert cli("keys", "revoke", key_id, data=data).returncode == 0
            revoked_at = time.monotonic()
            while (
                await client.get("/v1/signals/" + str(uuid4()), headers=auth)
            ).status_code != 401:
                assert time.monotonic() - revoked_at < 1.0, "a revoked key still worked after 1 s"
    finally:
        vs.terminate()
    listed = cli("keys", "list", data=data)
    assert listed.returncode == 0
    [row] = [line for line in listed.stdout.splitlines() if key_id in line]
    assert "woonstichting-gooi" in row and "signals:write" in row and "revoked" in row
    assert key not in listed.stdout and key.split("_")[-1] not in listed.stdout


async def test_data_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "var"
    vs = VroegsignaalProcess(["run"], {"VS_DATA_DIR": str(data)}, tmp_path / "run.log")
    await vs.start()
    try:
        key = (data / "dev-api-key").read_text().strip()
        async with httpx.AsyncClient(base_url=vs.url) as client:
            auth = {"Authorization": f"Bearer {key}"}
            assert (
                await client.post("/v1/signals", json=rent_arrears(), headers=auth)
            ).status_code == 202
    finally:
        vs.terminate()
    files = [p for p in data.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"vroegsignaal.sqlite3", "eventlog.sqlite3", "pii.key"}
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in files} == {
        p.name: "0o600" for p in files
    }
    assert data.stat().st_mode & 0o077 == 0


def test_unknown_scope_is_refused(tmp_path: Path) -> None:
    result = cli(
        "keys", "create", "--source", "x", "--scopes", "signals:delete", data=tmp_path / "var"
    )
    assert result.returncode == 2
    assert "unknown scopes" in result.stderr


def test_serve_refuses_default_secrets(tmp_path: Path) -> None:
    result = cli(
        "serve",
        "ingest",
        data=tmp_path / "var",
        VS_PII_KEY="changeme",
        VS_DATABASE_URL="postgresql+asyncpg://u:p@127.0.0.1:1/x",
        VS_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1",
    )
    assert result.returncode == 2
    assert "VS_PII_KEY" in result.stderr


def test_serve_notifier_refuses_personal_data_over_plain_http(tmp_path: Path) -> None:
    result = cli(
        "serve",
        "notifier",
        data=tmp_path / "var",
        VS_PII_KEY="A" * 43 + "=",
        VS_USD_WEBHOOK_URL="http://usd.example.nl/hooks",
        VS_USD_WEBHOOK_SECRET="whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        VS_DATABASE_URL="postgresql+asyncpg://u:p@127.0.0.1:1/x",
        VS_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1",
    )
    assert result.returncode == 2
    assert "https" in result.stderr


def test_a_port_in_use_is_one_line_naming_it(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("run", "--port", str(port), data=tmp_path / "var")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and f"port {port}" in result.stderr
    assert "Traceback" not in result.stderr
