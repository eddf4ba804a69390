"""API keys: one source each, with scopes; stored only as hashes (CONTRACT §1)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Column, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.audit import SYSTEM, Actor, append_audit
from shared.audit.details import AuditDetails
from shared.crypto import hash_api_key, new_api_key
from shared.db import UtcDateTime, metadata
from shared.web.deps import provided
from shared.web.problems import ProblemError
from shared.web.rate_limit import RateLimiter

# Source names end up in CloudEvent `source` URIs and metric labels: keep them plain.
SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
SCOPES = frozenset(
    {
        "signals:write",
        "cases:read",
        "cases:write",
        "ops:read",
        "ops:write",
        "reports:read",
        "audit:read",
    }
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("source", String(100), nullable=False),
    Column("scopes", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: str
    source: str
    scopes: frozenset[str]


async def create_key(
    conn: AsyncConnection, source: str, scopes: set[str], actor: Actor = SYSTEM
) -> tuple[str, str]:
    """A new key (its id and the key, shown once); audited as `key.created` by `actor`."""
    if not SOURCE_NAME.fullmatch(source):
        raise ValueError("a source name is 1-64 lowercase letters, digits, '-', '_' or '.'")
    unknown = scopes - SCOPES
    if unknown or not scopes:
        raise ValueError(f"unknown scopes {sorted(unknown)}; choose from {sorted(SCOPES)}")
    key_id, key = new_api_key()
    await conn.execute(
        api_keys.insert().values(
            key_id=key_id,
            key_hash=hash_api_key(key),
            source=source,
            scopes=",".join(sorted(scopes)),
            created_at=datetime.now(UTC),
        )
    )
    details: AuditDetails = {"source": source, "scopes": sorted(scopes)}
    await append_audit(conn, actor, "key.created", key_id, details)
    return key_id, key


async def revoke_key(conn: AsyncConnection, key_id: str, actor: Actor = SYSTEM) -> bool:
    """False when no active key has that id; a revocation is audited as `key.revoked`."""
    result = await conn.execute(
        update(api_keys)
        .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    if result.rowcount != 1:
        return False
    await append_audit(conn, actor, "key.revoked", key_id)
    return True


class KeyStore:
    """Looks keys up by hash, caching answers briefly: a revocation takes effect within `ttl_s`.

    Half a second keeps a revoked key from working for more than a second in any process
    (CONTRACT §1) while a busy source still costs one lookup per key per half second: requests
    that find the answer expired while a lookup of their key is under way wait for that one
    (without it, 32 connections posting at once took 32 pool connections every half second,
    opening overflow connections only to close them).
    """

    def __init__(self, engine: AsyncEngine, ttl_s: float = 0.5) -> None:
        self._engine, self._ttl = engine, ttl_s
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._lookups: dict[str, asyncio.Task[Principal | None]] = {}

    async def principal(self, key: str) -> Principal | None:
        digest = hash_api_key(key)
        hit = self._cache.get(digest)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        lookup = self._lookups.get(digest)
        if lookup is None:
            lookup = asyncio.create_task(self._look_up(digest))
            self._lookups[digest] = lookup
            lookup.add_done_callback(lambda done: self._lookup_done(digest, done))
        # Shielded: a request that goes away does not cancel the others' lookup.
        return await asyncio.shield(lookup)

    def _lookup_done(self, digest: str, lookup: asyncio.Task[Principal | None]) -> None:
        if self._lookups.get(digest) is lookup:
            del self._lookups[digest]
        if not lookup.cancelled():
            lookup.exception()  # retrieved: whoever awaited it got it

    async def _look_up(self, digest: str) -> Principal | None:
        now = time.monotonic()
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(api_keys).where(api_keys.c.key_hash == digest))
            ).first()
        found = None
        if row is not None and row.revoked_at is None:
            found = Principal(row.key_id, row.source, frozenset(row.scopes.split(",")))
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = (now + self._ttl, found)
        return found


KeyStoreDep = Annotated[KeyStore, Depends(provided("key_store"))]
RateLimiterDep = Annotated[RateLimiter, Depends(provided("rate_limiter"))]


@dataclass(frozen=True, slots=True)
class KeyListing:
    """A key as `keys list` shows it: never the key or its hash."""

    key_id: str
    source: str
    scopes: str
    created_at: datetime
    revoked_at: datetime | None


async def list_keys(conn: AsyncConnection) -> list[KeyListing]:
    rows = await conn.execute(
        select(
            api_keys.c.key_id,
            api_keys.c.source,
            api_keys.c.scopes,
            api_keys.c.created_at,
            api_keys.c.revoked_at,
        ).order_by(api_keys.c.created_at)
    )
    return [KeyListing(*row) for row in rows]


BEARER = HTTPBearer(
    scheme_name="bearerAuth",
    bearerFormat="API key",
    description="`Authorization: Bearer <api key>`. A key has one source and scopes "
    f"({', '.join(sorted(SCOPES))}); each operation names the scope it needs.",
    auto_error=False,
)
"""Declared as a dependency so OpenAPI carries the bearer scheme and /docs offers Authorize."""
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]


def require(
    scope: str,
) -> Callable[[Credentials, KeyStore, RateLimiter], Awaitable[Principal]]:
    """FastAPI dependency: 401 without a valid key, 403 without `scope`."""

    async def dependency(
        credentials: Credentials, store: KeyStoreDep, limiter: RateLimiterDep
    ) -> Principal:
        challenge = {"WWW-Authenticate": "Bearer"}
        if credentials is None or not credentials.credentials.strip():
            raise ProblemError(401, "Send `Authorization: Bearer <api key>`.", headers=challenge)
        principal = await store.principal(credentials.credentials.strip())
        if principal is None:
            raise ProblemError(401, "Unknown or revoked API key.", headers=challenge)
        wait_s = limiter.retry_after(principal.source)
        if wait_s is not None:
            raise ProblemError(
                429,
                f"Source {principal.source!r} is over its rate limit of "
                f"{limiter.rate_per_s:g} requests/s (bursts of {limiter.burst}); "
                f"retry after {wait_s} s.",
                headers={"Retry-After": str(wait_s)},
            )
        if scope not in principal.scopes:
            raise ProblemError(403, f"This key lacks the `{scope}` scope.")
        return principal

    return dependency


SignalWriter = Annotated[Principal, Depends(require("signals:write"))]
CaseReader = Annotated[Principal, Depends(require("cases:read"))]
CaseWriter = Annotated[Principal, Depends(require("cases:write"))]
OpsReader = Annotated[Principal, Depends(require("ops:read"))]
OpsWriter = Annotated[Principal, Depends(require("ops:write"))]
"""Changes operations make (replaying dead letters): CONTRACT §1."""
ReportReader = Annotated[Principal, Depends(require("reports:read"))]
"""Figures and exports: the monthly report (CONTRACT §11)."""
AuditReader = Annotated[Principal, Depends(require("audit:read"))]
