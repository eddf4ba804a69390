"""The API answers as its OpenAPI document says (issue 9, Found 6): a wrong method is 405, the
postcode's pattern is in the schema, and a malformed body is the same 422 problem everywhere."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SettingsFactory
from tests.harness import running

ALL_SCOPES = "signals:write,cases:read,cases:write,ops:read,ops:write,reports:read,audit:read"
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
@pytest.mark.parametrize("body", [b"{not json", b'{"a": ', b"\xff\xfe"])
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
