"""schemathesis against the OpenAPI document of a live `vroegsignaal run` (issue 9): every
operation with valid and invalid requests, seeded and bounded (tests/contract/schemathesis.toml).
Nothing may answer 5xx, and every answer must be one the document declares, in its schema, with its
media type. What it found is pinned in tests/integration/test_spec_agrees.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.process import VroegsignaalProcess

CONFIG = Path(__file__).with_name("schemathesis.toml")
CLI = [sys.executable, "-m", "services.cli"]
ALL_SCOPES = "signals:write,cases:read,cases:write,ops:read,ops:write,reports:read,audit:read"


async def test_schemathesis_finds_no_server_error_and_no_answer_off_the_document(
    tmp_path: Path,
) -> None:
    env = {
        "VS_DATA_DIR": str(tmp_path / "var"),
        # One key makes every request; the limit itself is tested in test_rate_limits.py.
        "VS_RATE_LIMIT_PER_S": "100000",
        "VS_RATE_LIMIT_BURST": "100000",
    }
    created = subprocess.run(
        [*CLI, "keys", "create", "--source", "schemathesis", "--scopes", ALL_SCOPES],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    key = created.stdout.strip().splitlines()[-1]
    service = VroegsignaalProcess(["run", "--host", "127.0.0.1"], env, tmp_path / "run.log")
    await service.start()
    try:
        st = Path(sys.executable).with_name("st")
        auth = ["--header", f"Authorization: Bearer {key}"]
        result = subprocess.run(
            [str(st), "--config-file", str(CONFIG), "run", f"{service.url}/openapi.json", *auth],
            capture_output=True,
            text=True,
            timeout=240,
            cwd=tmp_path,  # whatever it writes stays out of the repository
        )
    finally:
        service.terminate()
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-2000:]
    assert "passed" in result.stdout and " failed" not in result.stdout.split("SUMMARY")[-1]
