"""The `vroegsignaal` command as an operator uses it (CONTRACT §7)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


async def test_keys_are_created_used_and_revoked(tmp_path: Path) -> None:
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
            vs.terminate()
            restarted = VroegsignaalProcess(
                ["run"], {"VS_DATA_DIR": str(data)}, tmp_path / "run.log"
            )
            await restarted.start()
            try:
                async with httpx.AsyncClient(base_url=restarted.url) as again:
                    response = await again.post("/v1/signals", json=rent_arrears(), headers=auth)
                assert response.status_code == 401
            finally:
                restarted.terminate()
    finally:
        vs.terminate()


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
