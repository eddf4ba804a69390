"""A notifier on the embedded default for tests, and the case events triage would publish."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.channels.webhook import PayloadBuilder, WebhookChannel, WebhookSender
from notifier.domain.delivery import RetryPolicy
from notifier.repository import NotifierDatabase
from notifier.service import list_notifications
from notifier.workers import WebhookWorker
from services.notifier import start_notifier_workers
from services.runtime import Runtime, build_runtime
from services.schema import upgrade
from shared.bus import Record
from shared.case_document import CaseDocument
from shared.cloudevent import CloudEvent
from shared.crypto import PiiVault
from shared.events import CASES_TOPIC, TRIAGE_SOURCE, CaseChanged
from shared.settings import Settings
from shared.vocabulary import ChangeKind as CaseChange
from tests.receivers import Endpoint

FAST = RetryPolicy(base_delay=timedelta(milliseconds=5), max_delay=timedelta(milliseconds=40))

HOUSEHOLD: dict[str, Any] = {
    "address": {"postcode": "1402AB", "house_number": 12, "city": "Bussum"},
    "tenant_reference": "HUUR-000123",
    "contacts": [
        {
            "name": "J. de Vries",
            "phone": "+31612345678",
            "email": "j.devries@example.nl",
            "date_of_birth": "1988-04-01",
        }
    ],
    "minors": 2,
    "adults": 1,
}
PII = ("J. de Vries", "+31612345678", "j.devries@example.nl", "1988-04-01")


def webhook_worker(
    engine: AsyncEngine,
    transport: httpx.AsyncBaseTransport,
    endpoint: Endpoint,
    vault: PiiVault,
    settings: Settings,
    policy: RetryPolicy = FAST,
    *,
    concurrency: int = 8,
    attempt_timeout_s: float = 25.0,
    **options: Any,
) -> WebhookWorker:
    """A webhook worker posting full payloads to a test receiver's endpoint."""
    channel = WebhookChannel(
        WebhookSender(transport, endpoint.url, endpoint.secret, "/test"),
        PayloadBuilder(vault, "full", settings.public_base_url),
        concurrency=concurrency,
        attempt_timeout_s=attempt_timeout_s,
    )
    return WebhookWorker(NotifierDatabase(engine), channel, policy, **options)


@asynccontextmanager
async def notifier_running(
    settings: Settings, policy: RetryPolicy | None = FAST
) -> AsyncIterator[Runtime]:
    """The notifier's workers on a fresh runtime; stopped like a process shutting down."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade(settings.resolved_database_url)
    runtime = await build_runtime(settings)
    try:
        start_notifier_workers(runtime, policy)
        yield runtime
    finally:
        await runtime.close()


@dataclass(frozen=True)
class CaseEvent:
    event: CloudEvent
    change: CaseChanged

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def case_id(self) -> str:
        return self.change.case_id

    def record(self) -> Record:
        return Record.of(CASES_TOPIC, self.change.household_pseudonym, self.event)


def case_document(case_id: str, priority: str, team: str) -> CaseDocument:
    """A case as `GET /v1/cases/{id}` shows it, without the household."""
    return CaseDocument.model_validate(
        {
            "id": case_id,
            "status": "open",
            "risk_score": 85,
            "priority": priority,
            "reasons": [
                {"code": "EVICTION_ORDER", "points": 60, "text": "Eviction order issued"},
                {"code": "MINORS_PRESENT", "points": 25, "text": "Minors in the household"},
            ],
            "team": team,
            "respond_before": "2026-11-03T16:00:00+00:00",
            "policy_version": "2026.1",
            "opened_at": "2026-11-02T09:00:00+00:00",
            "signals": [
                {
                    "source": "corp",
                    "id": str(uuid4()),
                    "type": "eviction_order",
                    "occurred_at": "2026-11-02T09:00:00+00:00",
                    "details": {"judgment_date": "2026-10-30", "reason": "arrears"},
                }
            ],
            "contact_attempts": [],
            "outcome": None,
            "history": [],
        }
    )


def case_event(
    vault: PiiVault,
    change: CaseChange = "opened",
    priority: str = "high",
    team: str = "schuldhulp",
    *,
    case_id: str | None = None,
    household: str | None = None,
) -> CaseEvent:
    case_id = case_id or str(uuid4())
    changed = CaseChanged(
        change=change,
        case_id=case_id,
        household_pseudonym=household or vault.pseudonym(f"1402AB|{uuid4().int % 10_000 + 1}|"),
        case=case_document(case_id, priority, team),
        sealed_household=vault.seal(orjson.dumps(HOUSEHOLD)),
        signal_refs=[],
        signal_status="accepted",
    )
    event = CloudEvent(
        type=changed.event_type,
        source=TRIAGE_SOURCE,
        subject=case_id,
        data=changed.model_dump_json().encode(),
        time=datetime.now(UTC),
    )
    return CaseEvent(event, changed)


def case_story(
    vault: PiiVault, changes: tuple[CaseChange, ...] = ("opened", "updated", "closed")
) -> list[CaseEvent]:
    """Successive changes of one case, in the order triage would publish them."""
    case_id = str(uuid4())
    household = vault.pseudonym(f"1402AB|{uuid4().int % 10_000 + 1}|")
    return [case_event(vault, c, case_id=case_id, household=household) for c in changes]


async def publish(runtime: Runtime, *events: CaseEvent) -> None:
    await runtime.bus.publish([e.record() for e in events])


async def delivery_states(runtime: Runtime) -> dict[str, tuple[str, int]]:
    """notification id -> (status, attempts) of the latest thousand."""
    async with runtime.engine.connect() as conn:
        states = await list_notifications(conn, None, 1000)
    return {state.id: (state.status, state.attempts) for state in states}


async def eventually(check: Callable[[], Any], within: float = 10.0) -> None:
    """Retry an assertion (sync or async) until it holds or the deadline passes."""
    deadline = time.monotonic() + within
    while True:
        try:
            result = check()
            if inspect.isawaitable(result):
                await result
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.02)


async def settled(runtime: Runtime, ids: set[str]) -> dict[str, tuple[str, int]]:
    """Waits until none of `ids` is pending any more; returns every delivery's state."""
    states: dict[str, tuple[str, int]] = {}

    async def check() -> None:
        states.clear()
        states.update(await delivery_states(runtime))
        assert ids <= states.keys()
        assert all(states[i][0] != "pending" for i in ids)

    await eventually(check)
    return states
