"""An in-process Vroegsignaal for tests: real database and bus, HTTP over ASGI, workers running."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from services.embedded import create_embedded_app
from services.runtime import Runtime, build_runtime
from services.schema import upgrade
from shared.settings import Settings
from shared.web.auth import create_key


@dataclass
class Harness:
    runtime: Runtime
    app: FastAPI
    client: httpx.AsyncClient

    async def key(self, source: str, scopes: str) -> dict[str, str]:
        """Authorization header of a new key for `source` with comma-separated `scopes`."""
        async with self.runtime.engine.begin() as conn:
            _, key = await create_key(conn, source, set(scopes.split(",")))
        return {"Authorization": f"Bearer {key}"}


@asynccontextmanager
async def running(
    settings: Settings,
    create: Callable[[Runtime], FastAPI] = create_embedded_app,
    workers: bool = True,
) -> AsyncIterator[Harness]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade(settings.resolved_database_url)
    runtime = await build_runtime(settings)
    app = create(runtime)
    try:
        async with app.router.lifespan_context(app) if workers else _nothing():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://vs.test") as client:
                yield Harness(runtime, app, client)
    finally:
        if not workers:
            await runtime.close()


@asynccontextmanager
async def _nothing() -> AsyncIterator[None]:
    yield
