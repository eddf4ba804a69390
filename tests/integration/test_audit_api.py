"""`GET /v1/audit` (audit:read) on SQLite and PostgreSQL: in order, paged, filtered, hashes
included; a bad cursor or date is a 422 problem, never a 500. Keys created and revoked show."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import uuid4

import pytest

from shared.audit import Actor, append_audit
from shared.audit.domain import AuditEntry, verify_chain
from shared.web.auth import create_key, revoke_key
from tests.conftest import SettingsFactory
from tests.harness import Harness, running
from tests.integration.audit_db import audit_url, behind_the_triggers

__all__ = ["audit_url"]  # the fixture
READER = Actor.for_key("4f0c2d7a9b1e", "usd-gooise-meren")


@pytest.fixture
async def vs(audit_url: str, make_settings: SettingsFactory) -> AsyncIterator[Harness]:
    async with running(make_settings(database_url=audit_url), workers=False) as harness:
        yield harness


async def show(vs: Harness, case_id: str) -> None:
    async with vs.runtime.engine.begin() as conn:
        await append_audit(conn, READER, "contact_data.shown", case_id, {"via": "api"})


async def pages(vs: Harness, auth: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await vs.client.get("/v1/audit", params=query, headers=auth)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def as_entry(item: dict[str, Any]) -> AuditEntry:
    """An entry as the API shows it, for checking the chain outside the service."""
    return AuditEntry(
        item["id"],
        datetime.fromisoformat(item["at"]),
        Actor(**item["actor"]),
        item["action"],
        item["subject"],
        item["details"],
        item["prev_hash"],
        item["hash"],
    )


async def test_entries_come_in_order_page_by_page_with_their_hashes(vs: Harness) -> None:
    auth = await vs.key("dpo", "audit:read")
    cases = [str(uuid4()) for _ in range(5)]
    for case_id in cases:
        await show(vs, case_id)
    items = await pages(vs, auth, limit=2)
    assert [i["action"] for i in items] == ["key.created"] + ["contact_data.shown"] * 5
    assert [i["id"] for i in items] == list(range(1, 7))
    assert [i["subject"] for i in items[1:]] == cases
    assert items[1]["actor"] == {"kind": "key", "key_id": READER.key_id, "source": READER.source}
    assert verify_chain(as_entry(i) for i in items) is None  # an export can be checked elsewhere
    one_case = await pages(vs, auth, case_id=cases[2])
    assert [i["id"] for i in one_case] == [4]


async def test_since_and_until_select_by_time(vs: Harness) -> None:
    auth = await vs.key("dpo", "audit:read")
    await show(vs, str(uuid4()))
    everything = await pages(vs, auth, since="2000-01-01", until="2999-12-31")
    assert len(everything) == 2
    cut = everything[1]["at"]
    assert [i["id"] for i in await pages(vs, auth, since=cut)] == [2]
    assert [i["id"] for i in await pages(vs, auth, until=cut)] == [1]
    assert await pages(vs, auth, since="2999-01-01") == []


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": _b64(b"[1,-1]")}, "cursor"),
        ({"cursor": _b64(b"[1,99999999999999999999]")}, "cursor"),
        ({"cursor": _b64(b"[1,9223372036854775808]")}, "cursor"),
        ({"cursor": _b64(b'{"id":1}')}, "cursor"),
        ({"cursor": "%00" * 10}, "cursor"),
        ({"since": "gisteren"}, "since"),
        ({"since": "2026-11-02T09:00:00"}, "since"),
        ({"until": "9999-12-31"}, "until"),
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
        ({"since": "2026-11-02", "until": "2026-11-01"}, "until"),
        ({"case_id": "not-a-case"}, "case_id"),
        ({"limit": "0"}, "limit"),
    ],
)
async def test_bad_parameters_are_a_422_problem(
    vs: Harness, params: dict[str, str], field: str
) -> None:
    auth = await vs.key("dpo", "audit:read")
    response = await vs.client.get("/v1/audit", params=params, headers=auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == [f"query.{field}"]


async def test_a_tampered_entry_is_still_shown_for_verify_to_find(vs: Harness) -> None:
    auth = await vs.key("dpo", "audit:read")
    async with vs.runtime.engine.begin() as conn:
        await behind_the_triggers(conn, "UPDATE audit_log SET action = 'nothing.happened'")
    response = await vs.client.get("/v1/audit", headers=auth)
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["action"] == "nothing.happened"
    assert verify_chain([as_entry(item)]) is not None


async def test_only_an_audit_reader_sees_the_log(vs: Harness) -> None:
    assert (await vs.client.get("/v1/audit")).status_code == 401
    caseworker = await vs.key("usd", "cases:read,cases:write,ops:read")
    assert (await vs.client.get("/v1/audit", headers=caseworker)).status_code == 403


async def test_keys_created_and_revoked_are_audited_without_the_key(vs: Harness) -> None:
    async with vs.runtime.engine.begin() as conn:
        key_id, key = await create_key(conn, "woonstichting-gooi", {"signals:write"})
        assert await revoke_key(conn, key_id, Actor("cli"))
        assert not await revoke_key(conn, key_id)  # nothing revoked, nothing audited
    auth = await vs.key("dpo", "audit:read")
    response = await vs.client.get("/v1/audit", headers=auth)
    items = response.json()["items"]
    assert [(i["action"], i["subject"], i["actor"]["kind"]) for i in items] == [
        ("key.created", key_id, "system"),
        ("key.revoked", key_id, "cli"),
        ("key.created", items[2]["subject"], "system"),
    ]
    assert items[0]["details"] == {"source": "woonstichting-gooi", "scopes": ["signals:write"]}
    assert key not in response.text and key.split("_")[-1] not in response.text


async def test_the_audit_api_is_documented(vs: Harness) -> None:
    spec = (await vs.client.get("/openapi.json")).json()
    get = spec["paths"]["/v1/audit"]["get"]
    assert {"200", "401", "403", "422"} <= set(get["responses"])
    assert {p["name"] for p in get["parameters"]} >= {"since", "until", "case_id", "cursor"}
