"""The published OpenAPI document is valid and documents the contract's paths and answers."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import validate

from tests.conftest import SettingsFactory
from tests.harness import running

CONTRACT_PATHS = {
    "/v1/signals": {"post"},
    "/v1/signals/batch": {"post"},
    "/v1/signals/{signal_id}": {"get"},
    "/v1/cases": {"get"},
    "/v1/cases/{case_id}": {"get"},
    "/v1/cases/{case_id}/contact-attempts": {"post"},
    "/v1/cases/{case_id}/outcome": {"post"},
    "/v1/cases/{case_id}/signals": {"get"},
    "/v1/cases/{case_id}/housing-plan": {"post"},
    "/v1/shelter": {"get"},
    "/v1/shelter/bookings": {"post"},
    "/v1/shelter/bookings/{booking_id}/release": {"post"},
    "/healthz": {"get"},
    "/readyz": {"get"},
    "/metrics": {"get"},
    "/ops": {"get"},
}


async def spec(make_settings: SettingsFactory) -> dict[str, Any]:
    async with running(make_settings(), workers=False) as vs:
        response = await vs.client.get("/openapi.json")
        assert response.status_code == 200
        document: dict[str, Any] = response.json()
        return document


async def test_openapi_is_valid_and_has_every_contract_path(
    make_settings: SettingsFactory,
) -> None:
    document = await spec(make_settings)
    validate(document)
    for path, methods in CONTRACT_PATHS.items():
        assert methods <= set(document["paths"].get(path, {})), path


async def test_signal_answers_are_documented(make_settings: SettingsFactory) -> None:
    post = (await spec(make_settings))["paths"]["/v1/signals"]["post"]
    assert {"202", "200", "401", "403", "409", "413", "415", "422"} <= set(post["responses"])
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Signal"}


async def test_the_documented_example_is_a_signal_the_api_accepts(
    make_settings: SettingsFactory,
) -> None:
    async with running(make_settings()) as vs:
        document = (await vs.client.get("/openapi.json")).json()
        content = document["paths"]["/v1/signals"]["post"]["requestBody"]["content"]
        example = content["application/json"]["example"]
        auth = {**await vs.key("docs-reader", "signals:write"), "Content-Type": "application/json"}
        response = await vs.client.post("/v1/signals", json=example, headers=auth)
        assert response.status_code == 202


async def test_the_case_document_describes_the_families_fields(
    make_settings: SettingsFactory,
) -> None:
    document = await spec(make_settings)
    schemas = document["components"]["schemas"]
    # The webhook documents the same model as a request body: pydantic then names it per side.
    case = (schemas.get("CaseWithHousehold") or schemas["CaseWithHousehold-Output"])["properties"]
    for field in (
        "eviction",
        "housing_plan",
        "shelter_booking",
        "district",
        "minors",
        "signals_total",
        "assessed_at",
    ):
        assert field in case, field
    assert set(schemas["EvictionRecord"]["properties"]) == {
        "judgment_date",
        "eviction_date",
        "days_left",
        "state",
    }
    assert "source" in schemas["SourcedContact"]["properties"]
    listed = schemas["CaseSummary"]["properties"]
    for field in ("signal_types", "minors", "district", "eviction_date", "housing_plan", "reasons"):
        assert field in listed, field
    booking = document["paths"]["/v1/shelter/bookings"]["post"]
    assert {"201", "409", "422"} <= set(booking["responses"])
    assert "from" in schemas["BookingIn"]["properties"]
