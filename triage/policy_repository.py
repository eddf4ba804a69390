"""The published policy versions triage has scored with: kept, so every decision can be replayed
under the version it names (CONTRACT §10). The only module besides the other repositories that
touches triage's tables."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.db import insert_ignoring_conflicts
from triage.tables import policy_versions

log = logging.getLogger(__name__)


async def keep_policy_version(engine: AsyncEngine, version: str, text: str) -> None:
    """Keeps the text of `version` the first time it is used; a changed file under a version
    already kept is logged (publish a new version: old decisions replay under the kept text)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    row = {"version": version, "sha256": digest, "text": text, "first_used_at": datetime.now(UTC)}
    async with engine.begin() as conn:
        await conn.execute(insert_ignoring_conflicts(conn, policy_versions), [row])
        kept = await conn.scalar(
            select(policy_versions.c.sha256).where(policy_versions.c.version == version)
        )
    if kept != digest:
        log.error(
            "policy version %s changed without a new version; decisions replay under the text "
            "first used",
            version,
        )


async def kept_policy_texts(conn: AsyncConnection) -> dict[str, str]:
    """Each kept version's text."""
    rows = await conn.execute(select(policy_versions.c.version, policy_versions.c.text))
    return {version: text for version, text in rows.all()}
