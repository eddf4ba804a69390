"""`vroegsignaal run`: ingest, triage and notifier in one process on SQLite + the embedded log."""

from __future__ import annotations

import os
import sys

from fastapi import FastAPI

from services.processes import EMBEDDED
from services.runtime import Runtime
from shared.web.auth import SCOPES, create_key

DEV_SOURCE = "dev-corporation"


def create_embedded_app(runtime: Runtime) -> FastAPI:
    return EMBEDDED.app(runtime)


async def ensure_development_key(runtime: Runtime) -> str:
    """First start: a key with every scope, kept in VS_DATA_DIR/dev-api-key (README curl)."""
    path = runtime.settings.data_dir / "dev-api-key"
    if path.exists():
        return path.read_text().strip()
    async with runtime.engine.begin() as conn:
        _, key = await create_key(conn, DEV_SOURCE, set(SCOPES))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
    print(
        f"Created a development API key (all scopes, source {DEV_SOURCE!r}), kept in {path}:",
        file=sys.stdout,
    )
    print(f"  {key}", flush=True)
    return key
