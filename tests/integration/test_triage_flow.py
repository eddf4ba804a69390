"""The sample month as the USD experiences it: cases scored, routed, worked and closed.

Runs on the embedded default and on PostgreSQL + Kafka. Each test moves the sample households to
addresses of its own, so runs never share a case.
"""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select

from shared.settings import Settings
from tests.e2e.process import eventually
from tests.harness import Harness, running
from tests.signals import SAMPLE_MONTH
from triage.tables import cases

JSON = {"Content-Type": "application/json"}


def relocated_month() -> list[dict[str, Any]]:
    """The sample month with each household moved to a fresh house number (same postcode)."""
    moved: dict[tuple[str, int], int] = {}
    month = copy.deepcopy(SAMPLE_MONTH)
    for signal in month:
        address = signal["household"]["address"]
        key = (address["postcode"], address["house_number"])
        moved.setdefault(key, random.randint(1000, 99_999))
        address["house_number"] = moved[key]
    return month


def identity(signal: dict[str, Any]) -> str:
    a = signal["household"]["address"]
    addition = (a.get("house_number_addition") or "").upper()
    return f"{a['postcode'].replace(' ', '')}|{a['house_number']}|{addition}"


async def case_of(vs: Harness, signal: dict[str, Any]) -> dict[str, Any]:
    """The household's latest case as the USD API shows it, once triage has made it."""
    pseudonym = vs.runtime.vault.pseudonym(identity(signal))
    usd = await vs.key("usd-tests", "cases:read")

    async def lookup() -> str | None:
        async with vs.runtime.engine.connect() as conn:
            return await conn.scalar(
                select(cases.c.case_id)
                .where(cases.c.household_pseudonym == pseudonym)
                .order_by(cases.c.opened_at.desc())
            )

    case_id = await eventually(lookup, 30)
    response = await vs.client.get(f"/v1/cases/{case_id}", headers=usd)
    assert response.status_code == 200
    return response.json()


async def settled(vs: Harness, signal: dict[str, Any], signals_in_case: int) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        case = await case_of(vs, signal)
        return case if len(case["signals"]) >= signals_in_case else None

    return await eventually(check, 30)


async def whole_queue(
    vs: Harness, auth: dict[str, str], limit: int = 200, **filters: str
) -> list[dict[str, Any]]:
    """Every case in the USD's queue for these filters, following the cursor."""
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit, **filters}
    while True:
        page = (await vs.client.get("/v1/cases", params=params, headers=auth)).json()
        seen += page["items"]
        if not page["next_cursor"]:
            return seen
        params["cursor"] = page["next_cursor"]


async def post_month(vs: Harness, auth: dict[str, str]) -> list[dict[str, Any]]:
    month = relocated_month()
    response = await vs.client.post("/v1/signals/batch", json={"signals": month}, headers=auth)
    assert [r["status"] for r in response.json()["results"]] == ["accepted"] * len(month)
    return month


