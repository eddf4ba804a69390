"""Signing in through the real form, in-process: helpers for the page tests."""

from __future__ import annotations

import re

import httpx

from tests.harness import Harness

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def origin(client: httpx.AsyncClient) -> dict[str, str]:
    """The header a browser sends with a form posted from one of our own pages."""
    return {"Origin": str(client.base_url).rstrip("/")}


async def new_key(vs: Harness, source: str, scopes: str) -> str:
    return (await vs.key(source, scopes))["Authorization"].removeprefix("Bearer ")


async def sign_in(client: httpx.AsyncClient, key: str, next_path: str = "/ops") -> httpx.Response:
    return await client.post(
        "/signin", data={"key": key, "next": next_path}, headers=origin(client)
    )


def csrf_token(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)
