"""Builds a process's FastAPI app from its routers; the lifespan starts its background workers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from services import ops
from services.runtime import Runtime
from shared.web import health
from shared.web.auth import KeyStore
from shared.web.deps import provide
from shared.web.limits import BodyLimits
from shared.web.openapi import document_webhooks, polished_openapi
from shared.web.pages.docs import install_docs
from shared.web.pages.messages import MESSAGES
from shared.web.pages.security import PageHeaders
from shared.web.pages.sessions import SessionStore
from shared.web.pages.signin import install_sign_in
from shared.web.pages.templating import Pages
from shared.web.problems import install_problem_handlers
from shared.web.rate_limit import RateLimiter

DESCRIPTION = """Vroegsignaal: housing corporations signal eviction risks (rent arrears, nuisance,
pollution, drugs, eviction orders) on the first day; the USD (Uitvoeringsdienst Sociaal Domein)
receives scored, routed cases with a deadline. Errors are RFC 9457 problem documents.

Authorize with an API key (`Authorization: Bearer <key>`); each operation names its scope."""
PAGE_PACKAGES: list[Callable[[Pages], None]] = [ops.register_pages]
"""The pages every process serves (CONTRACT §9); a service's own pages (the USD's, with
triage) come with its process (`page_packages`)."""


def create_app(
    runtime: Runtime,
    title: str,
    routers: Sequence[APIRouter],
    start_workers: Callable[[Runtime], None],
    extra_schemas: dict[str, Any] | None = None,
    resources: dict[str, Any] | None = None,
    page_packages: Sequence[Callable[[Pages], None]] = (),
) -> FastAPI:
    """`resources`: what the process's routes depend on besides the runtime's (by name)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        start_workers(runtime)
        try:
            yield
        finally:  # also when the body fails (a test): no workers outlive their app
            await runtime.close()

    app = FastAPI(
        title=title,
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # our own /docs: Swagger UI from this service, not a CDN
        redoc_url=None,
    )
    pages = Pages()
    pages.add("pages", "shared.web.pages", MESSAGES)
    for register in [*PAGE_PACKAGES, *page_packages]:
        register(pages)

    async def refresh_gauges() -> None:
        for refresh in runtime.gauges:
            await refresh()

    provide(
        app,
        runtime=runtime,
        engine=runtime.engine,
        bus=runtime.bus,
        vault=runtime.vault,
        wake_relay=runtime.relay.wake,
        key_store=KeyStore(runtime.engine),
        rate_limiter=RateLimiter(
            runtime.settings.rate_limit_per_s, runtime.settings.rate_limit_burst
        ),
        refresh_gauges=refresh_gauges,
        **(resources or {}),
        pages=pages,
        sessions=SessionStore(runtime.engine),
    )
    install_problem_handlers(app)
    install_sign_in(app)
    app.add_middleware(BodyLimits)
    app.add_middleware(PageHeaders)
    for router in routers:  # before health: routes are matched in order, the API is the hot path
        app.include_router(router)
    app.include_router(health.router)
    app.include_router(health.metrics_router(runtime.settings.metrics_require_key))
    install_docs(app, pages)
    pages.mount(app)
    document_webhooks(app)
    if extra_schemas:
        _add_schemas(app, extra_schemas)
    app.openapi = polished_openapi(app)  # type: ignore[method-assign]
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
