"""Builds a process's FastAPI app from its routers; the lifespan starts its background workers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from services.runtime import Runtime
from shared.web import health
from shared.web.auth import KeyStore
from shared.web.limits import BodyLimits
from shared.web.problems import install_problem_handlers

DESCRIPTION = """Vroegsignaal: housing corporations signal eviction risks (rent arrears, nuisance,
pollution, drugs, eviction orders) on the first day; the USD (Uitvoeringsdienst Sociaal Domein)
receives scored, routed cases with a deadline. Errors are RFC 9457 problem documents."""


def create_app(
    runtime: Runtime,
    title: str,
    routers: Sequence[APIRouter],
    start_workers: Callable[[Runtime], None],
    extra_schemas: dict[str, Any] | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        start_workers(runtime)
        yield
        await runtime.close()

    app = FastAPI(
        title=title,
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.engine = runtime.engine
    app.state.bus = runtime.bus
    app.state.vault = runtime.vault
    app.state.relay = runtime.relay
    app.state.runtime = runtime
    app.state.key_store = KeyStore(runtime.engine)

    async def refresh_gauges() -> None:
        for refresh in runtime.gauges:
            await refresh()

    app.state.refresh_gauges = refresh_gauges
    install_problem_handlers(app)
    app.add_middleware(BodyLimits)
    for router in routers:  # before health: routes are matched in order, the API is the hot path
        app.include_router(router)
    app.include_router(health.router)
    if extra_schemas:
        _add_schemas(app, extra_schemas)
    return app


def _add_schemas(app: FastAPI, schemas: dict[str, Any]) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = original()
            spec.setdefault("components", {}).setdefault("schemas", {}).update(schemas)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
