"""Triage of a whole batch in one transaction: what a worker fetched together stays consistent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import select

from shared.cloudevent import CloudEvent
from shared.events import SIGNAL_RECEIVED, CaseChanged, SignalReceived, signal_event_source
from shared.outbox import outbox
from shared.settings import Settings
from tests.harness import Harness, running
from triage.consumer import SignalTriage
from triage.domain.policy import default_policy_path, load_policy
from triage.tables import cases


def signal_event(vs: Harness, pseudonym: str, type_: str, details: dict[str, Any]) -> CloudEvent:
    household = orjson.dumps({"address": {"postcode": "1234AB", "house_number": 1}, "minors": 1})
    data = SignalReceived(
        signal_id=str(uuid.uuid4()),
        source="corp",
        type=type_,  # type: ignore[arg-type]
        occurred_at=datetime.now(UTC),
        received_at=datetime.now(UTC),
        household_pseudonym=pseudonym,
        minors=1,
        adults=1,
        details=details,
        contacts=0,
        sealed_household=vs.runtime.vault.seal(household),
    )
    return CloudEvent(
        type=SIGNAL_RECEIVED,
        source=signal_event_source("corp"),
        id=data.signal_id,
        data=data.model_dump_json().encode(),
    )


async def triage(vs: Harness, *events: CloudEvent) -> None:
    async with vs.runtime.engine.begin() as conn:
        await SignalTriage(load_policy(default_policy_path()), vs.runtime.vault)(conn, list(events))


async def case_changes(vs: Harness, pseudonym: str) -> list[CaseChanged]:
    async with vs.runtime.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(outbox.c.value).where(outbox.c.key == pseudonym).order_by(outbox.c.seq)
            )
        ).scalars()
        return [CaseChanged.model_validate_json(value) for value in rows]


async def test_resolution_and_a_new_problem_in_one_batch(stack: Settings) -> None:
    pseudonym = uuid.uuid4().hex
    async with running(stack, workers=False) as vs:
        await triage(vs, signal_event(vs, pseudonym, "rent_arrears", {"amount_eur": 900.0}))
        await triage(
            vs,
            signal_event(vs, pseudonym, "resolved", {"resolves": "rent_arrears", "reason": "paid"}),
            signal_event(vs, pseudonym, "nuisance", {"category": "noise", "severity": "high"}),
        )
        async with vs.runtime.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(cases.c.status, cases.c.outcome)
                    .where(cases.c.household_pseudonym == pseudonym)
                    .order_by(cases.c.opened_at)
                )
            ).all()
        assert [tuple(r) for r in rows] == [("closed", "resolved"), ("open", None)]
        changes = await case_changes(vs, pseudonym)
    assert [c.change for c in changes] == ["opened", "closed", "opened"]


async def test_each_event_carries_the_case_as_it_was_at_that_change(stack: Settings) -> None:
    pseudonym = uuid.uuid4().hex
    async with running(stack, workers=False) as vs:
        await triage(
            vs,
            signal_event(vs, pseudonym, "rent_arrears", {"amount_eur": 300.0}),
            signal_event(
                vs,
                pseudonym,
                "eviction_order",
                {"judgment_date": "2026-11-05", "reason": "arrears"},
            ),
        )
        opened, escalated = await case_changes(vs, pseudonym)
    assert (opened.change, escalated.change) == ("opened", "escalated")
    assert len(opened.case.signals) == 1 and len(escalated.case.signals) == 2
    assert opened.case.priority != "critical" and escalated.case.priority == "critical"
