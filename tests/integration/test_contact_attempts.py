"""Contact attempts as the USD posts them: only ones that happened, each recorded once (§3)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from shared.settings import Settings
from tests.harness import running
from tests.integration.test_triage_deadlines import new_case

JSON = {"Content-Type": "application/json"}


async def test_an_attempt_ahead_of_the_clock_is_refused_and_the_deadline_still_watched(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        case = await new_case(vs, corp)
        url = f"/v1/cases/{case['id']}/contact-attempts"
        for at in (
            "2030-01-01T09:00:00+01:00",
            "9999-12-31T23:59:59-05:00",
            "2026-11-03T09:00",
            "1999-01-01T09:00:00+01:00",  # before the case was opened: no attempt on it
        ):
            attempt = {"channel": "phone", "reached": False, "at": at}
            response = await vs.client.post(url, json=attempt, headers=usd)
            assert response.status_code == 422, at
            assert [e["field"] for e in response.json()["errors"]] == ["at"]
        shown = (await vs.client.get(f"/v1/cases/{case['id']}", headers=usd)).json()
        assert (shown["status"], shown["contact_attempts"]) == ("open", [])

        soon = (datetime.now(UTC) + timedelta(minutes=3)).isoformat()
        attempt = {"channel": "phone", "reached": False, "at": soon}
        assert (await vs.client.post(url, json=attempt, headers=usd)).status_code == 201


async def test_an_attempt_posted_again_with_its_id_changes_nothing(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        case = await new_case(vs, corp)
        url = f"/v1/cases/{case['id']}/contact-attempts"
        attempt = {
            "id": str(uuid.uuid4()),
            "channel": "letter",
            "reached": False,
            "at": datetime.now(UTC).isoformat(),
        }
        first = await vs.client.post(url, json=attempt, headers=usd)
        again = await vs.client.post(url, json=attempt, headers=usd)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.headers["Idempotent-Replayed"] == "true"
        assert [a["id"] for a in again.json()["contact_attempts"]] == [attempt["id"]]
        other = await vs.client.post(url, json={**attempt, "reached": True}, headers=usd)
        assert other.status_code == 409
