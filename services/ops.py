"""The ops console (CONTRACT §6): the `/ops` page, its live events and replay form, and the
`/v1/ops/summary` and `/v1/ops/stream` APIs for tools.

The page is rendered on the server from the same numbers as the summary; a small script adds
the live events. The reads across the services' tables live in `services.ops_data`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from notifier.repository import attempts_per_hour as attempts
from services.ops_data import MONTH, NotifierDeadLetters
from services.ops_report import monthly_charts
from services.runtime import Runtime
from shared.events import TOPICS
from shared.observability import CASES_OPEN, CONSUMER_LAG, OUTBOX_BACKLOG
from shared.ops import summary as s
from shared.ops.live import event_stream
from shared.ops.messages import MESSAGES
from shared.ops.view import Volumes, ops_view
from shared.ops.volumes import window_start
from shared.outbox import outbox_backlog
from shared.vocabulary import PRIORITIES, SIGNAL_TYPES
from shared.web.auth import OpsReader
from shared.web.deps import provided
from shared.web.pages.i18n import Translator
from shared.web.pages.sessions import Session
from shared.web.pages.signin import PagesDep, form_from, signed_in
from shared.web.pages.templating import PageLink, Pages
from shared.web.problems import Problem
from signal_ingest.repository import signal_counts, signals_per_hour
from triage.repository import case_counts

router = APIRouter(tags=["operations"])
RuntimeDep = Annotated[Runtime, Depends(provided("runtime"))]
OpsViewer = Annotated[Session, Depends(signed_in("ops:read"))]
OpsChanger = Annotated[Session, Depends(form_from("ops:write"))]
_PROBLEMS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (401, 403)}
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def register_pages(pages: Pages) -> None:
    pages.add("ops", "shared.ops", MESSAGES, PageLink("/ops", "ops.nav", "ops.blurb", "ops:read"))


async def summary_of(runtime: Runtime, now: datetime) -> s.Summary:
    async with runtime.engine.connect() as conn:
        volumes = s.signal_volumes(await signal_counts(conn, now))
        open_cases = s.open_cases(await case_counts(conn, now))
        backlog = await outbox_backlog(conn)
        dead = await NotifierDeadLetters(runtime.engine).latest(conn)
    return s.Summary(
        generated_at=now,
        signals=volumes,
        open_cases=open_cases,
        pipeline=s.Pipeline(
            outbox_backlog=backlog,
            consumers=await s.consumer_lags(runtime.processors),
            consumer_groups=await s.consumer_groups(runtime.bus),
        ),
        dead_letters=dead,
    )


@router.get(
    "/ops",
    response_class=HTMLResponse,
    summary="The ops console, a page for people (sign in at /signin with an ops:read key)",
)
async def ops_page(
    request: Request, pages: PagesDep, runtime: RuntimeDep, session: OpsViewer
) -> Response:
    now = datetime.now(UTC)
    summary = await summary_of(runtime, now)
    since = max(window_start(now), now - MONTH)
    async with runtime.engine.connect() as conn:
        volumes = Volumes(
            by_type=await signals_per_hour(conn, since, "type"),
            by_source=await signals_per_hour(conn, since, "source"),
            attempts=await attempts(conn, since),
        )
    t = pages.translator(request)
    return pages.render(
        request,
        "ops.html",
        session=session,
        view=ops_view(t, summary, volumes, now),
        report_charts=await monthly_charts(runtime.engine, t, now),
        can_replay="ops:write" in session.principal.scopes,
        flash=_flash(request, t),
        live_labels=_live_labels(t),
    )


def _flash(request: Request, t: Translator) -> dict[str, Any] | None:
    for key, alert in (("replayed", False), ("replay_missing", True)):
        value = request.query_params.get(key)
        if value:
            return {"text": t(f"ops.{key}", id=value[:8]), "alert": alert}
    return None


def _live_labels(t: Translator) -> dict[str, Any]:
    states = ("waiting", "connecting", "reconnecting", "unavailable", "signed_out")
    kinds = ("signal.received", "case.opened", "case.updated", "case.escalated", "case.closed")
    return {
        "status": {"live": t("ops.live.on"), **{k: t(f"ops.live.{k}") for k in states}},
        "types": {k: t(f"event.{k}") for k in kinds},
        "signal_types": {k: t(f"type.{k}") for k in SIGNAL_TYPES},
        "priorities": {k: t(f"priority.{k}") for k in PRIORITIES},
        "household": t("ops.household"),
        "pause": t("ops.live.pause"),
        "resume": t("ops.live.resume"),
    }


@router.get("/ops/events", include_in_schema=False)
async def ops_events(runtime: RuntimeDep, _: OpsViewer) -> StreamingResponse:
    """The live events for the page, authorised by its session (EventSource sends no header)."""
    return StreamingResponse(
        event_stream(runtime.bus, TOPICS, runtime.stop),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
    )


@router.post("/ops/dead-letters/{notification_id}/replay", include_in_schema=False)
async def replay_from_page(notification_id: str, runtime: RuntimeDep, _: OpsChanger) -> Response:
    """The console's replay button: an `ops:write` session, same origin, CSRF token."""
    replayed = await NotifierDeadLetters(runtime.engine).replay(notification_id)
    outcome = "replayed" if replayed else "replay_missing"
    return RedirectResponse(f"/ops?{outcome}={notification_id[:100]}#dead-letters", 303)


@router.get(
    "/v1/ops/summary",
    response_model=s.Summary,
    responses=_PROBLEMS,
    summary="Volumes, open cases, backlog, consumer lag and dead letters",
)
async def ops_summary(runtime: RuntimeDep, _: OpsReader) -> s.Summary:
    return await summary_of(runtime, datetime.now(UTC))


@router.get(
    "/v1/ops/stream",
    response_class=StreamingResponse,
    responses={
        **_PROBLEMS,
        200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"},
    },
    summary="Live events on the signals and cases topics, pseudonymised",
)
async def ops_stream(runtime: RuntimeDep, _: OpsReader) -> StreamingResponse:
    """One `data:` line per record: `{"topic", "type", "time", "key", "source", "subject",
    "signal_type", "priority"}` with the household pseudonym cut to 12 characters; never the
    payload. `: keep-alive` comments every 15 s; the stream ends after a minute or at shutdown,
    so reconnect when it does."""
    return StreamingResponse(
        event_stream(runtime.bus, TOPICS, runtime.stop),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
    )


async def refresh_gauges(runtime: Runtime) -> None:
    """Sets the pipeline gauges from the same queries as the console, on each `/metrics` scrape."""
    async with runtime.engine.connect() as conn:
        OUTBOX_BACKLOG.set(await outbox_backlog(conn))
        for priority, open_count, *_ in await case_counts(conn, datetime.now(UTC)):
            CASES_OPEN.labels(priority=priority).set(open_count)
    for lag in await s.consumer_lags(runtime.processors):
        if lag.lag is not None:
            CONSUMER_LAG.labels(consumer=lag.name).set(lag.lag)
