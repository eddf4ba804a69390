"""What corporations see and change (CONTRACT §2, §3): a resolved resolves only what the same
corporation signalled, and a case closed as a repeated signal reads not_picked_up (DDAS)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.settings import Settings
from tests.e2e.process import eventually
from tests.harness import Harness, running
from tests.integration.test_triage_flow import case_of
from tests.signals import rent_arrears

JSON = {"Content-Type": "application/json"}


def nuisance() -> dict[str, Any]:
    signal = rent_arrears(minors=0)
    signal.update(type="nuisance", details={"category": "noise", "severity": "high"})
    return signal


def resolving(signal: dict[str, Any], resolves: str) -> dict[str, Any]:
    resolution = copy.deepcopy(signal)
    resolution.update(
        id=signal["id"][:-4] + "ffff",
        type="resolved",
        occurred_at=(datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
        details={"resolves": resolves, "reason": "other"},
    )
    return resolution


async def status_of(vs: Harness, signal: dict[str, Any], corp: dict[str, str]) -> str:
    response = await vs.client.get(f"/v1/signals/{signal['id']}", headers=corp)
    return str(response.json()["status"])


async def test_another_corporation_cannot_resolve_a_signal(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        corp_a = {**JSON, **await vs.key(f"corp-a-{unique}", "signals:write")}
        corp_b = {**JSON, **await vs.key(f"corp-b-{unique}", "signals:write")}
        signal = nuisance()
        assert (await vs.client.post("/v1/signals", json=signal, headers=corp_a)).status_code == 202
        case = await case_of(vs, signal)
        other = resolving(signal, "nuisance")
        assert (await vs.client.post("/v1/signals", json=other, headers=corp_b)).status_code == 202

        async def resolution_seen() -> dict[str, Any] | None:
            shown = await case_of(vs, signal)
            return shown if shown["signals_total"] == 2 else None

        shown = await eventually(resolution_seen, 30)
        assert (shown["id"], shown["status"]) == (case["id"], "open")
        assert "resolution_ignored" in [h["kind"] for h in shown["history"]]
        assert await status_of(vs, signal, corp_a) == "accepted"

        own = resolving(signal, "nuisance")
        own["id"] = signal["id"][:-4] + "eeee"
        assert (await vs.client.post("/v1/signals", json=own, headers=corp_a)).status_code == 202

        async def closed() -> dict[str, Any] | None:
            shown = await case_of(vs, signal)
            return shown if shown["status"] == "closed" else None

        assert (await eventually(closed, 30))["outcome"] == "resolved"


async def test_a_case_closed_as_a_repeated_signal_reads_not_picked_up(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        signal = nuisance()
        assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).status_code == 202
        case = await case_of(vs, signal)
        body = {"outcome": "repeated_signal"}
        response = await vs.client.post(f"/v1/cases/{case['id']}/outcome", json=body, headers=usd)
        assert response.status_code == 200

        async def fed_back() -> str | None:
            status = await status_of(vs, signal, corp)
            return status if status != "accepted" else None

        assert await eventually(fed_back, 30) == "not_picked_up"
