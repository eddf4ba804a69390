"""`vroegsignaal run`: ingest, triage and notifier in one process on SQLite + the embedded log."""

from __future__ import annotations

import sys

from fastapi import FastAPI

from services.processes import EMBEDDED
from services.runtime import Runtime
from shared.files import write_private
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
    write_private(path, key + "\n")
    print(
        f"Created a development API key (all scopes, source {DEV_SOURCE!r}), kept in {path}:",
        file=sys.stdout,
    )
    print(f"  {key}", flush=True)
    return key
