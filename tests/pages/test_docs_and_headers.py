"""`/docs` offline with Authorize, the OpenAPI document's promises (CONTRACT §9), a CSP on every
page, and the replay form needing `ops:write`."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from notifier.tables import webhook_deliveries
from tests.conftest import SettingsFactory
from tests.harness import running
from tests.integration.test_ops import park_notification
from tests.pages.session import csrf_token, new_key, origin, sign_in


async def openapi(make_settings: SettingsFactory) -> dict[str, Any]:
    async with running(make_settings(), workers=False) as vs:
        document: dict[str, Any] = (await vs.client.get("/openapi.json")).json()
        return document


async def test_openapi_declares_the_bearer_scheme_on_every_protected_operation(
    make_settings: SettingsFactory,
) -> None:
    document = await openapi(make_settings)
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    for path in ("/v1/signals", "/v1/cases", "/v1/ops/summary"):
        for operation in document["paths"][path].values():
            assert operation["security"] == [{"bearerAuth": []}], path
            assert {"401", "403"} <= set(operation["responses"])


async def test_every_error_answer_is_documented_as_a_problem(
    make_settings: SettingsFactory,
) -> None:
    document = await openapi(make_settings)
    errors = [
        (path, code, answer)
        for path, item in document["paths"].items()
        for operation in item.values()
        for code, answer in operation["responses"].items()
        if code[0] in "45"
    ]
    assert len(errors) > 20
    for path, code, answer in errors:
        schema = answer["content"]["application/problem+json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Problem"}, (path, code)
    assert "HTTPValidationError" not in document["components"]["schemas"]


async def test_replays_and_the_usd_webhook_are_documented(make_settings: SettingsFactory) -> None:
    document = await openapi(make_settings)
    replay = document["paths"]["/v1/signals"]["post"]["responses"]["200"]
    assert replay["headers"]["Idempotent-Replayed"]["schema"]["enum"] == ["true"]
    hook = document["webhooks"]["caseChanged"]["post"]
    names = {p["name"] for p in hook["parameters"] if p["in"] == "header"}
    assert names == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    body = hook["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CaseWebhookEvent"}


async def test_docs_load_swagger_ui_from_this_service_only(
    make_settings: SettingsFactory,
) -> None:
    async with running(make_settings(), workers=False) as vs:
        page = await vs.client.get("/docs")
        assert page.status_code == 200 and 'id="swagger-ui"' in page.text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert any("swagger-ui-bundle.js" in a for a in assets)
        for asset in assets:
            assert asset.startswith(("/", "?", "#", "data:")), asset
            if asset.startswith("/static/"):
                assert (await vs.client.get(asset)).status_code == 200, asset
        assert (await vs.client.get("/redoc")).status_code == 404  # it would need a CDN


async def test_every_page_has_a_strict_csp_and_no_inline_script(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings(), workers=False) as vs:
        await sign_in(vs.client, await new_key(vs, f"ops-{unique}", "ops:read"))
        for path in ("/", "/signin", "/docs", "/ops", "/no-such-page-but-a-problem"):
            page = await vs.client.get(path)
            if not page.headers["content-type"].startswith("text/html"):
                continue
            csp = page.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
            assert "frame-ancestors 'none'" in csp and page.headers["cache-control"] == "no-store"
            for tag in re.findall(r"<script[^>]*>", page.text):
                assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
            assert "<style" not in page.text and " style=" not in page.text, path


async def test_the_replay_button_needs_an_ops_write_session(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings(), workers=False) as vs:
        dead_id = f"dead-{unique}"
        await park_notification(vs, dead_id)
        action = f"/ops/dead-letters/{dead_id}/replay"

        await sign_in(vs.client, await new_key(vs, f"reader-{unique}", "ops:read"))
        page = await vs.client.get("/ops")
        assert dead_id[:8] in page.text and action not in page.text  # no button
        refused = await vs.client.post(
            action, data={"csrf_token": csrf_token(page)}, headers=origin(vs.client)
        )
        assert refused.status_code == 403 and "ops:write" in refused.text

        await sign_in(vs.client, await new_key(vs, f"writer-{unique}", "ops:read,ops:write"))
        page = await vs.client.get("/ops")
        assert action in page.text
        done = await vs.client.post(
            action, data={"csrf_token": csrf_token(page)}, headers=origin(vs.client)
        )
        assert done.status_code == 303 and "replayed=" in done.headers["location"]
        async with vs.runtime.engine.connect() as conn:
            status = await conn.scalar(
                select(webhook_deliveries.c.status).where(
                    webhook_deliveries.c.notification_id == dead_id
                )
            )
        assert status == "pending"
        after = await vs.client.get(done.headers["location"])
        assert "notice" in after.text and dead_id[:8] in after.text
