"""Families first (CONTRACT §8), end to end: an eviction order for a family reaches the USD with
its countdown and NO_HOUSING_PLAN; a housing plan takes the reason away; every piece shows in
the webhook's case data as in GET /v1/cases/{id}. Embedded and PostgreSQL + Kafka."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.settings import Settings
from tests.conftest import SettingsFactory
from tests.e2e.process import eventually
from tests.harness import Harness, running
from tests.integration.test_end_to_end import with_webhook
from tests.integration.test_triage_flow import case_of
from tests.receivers import Received, WebhookReceiver
from tests.signals import rent_arrears
from triage.domain.deadlines import local_date

JSON = {"Content-Type": "application/json"}


def eviction_order(days_ahead: int = 20, minors: int | None = 2) -> dict[str, Any]:
    signal = rent_arrears(minors=minors)
    eviction_on = local_date(datetime.now(UTC)) + timedelta(days=days_ahead)  # the USD's today
    signal.update(
        type="eviction_order",
        occurred_at=datetime.now(UTC).isoformat(),
        details={
            "judgment_date": "2026-11-05",
            "eviction_date": eviction_on.isoformat(),
            "reason": "arrears",
        },
    )
    return signal


def codes(case: dict[str, Any]) -> set[str]:
    return {r["code"] for r in case["reasons"]}


async def post(vs: Harness, path: str, body: dict[str, Any], auth: dict[str, str]) -> Any:
    return await vs.client.post(path, json=body, headers=auth)


async def test_a_family_facing_eviction_gets_a_plan_and_the_usd_sees_all_of_it(
    stack: Settings,
    make_settings: SettingsFactory,
    webhook_receiver: WebhookReceiver,
    unique: str,
) -> None:
    endpoint = webhook_receiver.endpoint()
    settings = with_webhook(stack, make_settings, endpoint.url, endpoint.secret)
    async with running(settings) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        signal = eviction_order(days_ahead=20)
        assert (await post(vs, "/v1/signals", signal, corp)).status_code == 202
        case = await case_of(vs, signal)
        assert (case["priority"], case["team"]) == ("critical", "crisis")
        assert case["eviction"]["state"] == "ordered"
        assert case["eviction"]["days_left"] == 20
        assert case["eviction"]["eviction_date"] == signal["details"]["eviction_date"]
        assert "NO_HOUSING_PLAN" in codes(case)
        assert case["housing_plan"] is None
        assert case["district"] == "1402"
        assert case["household"]["contacts"][0]["source"] == f"corp-{unique}"

        plan = {"kind": "hov", "summary": "HOV, twee jaar", "starts_on": "2026-12-01"}
        response = await post(vs, f"/v1/cases/{case['id']}/housing-plan", plan, usd)
        assert response.status_code == 201
        after = response.json()
        assert after["housing_plan"]["kind"] == "hov"
        assert after["housing_plan"]["recorded_by"] == f"usd-{unique}"
        assert "NO_HOUSING_PLAN" not in codes(after)
        assert after["risk_score"] < case["risk_score"]
        assert "housing_plan" in [h["kind"] for h in after["history"]]

        stay = {"case_id": case["id"], "facility": "hotel", "unit": "room", "from": "2026-12-01"}
        booked = await post(vs, "/v1/shelter/bookings", stay, usd)  # no fixed capacity: shared
        assert booked.status_code == 201

        def with_plan(r: Received) -> bool:
            data = (r.event or {}).get("data", {})
            return data.get("id") == case["id"] and data.get("shelter_booking") is not None

        async def webhook() -> Received | None:
            return next((r for r in endpoint.received if with_plan(r)), None)

        data = ((await eventually(webhook, 30)).event or {})["data"]
    assert data["housing_plan"]["kind"] == "hov"  # a booking does not replace a plan
    assert data["shelter_booking"]["id"] == booked.json()["id"]
    assert (data["shelter_booking"]["facility"], data["shelter_booking"]["unit"]) == (
        "hotel",
        "room",
    )
    assert data["eviction"]["state"] == "ordered"
    assert data["eviction"]["days_left"] == case["eviction"]["days_left"]
    assert "NO_HOUSING_PLAN" not in codes(data)
    assert data["household"]["contacts"][0]["source"] == f"corp-{unique}"
    assert data["district"] == "1402"
    assert data["signals_total"] == 1


async def test_housing_plans_that_cannot_be_kept_are_refused(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        signal = eviction_order()
        assert (await post(vs, "/v1/signals", signal, corp)).status_code == 202
        case = await case_of(vs, signal)
        url = f"/v1/cases/{case['id']}/housing-plan"
        for body, field in [
            ({"kind": "tent"}, "kind"),
            ({"kind": "other", "summary": "bel haar op 06-12345678"}, "summary"),
            ({"kind": "other", "summary": "x" * 501}, "summary"),
            ({"kind": "other", "summary": "plan\x00"}, "summary"),  # PostgreSQL text: no NUL
            ({"kind": "other", "summary": "regel\x1b[2J"}, "summary"),
            ({"kind": "other", "starts_on": "soon"}, "starts_on"),
        ]:
            response = await post(vs, url, body, usd)
            assert response.status_code == 422, body
            assert [e["field"] for e in response.json()["errors"]] == [field]
        for unknown in ("nope", "no%00pe"):
            response = await post(vs, f"/v1/cases/{unknown}/housing-plan", {"kind": "hov"}, usd)
            assert response.status_code == 404, unknown
            assert (await vs.client.get(f"/v1/cases/{unknown}", headers=usd)).status_code == 404
            attempt = {"channel": "phone", "reached": False, "at": "2026-12-01T10:00:00Z"}
            response = await post(vs, f"/v1/cases/{unknown}/contact-attempts", attempt, usd)
            assert response.status_code == 404, unknown
        await post(vs, f"/v1/cases/{case['id']}/outcome", {"outcome": "help_accepted"}, usd)
        assert (await post(vs, url, {"kind": "hov"}, usd)).status_code == 409
        reader = {**JSON, **await vs.key(f"reader-{unique}", "cases:read")}
        assert (await post(vs, url, {"kind": "hov"}, reader)).status_code == 403


async def test_a_case_pages_through_its_signals_and_its_document_stays_bounded(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = await vs.key(f"usd-{unique}", "cases:read")
        first = rent_arrears(amount=100.0, minors=0)
        signals = [first]
        for i in range(1, 24):
            again = copy.deepcopy(first)
            again["id"] = first["id"][:-4] + f"{i:04d}"
            again["details"]["amount_eur"] = 100.0 + i
            signals.append(again)
        response = await post(vs, "/v1/signals/batch", {"signals": signals}, corp)
        assert {r["status"] for r in response.json()["results"]} == {"accepted"}

        async def settled() -> dict[str, Any] | None:
            case = await case_of(vs, first)
            return case if case["signals_total"] == len(signals) else None

        case = await eventually(settled, 30)
        assert [s["id"] for s in case["signals"]] == [s["id"] for s in signals[-20:]]
        seen, params = [], {"limit": 7}
        while True:
            page = (
                await vs.client.get(f"/v1/cases/{case['id']}/signals", params=params, headers=usd)
            ).json()
            seen += [s["id"] for s in page["items"]]
            assert page["total"] == len(signals)
            if not page["next_cursor"]:
                break
            params["cursor"] = page["next_cursor"]
        assert seen == [s["id"] for s in signals]
        bad = await vs.client.get(
            f"/v1/cases/{case['id']}/signals", params={"cursor": "x"}, headers=usd
        )
        assert bad.status_code == 422
