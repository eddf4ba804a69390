"""Signing in to the pages (CONTRACT §9): no data without a session of the right scope, a
cookie a script cannot read, sign-out and revocation end the session, cross-site forms fail."""

from __future__ import annotations

import httpx

from shared.web.auth import revoke_key
from tests.conftest import SettingsFactory
from tests.e2e.process import eventually
from tests.harness import Harness, running
from tests.pages.session import csrf_token, new_key, origin, sign_in
from tests.signals import PII, rent_arrears

JSON = {"Content-Type": "application/json"}


async def post_signal(vs: Harness, source: str) -> None:
    corp = {**JSON, **await vs.key(source, "signals:write")}
    assert (await vs.client.post("/v1/signals", json=rent_arrears(), headers=corp)).is_success


async def test_a_page_shows_no_data_until_signed_in_with_an_ops_key(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings(), workers=False) as vs:
        await post_signal(vs, f"corp-{unique}")
        anonymous = await vs.client.get("/ops")
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/signin?next=%2Fops"
        form = await vs.client.get(anonymous.headers["location"])
        assert form.status_code == 200
        assert form.text.count('type="password"') == 1 and 'name="key"' in form.text
        assert f"corp-{unique}" not in form.text

        corp_key = await new_key(vs, f"other-{unique}", "signals:write")
        signed = await sign_in(vs.client, corp_key)
        assert signed.status_code == 303 and corp_key not in signed.headers["location"]
        refused = await vs.client.get("/ops")
        assert refused.status_code == 403 and "ops:read" in refused.text
        assert f"corp-{unique}" not in refused.text

        ops_key = await new_key(vs, f"ops-{unique}", "ops:read")
        assert (await sign_in(vs.client, ops_key)).headers["location"] == "/ops"
        page = await vs.client.get("/ops")
        assert page.status_code == 200 and f"corp-{unique}" in page.text
        for personal in (*PII, ops_key, corp_key):
            assert personal not in page.text


async def test_an_unknown_key_is_refused_on_the_form(make_settings: SettingsFactory) -> None:
    async with running(make_settings(), workers=False) as vs:
        answer = await sign_in(vs.client, "vs_nonsense_key")
        assert answer.status_code == 401 and 'aria-invalid="true"' in answer.text
        assert "set-cookie" not in answer.headers or "vs_session" not in answer.headers.get(
            "set-cookie", ""
        )
        assert (await vs.client.get("/ops")).status_code == 303


async def test_the_session_cookie_is_httponly_strict_and_secure_over_https(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings(), workers=False) as vs:
        key = await new_key(vs, f"ops-{unique}", "ops:read")
        transport = httpx.ASGITransport(app=vs.app)
        for base, secure in (("https://vs.test", True), ("http://vs.test", False)):
            async with httpx.AsyncClient(transport=transport, base_url=base) as client:
                cookie = (await sign_in(client, key)).headers["set-cookie"].lower()
                assert cookie.startswith("vs_session=") and key.lower() not in cookie
                assert "httponly" in cookie and "samesite=strict" in cookie
                assert ("; secure" in cookie) is secure


async def test_signing_out_ends_the_session_on_the_server(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings(), workers=False) as vs:
        await sign_in(vs.client, await new_key(vs, f"ops-{unique}", "ops:read"))
        token = vs.client.cookies["vs_session"]
        page = await vs.client.get("/ops")
        out = await vs.client.post(
            "/signout", data={"csrf_token": csrf_token(page)}, headers=origin(vs.client)
        )
        assert out.status_code == 303 and out.headers["location"] == "/signin?signed_out=1"
        assert "vs_session" not in vs.client.cookies
        vs.client.cookies.set("vs_session", token)  # the old cookie, kept by someone
        assert (await vs.client.get("/ops")).status_code == 303


async def test_a_revoked_key_ends_its_sessions_within_a_second(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings(), workers=False) as vs:
        key = await new_key(vs, f"ops-{unique}", "ops:read")
        await sign_in(vs.client, key)
        assert (await vs.client.get("/ops")).status_code == 200
        async with vs.runtime.engine.begin() as conn:
            key_id = key.split("_")[1]
            assert await revoke_key(conn, key_id)

        async def signed_out() -> bool:
            return (await vs.client.get("/ops")).status_code == 303

        await eventually(signed_out, 1.0, 0.05)


async def test_forms_from_another_origin_or_without_the_token_are_refused(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings(), workers=False) as vs:
        key = await new_key(vs, f"ops-{unique}", "ops:read")
        evil = {"Origin": "https://evil.example"}
        cross = await vs.client.post("/signin", data={"key": key, "next": "/ops"}, headers=evil)
        assert cross.status_code == 403 and "vs_session" not in vs.client.cookies

        await sign_in(vs.client, key)
        token = csrf_token(await vs.client.get("/ops"))
        for headers, data in (
            (evil, {"csrf_token": token}),  # a page on another site
            ({}, {"csrf_token": token}),  # no Origin and no Sec-Fetch-Site
            (origin(vs.client), {}),  # our origin, but no token
            (origin(vs.client), {"csrf_token": "forged"}),
        ):
            refused = await vs.client.post("/signout", data=data, headers=headers)
            assert refused.status_code == 403, (headers, data)
            assert "lang=" in refused.text  # an HTML page that says why
        assert (await vs.client.get("/ops")).status_code == 200  # still signed in


async def test_dutch_by_default_and_english_on_request(make_settings: SettingsFactory) -> None:
    async with running(make_settings(), workers=False) as vs:
        assert '<html lang="nl">' in (await vs.client.get("/signin")).text
        english = await vs.client.get("/signin?lang=en")
        assert '<html lang="en">' in english.text and "Sign in" in english.text
        assert '<html lang="en">' in (await vs.client.get("/")).text  # remembered
        vs.client.cookies.clear()
        header = {"Accept-Language": "en-GB,en;q=0.9"}
        assert '<html lang="en">' in (await vs.client.get("/", headers=header)).text
        header = {"Accept-Language": "nl-NL,en;q=0.5"}
        assert '<html lang="nl">' in (await vs.client.get("/", headers=header)).text
