"""Dates must be plausible (CONTRACT §2): one that cannot be represented in UTC is a 422, never a
500, and one bad item of a batch never fails the others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.settings import Settings
from tests.harness import running
from tests.signals import rent_arrears

JSON = {"Content-Type": "application/json"}
UNREPRESENTABLE = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+00:01"]


@pytest.mark.parametrize(
    "occurred_at",
    [
        *UNREPRESENTABLE,
        "1999-12-31T23:59:59+00:00",
        (datetime.now(UTC) + timedelta(hours=25)).isoformat(),
    ],
)
async def test_an_implausible_occurred_at_is_422_naming_the_field(
    stack: Settings, unique: str, occurred_at: str
) -> None:
    async with running(stack) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        signal = {**rent_arrears(), "occurred_at": occurred_at}
        response = await vs.client.post("/v1/signals", json=signal, headers=auth)
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["occurred_at"]
        assert (await vs.client.get(f"/v1/signals/{signal['id']}", headers=auth)).status_code == 404


async def test_a_date_of_birth_in_the_future_is_422(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        signal = rent_arrears()
        tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
        signal["household"]["contacts"][0]["date_of_birth"] = tomorrow
        response = await vs.client.post("/v1/signals", json=signal, headers=auth)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [
            "household.contacts.0.date_of_birth"
        ]


async def test_one_unrepresentable_date_in_a_batch_fails_only_that_item(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        good = [rent_arrears() for _ in range(3)]
        bad = {**rent_arrears(), "occurred_at": UNREPRESENTABLE[0]}
        response = await vs.client.post(
            "/v1/signals/batch", json={"signals": [good[0], bad, *good[1:]]}, headers=auth
        )
        assert response.status_code == 200
        assert [r["status"] for r in response.json()["results"]] == [
            "accepted",
            "rejected",
            "accepted",
            "accepted",
        ]
