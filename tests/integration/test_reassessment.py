"""Time counts (CONTRACT §3 property 10, §8) on a real database: the re-assessment worker looks
at every open case at start-up and then as time passes; a family without a housing plan is
escalated once when its plan falls due, and each assessment is kept with its time."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

import services.triage
from shared.events import CASES_TOPIC, CaseChanged
from shared.settings import Settings
from tests.e2e.process import eventually
from tests.harness import Harness, running
from tests.integration.test_families import eviction_order
from tests.integration.test_triage_flow import case_of
from triage.domain.deadlines import AMSTERDAM, subtract_working_days
from triage.domain.decisions import replay
from triage.domain.policy import default_policy_path, load_policy
from triage.repository import transactions
from triage.tables import case_decisions
from triage.watch_service import reassess_open_cases
from triage.workers import REASSESS_EVERY_S, reassess_over_time

JSON = {"Content-Type": "application/json"}
POLICY = load_policy(default_policy_path())


class Announcements:
    """What triage published on the case stream, read as a consumer of its own would.

    Not the outbox: the relay deletes its rows once they are on the stream, so a look there
    races the relay (and lost, on a loaded CI machine)."""

    def __init__(self, vs: Harness, group: str) -> None:
        self._consumer = vs.runtime.bus.consumer(group, [CASES_TOPIC])
        self._seen: list[CaseChanged] = []

    async def __aenter__(self) -> Announcements:
        await self._consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._consumer.stop()

    async def of(self, case_id: str) -> list[CaseChanged]:
        while records := await self._consumer.fetch(500, 0.2):
            self._seen += [CaseChanged.model_validate_json(r.value) for r in records]
        return [c for c in self._seen if c.case_id == case_id]


def plan_due(case: dict[str, Any]) -> datetime:
    """09:00 in Amsterdam on the day the case's housing plan falls due (10 working days)."""
    eviction_on = datetime.fromisoformat(case["eviction"]["eviction_date"]).date()
    return datetime.combine(subtract_working_days(eviction_on, 10), time(9), tzinfo=AMSTERDAM)


async def test_the_worker_escalates_a_family_without_a_plan_once_when_it_falls_due(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        signal = eviction_order(days_ahead=25)
        assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).status_code == 202
        case = await case_of(vs, signal)
        due = plan_due(case)

        stop = asyncio.Event()
        worker = asyncio.create_task(
            reassess_over_time(vs.runtime.engine, POLICY, stop, lambda: None, clock=lambda: due)
        )

        async with Announcements(vs, f"test-{unique}") as announced:

            async def escalated() -> list[CaseChanged] | None:
                found = [c for c in await announced.of(case["id"]) if c.change == "escalated"]
                return found or None

            (escalation,) = await eventually(escalated, 20)  # at start-up, not an hour later
            stop.set()
            await worker
            assert escalation.case.assessed_at == due
            assert escalation.case.eviction is not None
            eviction_on = datetime.fromisoformat(case["eviction"]["eviction_date"]).date()
            assert escalation.case.eviction.days_left == (eviction_on - due.date()).days
            assert "NO_HOUSING_PLAN" in {r.code for r in escalation.case.reasons}

            begin = transactions(vs.runtime.engine)
            await reassess_open_cases(begin, POLICY, due + timedelta(hours=1))
            await asyncio.sleep(1)  # the relay polls every 0.5 s: a second escalation would be out
            changes = [c.change for c in await announced.of(case["id"])]
            assert changes.count("escalated") == 1

        async with vs.runtime.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(case_decisions)
                    .where(case_decisions.c.case_id == case["id"])
                    .order_by(case_decisions.c.id)
                )
            ).all()
        assert rows[0].cause == "opened"
        assert rows[-1].at == due
        async with begin() as cases:
            decisions = await cases.decisions_of(case["id"])
        assert all(replay(POLICY, d.inputs) == d.assessment for d in decisions)
        assert decisions[-1].assessment.score == escalation.case.risk_score


async def test_the_triage_process_re_assesses_open_cases_at_start_up_and_at_least_hourly(
    stack: Settings, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wiring: starting triage starts the re-assessment worker (its clock set to the day the
    plan falls due), which escalates at once; its interval is at most an hour."""
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        signal = eviction_order(days_ahead=25)
        assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).status_code == 202
        case = await case_of(vs, signal)
    due = plan_due(case)
    started: list[float] = []

    def at_due(*args: Any, **kwargs: Any) -> Any:
        started.append(kwargs.get("every_s", REASSESS_EVERY_S))
        return reassess_over_time(*args, **{**kwargs, "clock": lambda: due})

    monkeypatch.setattr(services.triage, "reassess_over_time", at_due)
    async with running(stack) as vs, Announcements(vs, f"test-{unique}") as announced:

        async def escalated() -> list[CaseChanged] | None:
            found = [c for c in await announced.of(case["id"]) if c.change == "escalated"]
            return found or None

        (escalation,) = await eventually(escalated, 20)
    assert escalation.case.assessed_at == due
    assert started and all(0 < every <= 3600 for every in started)
