"""Administrative commands: API keys."""

from __future__ import annotations

import sys

from services.schema import upgrade
from shared.db import create_engine
from shared.settings import Settings
from shared.web.auth import create_key, revoke_key


async def create_api_key(settings: Settings, source: str, scopes: str) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade(settings.resolved_database_url)
    engine = create_engine(settings.resolved_database_url)
    try:
        async with engine.begin() as conn:
            key_id, key = await create_key(conn, source, {s.strip() for s in scopes.split(",")})
    except ValueError as exc:
        print(f"vroegsignaal: {exc}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    print(f"key id: {key_id} (source {source}, scopes {scopes}); shown once:")
    print(key)
    return 0


async def revoke_api_key(settings: Settings, key_id: str) -> int:
    engine = create_engine(settings.resolved_database_url)
    try:
        async with engine.begin() as conn:
            revoked = await revoke_key(conn, key_id)
    finally:
        await engine.dispose()
    if not revoked:
        print(f"vroegsignaal: no active key {key_id}", file=sys.stderr)
        return 1
    print(f"revoked {key_id}")
    return 0
