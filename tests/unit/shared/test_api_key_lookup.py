"""The API key cache: concurrent requests with a key whose answer expired share one lookup
(32 connections posting at once otherwise took 32 pool connections every half second)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.crypto import hash_api_key
from shared.web.auth import KeyStore


class _Result:
    def __init__(self, row: Any) -> None:
        self._row = row

    def first(self) -> Any:
        return self._row


class _Engine:
    """Answers every lookup with one key's row, after a pause; counts the lookups."""

    def __init__(self, key: str) -> None:
        self.lookups = 0
        self._row = SimpleNamespace(
            key_id="k1",
            key_hash=hash_api_key(key),
            source="corp",
            scopes="signals:write",
            created_at=datetime.now(UTC),
            revoked_at=None,
        )

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[_Engine]:
        yield self

    async def execute(self, _statement: object) -> _Result:
        self.lookups += 1
        await asyncio.sleep(0.01)
        return _Result(self._row)


async def test_concurrent_requests_share_one_lookup_of_their_key() -> None:
    engine = _Engine("vs_k1_secret")
    store = KeyStore(cast(AsyncEngine, engine), ttl_s=60)
    found = await asyncio.gather(*(store.principal("vs_k1_secret") for _ in range(32)))
    assert {p.source if p else None for p in found} == {"corp"}
    assert engine.lookups == 1


async def test_an_expired_answer_is_looked_up_again() -> None:
    engine = _Engine("vs_k1_secret")
    store = KeyStore(cast(AsyncEngine, engine), ttl_s=0.0)
    await store.principal("vs_k1_secret")
    await store.principal("vs_k1_secret")
    assert engine.lookups == 2
