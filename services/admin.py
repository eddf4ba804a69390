"""Administrative commands: API keys (each creation and revocation is audited as `cli`)."""

from __future__ import annotations

import sys

from sqlalchemy.ext.asyncio import AsyncEngine

from services.schema import upgrade
from shared.audit import CLI
from shared.db import create_engine
from shared.files import private_dir
from shared.settings import Settings
from shared.web.auth import create_key, list_keys, revoke_key


async def admin_engine(settings: Settings) -> AsyncEngine:
    """Admin commands work on a fresh data folder too: the schema is brought up first."""
    private_dir(settings.data_dir)
    await upgrade(settings.resolved_database_url)
    return create_engine(settings.resolved_database_url)


async def create_api_key(settings: Settings, source: str, scopes: str) -> int:
    engine = await admin_engine(settings)
    try:
        async with engine.begin() as conn:
            key_id, key = await create_key(
                conn, source, {s.strip() for s in scopes.split(",")}, CLI
            )
    except ValueError as exc:
        print(f"vroegsignaal: {exc}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    print(f"key id: {key_id} (source {source}, scopes {scopes}); shown once:")
    print(key)
    return 0


async def revoke_api_key(settings: Settings, key_id: str) -> int:
    engine = await admin_engine(settings)
    try:
        async with engine.begin() as conn:
            revoked = await revoke_key(conn, key_id, CLI)
    finally:
        await engine.dispose()
    if not revoked:
        print(f"vroegsignaal: no active key {key_id}", file=sys.stderr)
        return 1
    print(f"revoked {key_id}")
    return 0


async def list_api_keys(settings: Settings) -> int:
    engine = await admin_engine(settings)
    try:
        async with engine.connect() as conn:
            keys = await list_keys(conn)
    finally:
        await engine.dispose()
    print(f"{'key id':<34}{'source':<26}{'created':<22}{'revoked':<22}scopes")
    for k in keys:
        revoked = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "active"
        print(
            f"{k.key_id:<34}{k.source:<26}{k.created_at:%Y-%m-%d %H:%M:%S}  {revoked:<22}{k.scopes}"
        )
    return 0
