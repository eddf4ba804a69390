"""The ops console (CONTRACT §6): `GET /ops`, its summary and its live event stream.

This is the one place that reads across the services' tables, for counts only: the composition
root may know every service, `shared/ops` stays generic.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.schemas import dead_letter_out
from notifier.service import any_endpoint_disabled, count_dead_letters, dead_letters
from services.runtime import Runtime
from shared.events import TOPICS
from shared.observability import CASES_OPEN, CONSUMER_LAG, OUTBOX_BACKLOG
from shared.ops import summary as s
from shared.ops.live import event_stream
from shared.ops.page import console_page
from shared.outbox import outbox_backlog
from shared.web.auth import OpsReader
from shared.web.problems import Problem
from signal_ingest.tables import signals
from triage.tables import cases

router = APIRouter(tags=["operations"])
DAY, MONTH = timedelta(days=1), timedelta(days=30)
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}} for code in (401, 403)
}


@router.get("/ops", response_class=HTMLResponse, summary="The ops console (a page, no data)")
async def ops_page() -> HTMLResponse:
    """The console shell: HTML, CSS and script only, so it is served without a key.

    Every number and event on it comes from `/v1/ops/summary` and `/v1/ops/stream`, which need
    an `ops:read` key. The page asks for that key, keeps it in sessionStorage and sends it as
    `Authorization: Bearer`; `#key=...` in the URL prefills it (fragments never reach a server).
    """
    html, headers = console_page()
    return HTMLResponse(html, headers=headers)


@router.get(
    "/v1/ops/summary",
    response_model=s.Summary,
    responses=_PROBLEMS,
    summary="Volumes, open cases, backlog, consumer lag and dead letters",
)
async def ops_summary(request: Request, _: OpsReader) -> s.Summary:
    runtime: Runtime = request.app.state.runtime
    now = datetime.now(UTC)
    async with runtime.engine.connect() as conn:
        volumes = s.signal_volumes(await _signal_counts(conn, now))
        open_cases = s.open_cases(await _case_counts(conn, now))
        backlog = await outbox_backlog(conn)
        dead = await _dead_letters(conn)
    return s.Summary(
        generated_at=now,
        signals=volumes,
        open_cases=open_cases,
        pipeline=s.Pipeline(
            outbox_backlog=backlog, consumers=await s.consumer_lags(runtime.processors)
        ),
        dead_letters=dead,
    )


@router.get(
    "/v1/ops/stream",
    response_class=StreamingResponse,
    responses={
        **_PROBLEMS,
        200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"},
    },
    summary="Live events on the signals and cases topics, pseudonymised",
)
async def ops_stream(request: Request, _: OpsReader) -> StreamingResponse:
    """One `data:` line per record: `{"topic", "type", "time", "key", "source", "subject"}` with
    the household pseudonym cut to 12 characters; never the payload. `: keep-alive` comments
    every 15 s; the stream ends after a minute or at shutdown, so reconnect when it does."""
    runtime: Runtime = request.app.state.runtime
    return StreamingResponse(
        event_stream(runtime.bus, TOPICS, runtime.stop),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def _signal_counts(
    conn: AsyncConnection, now: datetime
) -> list[tuple[str, str, str, int, int]]:
    c = signals.c
    rows = await conn.execute(
        select(c.source, c.type, c.status, func.count(), _count_if(c.received_at >= now - DAY))
        .where(c.received_at >= now - MONTH)
        .group_by(c.source, c.type, c.status)
    )
    return [tuple(row) for row in rows.all()]


async def _case_counts(
    conn: AsyncConnection, now: datetime
) -> list[tuple[str, int, int, int, int]]:
    c = cases.c
    today_ends, week_ends = s.deadline_bounds(now)
    rows = await conn.execute(
        select(
            c.priority,
            func.count(),
            _count_if(c.respond_before < now),
            _count_if(and_(c.respond_before >= now, c.respond_before < today_ends)),
            _count_if(and_(c.respond_before >= today_ends, c.respond_before < week_ends)),
        )
        .where(c.status != "closed")
        .group_by(c.priority)
    )
    return [tuple(row) for row in rows.all()]


async def _dead_letters(conn: AsyncConnection, latest: int = 20) -> s.DeadLetters:
    letters = await dead_letters(conn, latest, newest_first=True)
    return s.DeadLetters(
        count=await count_dead_letters(conn),
        latest=[dead_letter_out(x) for x in letters],
        webhook_endpoint_disabled=await any_endpoint_disabled(conn),
    )


async def refresh_gauges(runtime: Runtime) -> None:
    """Sets the pipeline gauges from the same queries as the console, on each `/metrics` scrape."""
    async with runtime.engine.connect() as conn:
        OUTBOX_BACKLOG.set(await outbox_backlog(conn))
        for priority, open_count, *_ in await _case_counts(conn, datetime.now(UTC)):
            CASES_OPEN.labels(priority=priority).set(open_count)
    for lag in await s.consumer_lags(runtime.processors):
        if lag.lag is not None:
            CONSUMER_LAG.labels(consumer=lag.name).set(lag.lag)
