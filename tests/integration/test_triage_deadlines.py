"""A deadline that passes without a contact attempt escalates the case once (CONTRACT §4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from shared.settings import Settings
from tests.harness import Harness, running
from tests.integration.test_triage_flow import case_of
from tests.signals import rent_arrears
from triage.repository import transactions
from triage.tables import cases
from triage.watch_service import escalate_overdue

JSON = {"Content-Type": "application/json"}


async def new_case(vs: Harness, auth: dict[str, str]) -> dict[str, Any]:
    signal = rent_arrears(minors=0)
    assert (await vs.client.post("/v1/signals", json=signal, headers=auth)).status_code == 202
    return await case_of(vs, signal)


async def history_kinds(vs: Harness, case_id: str) -> list[str]:
    async with vs.runtime.engine.connect() as conn:
        state = await conn.scalar(select(cases.c.state).where(cases.c.case_id == case_id))
    return [kind for _, kind, _ in state["history"]]


async def test_overdue_case_escalates_once_and_contacted_case_never(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        waiting, contacted = await new_case(vs, corp), await new_case(vs, corp)
        attempt = {"channel": "phone", "reached": False, "at": datetime.now(UTC).isoformat()}
        response = await vs.client.post(
            f"/v1/cases/{contacted['id']}/contact-attempts", json=attempt, headers=usd
        )
        assert response.status_code == 201

        # Both deadlines lie in the past now (as if the USD let them pass).
        async with vs.runtime.engine.begin() as conn:
            await conn.execute(
                update(cases)
                .where(cases.c.case_id.in_([waiting["id"], contacted["id"]]))
                .values(respond_before=datetime.now(UTC) - timedelta(hours=1))
            )
        begin = transactions(vs.runtime.engine)
        await escalate_overdue(begin, datetime.now(UTC), limit=10_000)
        await escalate_overdue(begin, datetime.now(UTC), limit=10_000)

        assert (await history_kinds(vs, waiting["id"])).count("deadline_passed") == 1
        assert "deadline_passed" not in await history_kinds(vs, contacted["id"])
