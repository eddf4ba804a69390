"""In-memory stand-ins for the notifier's database, its USD webhook and its SMTP relay."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import orjson
from standardwebhooks import Webhook

from notifier.domain.delivery import AttemptResult, Delivery, DeliveryStatus, new_delivery
from notifier.domain.notification import StoredNotification
from shared.crypto import PiiVault, generate_pii_key

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
VAULT = PiiVault(generate_pii_key())
HOUSEHOLD = {"contacts": [{"name": "J. de Vries", "phone": "+31612345678"}], "minors": 2}


def stored_notification(change: str = "opened", case_id: str | None = None) -> StoredNotification:
    case_id = case_id or str(uuid4())
    return StoredNotification(
        id=str(uuid4()),
        event_type=f"nl.vroegsignaal.case.{change}",
        subject=case_id,
        time=START,
        case_document=json.dumps({"id": case_id, "priority": "high"}),
        sealed_household=VAULT.seal(orjson.dumps(HOUSEHOLD)),
        created_at=START,
    )


class FakeDatabase:
    """The repository as the delivery rounds use it; every transaction is this one object."""

    def __init__(self, *stored: StoredNotification, messages: dict[str, str] | None = None):
        self.stored = {n.id: n for n in stored}
        self.messages = messages or {}
        ids = self.messages or self.stored
        self.states: dict[str, Delivery] = {i: new_delivery(i, START) for i in ids}
        self.attempts: list[tuple[Delivery, AttemptResult]] = []
        self.disabled: set[str] = set()
        self.contact_data_sent: list[str] = []

    def add(self, note: StoredNotification) -> None:
        self.stored[note.id], self.states[note.id] = note, new_delivery(note.id, START)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeDatabase]:
        yield self

    async def claim_due(self, channel, now, limit, lease, *, unless_disabled=None):
        if unless_disabled in self.disabled:
            return []
        due = [d for d in self.pending() if d.next_attempt_at <= now][:limit]
        self.states |= {d.notification_id: replace(d, next_attempt_at=now + lease) for d in due}
        return [self.states[d.notification_id] for d in due]

    def pending(self) -> list[Delivery]:
        return [d for d in self.states.values() if d.status is DeliveryStatus.PENDING]

    async def next_due(self, channel):
        return min((d.next_attempt_at for d in self.pending()), default=None)

    async def notifications(self, ids):
        return {i: self.stored[i] for i in ids}

    async def team_email_messages(self, ids):
        return {i: self.messages[i] for i in ids}

    async def save_states(self, channel, states, now):
        self.states |= {d.notification_id: d for d, _ in states}

    async def add_attempts(self, attempts, now):
        self.attempts.extend(attempts)

    async def is_endpoint_disabled(self, endpoint):
        return endpoint in self.disabled

    async def disable_endpoint(self, endpoint, now, reason):
        self.disabled.add(endpoint)

    async def audit_contact_data_sent(self, sent):
        self.contact_data_sent += [n.id for n in sent]


@dataclass
class FakeUsd:
    """The USD's webhook endpoint on `httpx.MockTransport`: verifies each request's signature
    with `standardwebhooks`, records it and answers from a script."""

    secret: str
    replies: list[httpx.Response] = field(default_factory=list)
    then: Callable[[], httpx.Response] = lambda: httpx.Response(200)
    received: list[tuple[httpx.Request, dict[str, Any]]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        event = Webhook(self.secret).verify(request.content, dict(request.headers))
        self.received.append((request, event))
        return self.replies.pop(0) if self.replies else self.then()


class TopOfRange:
    """Jitter that always picks the top of its range, so every back-off is its full cap."""

    def uniform(self, a: float, b: float) -> float:
        return b


class Clock:
    """Time that moves only when a test moves it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
