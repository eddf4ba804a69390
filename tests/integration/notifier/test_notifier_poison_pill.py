"""A case change the notifier cannot handle (Found 2 of issue 9) is parked with its reason at once,
and never stops the notifications behind it, also after a restart. (A payload that fails later,
in the delivery round, is a dead letter at once: tests/unit/notifier.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from shared.case_document import ContactAttemptRecord
from shared.crypto import PiiVault
from shared.events import CaseChanged
from shared.parking import list_parked
from tests.conftest import SettingsFactory
from tests.integration.notifier.notifier_env import (
    CaseEvent,
    case_event,
    eventually,
    notifier_running,
    publish,
    settled,
)

BEYOND_UTC = datetime.fromisoformat("9999-12-31T23:59:59-14:00")
"""A contact attempt's `at` that triage accepted with 201 (Found 2): it exists with its offset,
not in UTC."""


def poisoned(vault: PiiVault) -> CaseEvent:
    """An `updated` change carrying a contact attempt at BEYOND_UTC, as triage published it."""
    plain = case_event(vault, "updated")
    attempt = ContactAttemptRecord(channel="phone", reached=False, at=BEYOND_UTC)
    case = plain.change.case.model_copy(update={"contact_attempts": [attempt]})
    change = plain.change.model_copy(update={"case": case})
    event = replace(plain.event, time=BEYOND_UTC, data=change.model_dump_json().encode())
    return CaseEvent(event, CaseChanged.model_validate_json(event.data))


async def test_a_poison_pill_is_a_dead_letter_and_what_follows_is_delivered(
    make_settings: SettingsFactory, webhook_receiver: Any, reply: Any
) -> None:
    endpoint = webhook_receiver.endpoint(then=reply(200))
    settings = make_settings(usd_webhook_url=endpoint.url, usd_webhook_secret=endpoint.secret)
    async with notifier_running(settings) as runtime:
        poison, behind = poisoned(runtime.vault), case_event(runtime.vault)
        await publish(runtime, poison, behind)
        states = await settled(runtime, {behind.id})
        async with runtime.engine.connect() as conn:
            parked = await list_parked(conn)

    assert states[behind.id] == ("delivered", 1) and poison.id not in states
    assert [p.reason for p in parked if p.consumer == "notifier"][:1] == [
        "unreadable event: time not representable in UTC"
    ]
    assert [r.headers["webhook-id"] for r in endpoint.received] == [behind.id]

    async with notifier_running(settings) as restarted:
        after_restart = case_event(restarted.vault)
        await publish(restarted, after_restart)
        await settled(restarted, {after_restart.id})

        def delivered_once() -> None:
            ids = [r.headers["webhook-id"] for r in endpoint.received]
            assert ids == [behind.id, after_restart.id]

        await eventually(delivered_once)
