"""Server-side sessions of people signed in to the pages (CONTRACT §9).

A session row holds the hash of the cookie's token, the API key's id and a CSRF token: no
personal data, and never the key. Signing out deletes the row; a revoked key ends its sessions
because every lookup joins the key and finds it revoked. Answers are cached for half a second,
as keys are, so both take effect within a second in every process.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, Index, String, Table, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import UtcDateTime, metadata
from shared.web.auth import Principal, api_keys

LIFETIME = timedelta(hours=8)
"""A working day; then the person signs in again."""

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("key_id", String(32), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_web_sessions_key_id", "key_id"),
)


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in person: the key's principal and the token forms must echo."""

    principal: Principal
    csrf_token: str
    token_hash: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(self, engine: AsyncEngine, ttl_s: float = 0.5) -> None:
        self._engine, self._ttl = engine, ttl_s
        self._cache: dict[str, tuple[float, Session | None]] = {}

    async def start(self, principal: Principal) -> str:
        """A new session for `principal`; returns the cookie's token (shown to no one else)."""
        token, now = secrets.token_urlsafe(32), datetime.now(UTC)
        async with self._engine.begin() as conn:
            await conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
            await conn.execute(
                web_sessions.insert().values(
                    token_hash=_digest(token),
                    key_id=principal.key_id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    expires_at=now + LIFETIME,
                )
            )
        return token

    async def find(self, token: str) -> Session | None:
        digest, now = _digest(token), time.monotonic()
        hit = self._cache.get(digest)
        if hit and hit[0] > now:
            return hit[1]
        s, k = web_sessions.c, api_keys.c
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(s.csrf_token, k.key_id, k.source, k.scopes)
                    .join_from(web_sessions, api_keys, s.key_id == k.key_id)
                    .where(
                        s.token_hash == digest,
                        s.expires_at > datetime.now(UTC),
                        k.revoked_at.is_(None),
                    )
                )
            ).first()
        found = None
        if row is not None:
            principal = Principal(row.key_id, row.source, frozenset(row.scopes.split(",")))
            found = Session(principal, row.csrf_token, digest)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = (now + self._ttl, found)
        return found

    async def end(self, session: Session) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(web_sessions).where(web_sessions.c.token_hash == session.token_hash)
            )
        self._cache.pop(session.token_hash, None)