async def test_sample_month_gives_the_cases_a_usd_worker_expects(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        month = await post_month(vs, corp)
        de_vries, bakker, jansen, visser, smit, _, mulder = month[:7]

        # Two children and an eviction order: critical, the crisis team, the first working day.
        case = await settled(vs, de_vries, 3)
        assert (case["priority"], case["team"]) == ("critical", "crisis")
        assert "EVICTION_WITH_MINORS" in {r["code"] for r in case["reasons"]}
        assert sum(r["points"] for r in case["reasons"]) == case["risk_score"]
        assert case["household"]["contacts"][0]["name"] == "J. de Vries"
        assert case["policy_version"] == "2026.3"

        # Arrears settled with a payment arrangement: the case closes as resolved.
        case = await settled(vs, bakker, 2)
        assert (case["status"], case["outcome"]) == ("closed", "resolved")

        # Minors unknown is said so, and never counts as zero.
        case = await settled(vs, jansen, 1)
        assert "MINORS_UNKNOWN" in {r["code"] for r in case["reasons"]}
        assert case["team"] == "wijkteam"

        # Pollution with a child; drugs at the Wet Damocles warning stage with three children is
        # critical for the crisis team (CONTRACT §3 property 9).
        assert (await settled(vs, visser, 1))["team"] == "wijkteam"
        case = await settled(vs, smit, 1)
        assert (case["priority"], case["team"]) == ("critical", "crisis")

        # No children, but an eviction order and then the eviction itself: crisis, critical.
        case = await settled(vs, mulder, 2)
        assert (case["priority"], case["team"]) == ("critical", "crisis")


async def test_usd_works_a_case_and_the_corporation_sees_only_picked_up(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        month = await post_month(vs, corp)
        smit = month[4]
        case = await settled(vs, smit, 1)
        assert (await vs.client.get("/v1/cases", headers=corp)).status_code == 403

        queue = await whole_queue(vs, usd, status="open", priority="critical")
        assert case["id"] in {c["id"] for c in queue}
        assert {c["priority"] for c in queue} == {"critical"}
        assert "household" not in queue[0]

        attempt = {"channel": "home_visit", "reached": True, "at": datetime.now(UTC).isoformat()}
        response = await vs.client.post(
            f"/v1/cases/{case['id']}/contact-attempts", json=attempt, headers=usd
        )
        assert response.status_code == 201
        assert response.json()["status"] == "contacted"
        closed = await vs.client.post(
            f"/v1/cases/{case['id']}/outcome", json={"outcome": "help_accepted"}, headers=usd
        )
        assert closed.json()["status"] == "closed"
        again = await vs.client.post(
            f"/v1/cases/{case['id']}/outcome", json={"outcome": "help_declined"}, headers=usd
        )
        assert again.status_code == 409

        async def corporation_view() -> dict[str, Any] | None:
            r = await vs.client.get(f"/v1/signals/{smit['id']}", headers=corp)
            return r.json() if r.json()["status"] == "picked_up" else None

        view = await eventually(corporation_view, 30)
        assert set(view) == {"id", "type", "received_at", "status"}

        # The audit log holds each showing of contact data and each piece of case work, by whom.
        dpo = await vs.key(f"dpo-{unique}", "audit:read")
        shown = await vs.client.get(f"/v1/cases/{case['id']}", headers=usd)
        assert shown.status_code == 200
        logged = await vs.client.get("/v1/audit", params={"case_id": case["id"]}, headers=dpo)
        entries = [(e["action"], e["actor"]["source"]) for e in logged.json()["items"]]
        assert entries[0] == ("contact_data.shown", "usd-tests")  # settled() read it
        assert entries[-3:] == [
            ("contact_attempt.recorded", f"usd-{unique}"),
            ("case.outcome_recorded", f"usd-{unique}"),
            ("contact_data.shown", f"usd-{unique}"),
        ]
        outcome = logged.json()["items"][-2]["details"]
        assert outcome == {"outcome": "help_accepted"}
        assert "J. de Vries" not in logged.text and "+316" not in logged.text


async def test_case_list_is_ordered_and_paginated(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = await vs.key(f"usd-{unique}", "cases:read")
        month = await post_month(vs, corp)
        await settled(vs, month[6], 2)
        seen = await whole_queue(vs, usd, limit=3, status="open", team="crisis")
        ranks = {"critical": 0, "high": 1, "medium": 2, "low": 3}
        keys = [(ranks[c["priority"]], c["respond_before"]) for c in seen]
        assert keys == sorted(keys)
        assert len({c["id"] for c in seen}) == len(seen)
        bad = await vs.client.get("/v1/cases", params={"cursor": "nonsense"}, headers=usd)
        assert bad.status_code == 422


async def test_unknown_case_is_404(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        usd = await vs.key(f"usd-{unique}", "cases:read")
        response = await vs.client.get("/v1/cases/nope", headers=usd)
        assert response.status_code == 404
        assert isinstance(response, httpx.Response)
