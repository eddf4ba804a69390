"""API keys: sources are plain names (they become CloudEvent sources and metric labels)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.schema import upgrade
from shared.db import create_engine
from shared.web.auth import KeyStore, create_key, revoke_key


@pytest.mark.parametrize("source", ["", "Woonstichting Gooi", "a/b", "x" * 65, "-lead"])
async def test_odd_source_names_are_refused(tmp_path: Path, source: str) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    await upgrade(url)
    engine = create_engine(url)
    async with engine.begin() as conn:
        with pytest.raises(ValueError, match="source name"):
            await create_key(conn, source, {"signals:write"})
    await engine.dispose()


async def test_a_revoked_key_stops_working(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    await upgrade(url)
    engine = create_engine(url)
    async with engine.begin() as conn:
        key_id, key = await create_key(conn, "woonstichting-gooi", {"signals:write"})
    assert (await KeyStore(engine, ttl_s=0).principal(key)) is not None
    async with engine.begin() as conn:
        assert await revoke_key(conn, key_id)
    assert (await KeyStore(engine, ttl_s=0).principal(key)) is None
    await engine.dispose()
