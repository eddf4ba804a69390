"""`/healthz`, `/readyz` and `/metrics` on every process (CONTRACT §6)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from shared.asyncapi import asyncapi_document
from shared.web.auth import require
from shared.web.deps import BusDep, EngineDep, provided
from shared.web.problems import json_response

router = APIRouter(tags=["operations"])
RefreshGaugesDep = Annotated[Callable[[], Awaitable[None]], Depends(provided("refresh_gauges"))]


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Database and bus are reachable",
    responses={503: {"description": "Something this process needs is down"}},
)
async def readyz(engine: EngineDep, bus: BusDep) -> Response:
    checks: dict[str, Any] = {}
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "up"
    except Exception as exc:
        checks["database"] = f"down: {type(exc).__name__}"
    checks["bus"] = "up" if await bus.is_ready() else "down"
    ready = all(value == "up" for value in checks.values())
    return json_response(
        {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
    )


@router.get("/asyncapi.json", summary="AsyncAPI 3 document of the event stream")
async def asyncapi() -> dict[str, Any]:
    return asyncapi_document()


def metrics_router(protected: bool) -> APIRouter:
    """`/metrics` names corporations (sources) in its labels, never households: public by default
    so any Prometheus can scrape it; `VS_METRICS_REQUIRE_KEY=true` puts it behind `ops:read`."""
    guard = [Depends(require("ops:read"))] if protected else []
    metrics_routes = APIRouter(tags=["operations"], dependencies=guard)

    @metrics_routes.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics(refresh_gauges: RefreshGaugesDep) -> Response:
        await refresh_gauges()
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return metrics_routes
