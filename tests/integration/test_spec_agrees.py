"""The API answers as its OpenAPI document says (issue 9, Found 6): a wrong method is 405, the
postcode's pattern is in the schema, and a malformed body is the same 422 problem everywhere."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from tests.conftest import SettingsFactory
from tests.harness import running
from tests.integration.test_triage_deadlines import new_case
from tests.signals import rent_arrears

ALL_SCOPES = "signals:write,cases:read,cases:write,ops:read,ops:write,reports:read,audit:read"
JSON = {"Content-Type": "application/json"}
CASE_BODIES = (
    "/v1/cases/{case}/contact-attempts",
    "/v1/cases/{case}/outcome",
    "/v1/cases/{case}/housing-plan",
    "/v1/shelter/bookings",
)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
async def test_batch_with_another_method_is_405(
    make_settings: SettingsFactory, method: str
) -> None:
    async with running(make_settings(), workers=False) as vs:
        auth = await vs.key("corp", "signals:write")
        response = await vs.client.request(method, "/v1/signals/batch", headers=auth)
        assert response.status_code == 405, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["allow"] == "POST"
        assert response.json()["status"] == 405


async def test_the_postcode_pattern_is_in_the_schema_and_means_what_the_api_accepts(
    make_settings: SettingsFactory,
) -> None:
    async with running(make_settings(), workers=False) as vs:
        document = (await vs.client.get("/openapi.json")).json()
    postcode = document["components"]["schemas"]["Address"]["properties"]["postcode"]
    pattern = re.compile(postcode["pattern"])
    for good in ("1402 AB", "1402AB", "9999 zz"):
        assert pattern.search(good), good
    for bad in ("0402 AB", "1402 A", "1402-AB", "14021 AB", "AB 1402"):
        assert not pattern.search(bad), bad


@pytest.mark.parametrize("path", CASE_BODIES)
@pytest.mark.parametrize("body", [b"{not json", b'{"a": ', b"\xff\xfe", b'{"a": "\xff"}', b"*\xb1"])
async def test_a_malformed_body_is_the_same_422_as_on_signals(
    make_settings: SettingsFactory, path: str, body: bytes
) -> None:
    async with running(make_settings(), workers=False) as vs:
        auth = {**await vs.key("usd", ALL_SCOPES), "Content-Type": "application/json"}
        reference = await vs.client.post("/v1/signals", content=body, headers=auth)
        response = await vs.client.post(path.format(case="c-1"), content=body, headers=auth)
    assert reference.status_code == 422
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert (
        response.json()["errors"]
        == reference.json()["errors"]
        == [{"field": "body", "message": "invalid JSON"}]
    )


async def test_the_rate_limit_answer_is_documented_on_every_protected_operation(
    make_settings: SettingsFactory,
) -> None:
    async with running(make_settings(rate_limit_per_s=1, rate_limit_burst=1), workers=False) as vs:
        document = (await vs.client.get("/openapi.json")).json()
        auth = await vs.key("corp", "signals:write")
        await vs.client.get(f"/v1/signals/{uuid4()}", headers=auth)
        limited = await vs.client.get(f"/v1/signals/{uuid4()}", headers=auth)
    assert limited.status_code == 429
    assert limited.json()["title"] == "Too many requests"
    protected = [
        (path, operation)
        for path, item in document["paths"].items()
        for operation in item.values()
        if operation.get("security")
    ]
    assert len(protected) > 15
    for path, operation in protected:
        answer = operation["responses"]["429"]
        assert "application/problem+json" in answer["content"], path
        assert answer["headers"]["Retry-After"]["schema"]["type"] == "integer", path


async def test_a_number_is_not_a_date(make_settings: SettingsFactory) -> None:
    """schemathesis found `"at": 0` recorded as a contact attempt on 1970-01-01 (201)."""
    async with running(make_settings()) as vs:
        corp = {**JSON, **await vs.key("corp", "signals:write")}
        usd = {**JSON, **await vs.key("usd", "cases:read,cases:write")}
        case = await new_case(vs, corp)
        attempts = f"/v1/cases/{case['id']}/contact-attempts"
        for at in (0, 1_700_000_000, 1.5e9, True):
            attempt = {"channel": "sms", "reached": False, "at": at}
            response = await vs.client.post(attempts, json=attempt, headers=usd)
            assert response.status_code == 422, (at, response.text)
            assert [e["field"] for e in response.json()["errors"]] == ["at"]
        plan = {"kind": "hov", "starts_on": 0}
        response = await vs.client.post(
            f"/v1/cases/{case['id']}/housing-plan", json=plan, headers=usd
        )
        assert response.status_code == 422, response.text
        booking = {"case_id": case["id"], "facility": "hotel", "unit": "room", "from": 0}
        response = await vs.client.post("/v1/shelter/bookings", json=booking, headers=usd)
        assert response.status_code == 422, response.text
        shown = (await vs.client.get(f"/v1/cases/{case['id']}", headers=usd)).json()
        assert (shown["contact_attempts"], shown["housing_plan"]) == ([], None)
        signal = rent_arrears()
        signal["details"]["arrears_since"] = 0
        signal["household"]["contacts"][0]["date_of_birth"] = 0
        response = await vs.client.post("/v1/signals", json=signal, headers=corp)
        assert response.status_code == 422, response.text
        assert {e["field"] for e in response.json()["errors"]} == {
            "details.arrears_since",
            "household.contacts.0.date_of_birth",
        }


async def test_a_value_of_another_json_type_is_refused_not_coerced(
    make_settings: SettingsFactory,
) -> None:
    """schemathesis found `"reached": 0` recorded as an attempt that did not reach anyone."""
    async with running(make_settings()) as vs:
        corp = {**JSON, **await vs.key("corp", "signals:write")}
        usd = {**JSON, **await vs.key("usd", "cases:read,cases:write")}
        case = await new_case(vs, corp)
        attempts = f"/v1/cases/{case['id']}/contact-attempts"
        for reached in (0, 1, "true", "no"):
            attempt = {"channel": "sms", "reached": reached, "at": "2026-11-03T10:15:00+01:00"}
            response = await vs.client.post(attempts, json=attempt, headers=usd)
            assert response.status_code == 422, (reached, response.text)
        for path, value in (
            (("household", "address", "house_number"), "12"),
            (("household", "minors"), True),
            (("household", "adults"), 1.5),
            (("details", "amount_eur"), "1380.50"),
        ):
            signal = rent_arrears()
            parent = signal
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = value
            response = await vs.client.post("/v1/signals", json=signal, headers=corp)
            assert response.status_code == 422, (path, response.text)
            assert [e["field"] for e in response.json()["errors"]] == [".".join(path)]
