"""The USD's work queue (CONTRACT §3): open cases by default, items a worker can choose from
without opening a case (no contact data), priority then deadline then the higher score first,
and cursors that cannot be crafted into a 500."""

from __future__ import annotations

import base64
from typing import Any

import orjson

from shared.settings import Settings
from tests.harness import Harness, running
from tests.integration.test_families import eviction_order
from tests.integration.test_triage_flow import case_of, whole_queue
from tests.signals import PII

JSON = {"Content-Type": "application/json"}
RANKS = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def crafted(parts: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(parts)).decode()


async def post_case(vs: Harness, signal: dict[str, Any], corp: dict[str, str]) -> dict[str, Any]:
    assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).status_code == 202
    return await case_of(vs, signal)


async def test_the_queue_shows_what_a_worker_needs_in_the_order_of_urgency(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        # Two critical families with the same deadline (opened the same day): the higher score
        # comes first, whatever their ids.
        lower = await post_case(vs, eviction_order(days_ahead=40, minors=1), corp)
        higher = await post_case(vs, eviction_order(days_ahead=5, minors=3), corp)
        assert (lower["priority"], higher["priority"]) == ("critical", "critical")
        assert lower["respond_before"] == higher["respond_before"]
        assert higher["risk_score"] > lower["risk_score"]
        closed = await post_case(vs, eviction_order(), corp)
        url = f"/v1/cases/{closed['id']}/outcome"
        await vs.client.post(url, json={"outcome": "not_reached"}, headers=usd)

        queue = await whole_queue(vs, usd, limit=2, team="crisis")  # no status: open
        ids = [c["id"] for c in queue]
        assert ids.index(higher["id"]) < ids.index(lower["id"])
        assert closed["id"] not in ids
        assert {c["status"] for c in queue} <= {"open", "contacted"}
        keys = [
            (RANKS[c["priority"]], c["respond_before"], -c["risk_score"], c["id"]) for c in queue
        ]
        assert keys == sorted(keys)
        assert closed["id"] in {c["id"] for c in await whole_queue(vs, usd, status="all")}
        assert closed["id"] in {c["id"] for c in await whole_queue(vs, usd, status="closed")}

        item = next(c for c in queue if c["id"] == higher["id"])
        assert item["signal_types"] == ["eviction_order"]
        assert (item["minors"], item["district"]) == (3, "1402")
        assert item["eviction_date"] == higher["eviction"]["eviction_date"]
        assert item["housing_plan"] is None
        assert "NO_HOUSING_PLAN" in {r["code"] for r in item["reasons"]}
        assert not any(value in str(queue) for value in PII)  # no contact data in the list

        plan = {"kind": "urgency"}
        await vs.client.post(f"/v1/cases/{higher['id']}/housing-plan", json=plan, headers=usd)
        queue = await whole_queue(vs, usd, team="crisis")
        assert next(c for c in queue if c["id"] == higher["id"])["housing_plan"] == "urgency"


async def test_a_malformed_or_crafted_cursor_is_422_never_500(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        usd = await vs.key(f"usd-{unique}", "cases:read")
        for cursor in [
            "nonsense",
            crafted([-3, "2026-11-11T17:00:00", 85, "c1"]),  # naive datetime
            crafted([-3, "9999-12-31T23:59:59-14:00", 85, "c1"]),  # overflows in UTC
            crafted([1e19, "2026-11-11T17:00:00+01:00", 85, "c1"]),  # rank 1e19
            base64.urlsafe_b64encode(
                b'[10000000000000000000, "2026-11-11T17:00Z", 1, "c"]'
            ).decode(),
            crafted([-3, "2026-11-11T17:00:00+01:00", 85]),  # wrong shape
            crafted({"rank": -3}),
            crafted([-3, "2026-11-11T17:00:00+01:00", 85, "c\x00"]),  # PostgreSQL: no NUL
        ]:
            response = await vs.client.get("/v1/cases", params={"cursor": cursor}, headers=usd)
            assert response.status_code == 422, cursor
            assert response.headers["content-type"] == "application/problem+json"
        for params in ({"team": "cri\x00sis"}, {"team": "x" * 10_000}):
            response = await vs.client.get("/v1/cases", params=params, headers=usd)
            assert response.status_code == 422, params
            assert response.headers["content-type"] == "application/problem+json"
