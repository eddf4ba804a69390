"""Household data keys in the key store: created on first use, loaded per operation, destroyed
by the purge. No key is cached across operations: a key another process destroyed is gone for
this one at its next load, so nothing is sealed again under an erased household's key.

`ensure` is on the hot path (each group of signals ingest stores, each batch triage scores), so
on PostgreSQL it is one statement: the keys it would create are made up front, inserted where
missing, and those it inserted are used as made (not read back and unwrapped); the others are
the ones stored. SQLite keeps a transaction."""

from __future__ import annotations

import os
from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.crypto import PiiVault
from shared.db import AdvisoryLock, fetch_in_one_statement, insert_ignoring_conflicts, is_postgres
from shared.envelope import KeySet
from shared.keystore.tables import household_keys, keystore_metadata, keystore_secrets

_CHUNK = 500
_STALE_CONNECTIONS = 20  # after a database restart, each pooled connection fails once
_KEYS = household_keys.name
# Rows inserted in key order, so concurrent asks lock shared keys in one order (no deadlock).
# The final SELECT sees the table as it was when the statement began: a key it finds existed
# before; a key `created` names is the one this statement made. A key neither names was made
# by a concurrent ask that committed meanwhile: `_ensure_on_postgres` reads it after.
_ENSURE_STATEMENT = f"""
WITH wanted AS (
    SELECT * FROM unnest($1::text[], $2::text[]) AS w(household_pseudonym, wrapped_key)
), created AS (
    INSERT INTO {_KEYS} (household_pseudonym, wrapped_key, created_at)
    SELECT household_pseudonym, wrapped_key, $3::timestamptz FROM wanted
    ORDER BY household_pseudonym
    ON CONFLICT DO NOTHING
    RETURNING household_pseudonym
)
SELECT household_pseudonym, NULL::text AS wrapped_key FROM created
UNION ALL
SELECT household_pseudonym, wrapped_key FROM {_KEYS} WHERE household_pseudonym = ANY($1::text[])
"""


def wrap_binding(pseudonym: str) -> str:
    """A wrapped key opens only as the key of its household."""
    return f"household-key:{pseudonym}"


class HouseholdKeys:
    """The key store: one data key per household pseudonym, wrapped under the key ring."""

    def __init__(self, engine: AsyncEngine, vault: PiiVault) -> None:
        self.engine = engine
        self.vault = vault

    async def create_schema(self) -> None:
        """Creates the key store's tables if missing. Processes start together (ingest, triage
        and the notifier on one fresh database), so on PostgreSQL one at a time, under an
        advisory lock: two concurrent CREATE TABLEs fail one of them (pg_type's unique index);
        on SQLite a process that lost the race finds the tables at a second look."""
        for attempt in range(2):
            try:
                async with self.engine.begin() as conn:
                    if is_postgres(conn):
                        await conn.execute(
                            select(func.pg_advisory_xact_lock(int(AdvisoryLock.KEY_STORE_SCHEMA)))
                        )
                    await conn.run_sync(keystore_metadata.create_all)
                return
            except DBAPIError:
                if attempt:
                    raise

    async def ensure(self, pseudonyms: Collection[str]) -> KeySet:
        wanted = sorted(set(pseudonyms))
        if not wanted:
            return KeySet({}, self.vault.open)
        if self.engine.dialect.name == "postgresql":
            return KeySet(await self._ensure_on_postgres(wanted), self.vault.open)
        for _ in range(_STALE_CONNECTIONS):
            try:
                return await self._ensure(wanted)
            except DBAPIError as exc:  # a pooled connection a database restart closed
                if not (exc.connection_invalidated or isinstance(exc, InterfaceError)):
                    raise
        return await self._ensure(wanted)

    async def _ensure(self, wanted: list[str]) -> KeySet:
        """Loads first and creates only the missing keys (the common case creates none)."""
        async with self.engine.begin() as conn:
            keys = await self._load_raw(conn, wanted)
            missing = [p for p in wanted if p not in keys]
            now = datetime.now(UTC)
            for start in range(0, len(missing), _CHUNK):
                rows = [
                    {
                        "household_pseudonym": p,
                        "wrapped_key": self.vault.seal(os.urandom(32), wrap_binding(p)),
                        "created_at": now,
                    }
                    for p in missing[start : start + _CHUNK]
                ]
                await conn.execute(insert_ignoring_conflicts(conn, household_keys), rows)
            if missing:  # another process may have won a race: its key is the one
                keys.update(await self._load_raw(conn, missing))
        return KeySet(keys, self.vault.open)

    async def _ensure_on_postgres(self, wanted: list[str]) -> dict[str, bytes]:
        made = {p: os.urandom(32) for p in wanted}
        wrapped = [self.vault.seal(made[p], wrap_binding(p)) for p in wanted]
        keys: dict[str, bytes] = {}
        stored: dict[str, bytes] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            rows = await fetch_in_one_statement(
                self.engine,
                _ENSURE_STATEMENT,
                chunk,
                wrapped[start : start + _CHUNK],
                datetime.now(UTC),
            )
            for pseudonym, wrapped_key in rows:
                if wrapped_key is None:
                    keys[pseudonym] = made[pseudonym]
                else:
                    stored[pseudonym] = self.vault.open(wrapped_key, wrap_binding(pseudonym))
        # A key this statement inserted wins over one it saw (destroyed meanwhile, then made
        # again here); a key it neither saw nor made was made by a concurrent ask.
        for pseudonym, key in stored.items():
            keys.setdefault(pseudonym, key)
        missing = [p for p in wanted if p not in keys]
        if missing:
            async with self.engine.connect() as conn:
                keys.update(await self._load_raw(conn, missing))
        return keys

    async def load(self, pseudonyms: Collection[str]) -> KeySet:
        wanted = sorted(set(pseudonyms))
        for _ in range(_STALE_CONNECTIONS):
            try:
                async with self.engine.connect() as conn:
                    return await self._load(conn, wanted)
            except DBAPIError as exc:
                if not (exc.connection_invalidated or isinstance(exc, InterfaceError)):
                    raise
        async with self.engine.connect() as conn:
            return await self._load(conn, wanted)

    async def _load(self, conn: AsyncConnection, pseudonyms: list[str]) -> KeySet:
        return KeySet(await self._load_raw(conn, pseudonyms), self.vault.open)

    async def _load_raw(self, conn: AsyncConnection, pseudonyms: list[str]) -> dict[str, bytes]:
        keys: dict[str, bytes] = {}
        for start in range(0, len(pseudonyms), _CHUNK):
            rows = await conn.execute(
                select(household_keys.c.household_pseudonym, household_keys.c.wrapped_key).where(
                    household_keys.c.household_pseudonym.in_(pseudonyms[start : start + _CHUNK])
                )
            )
            for pseudonym, wrapped in rows.all():
                keys[pseudonym] = self.vault.open(wrapped, wrap_binding(pseudonym))
        return keys

    async def destroy(self, pseudonyms: Collection[str]) -> int:
        wanted = sorted(set(pseudonyms))
        destroyed = 0
        async with self.engine.begin() as conn:
            for start in range(0, len(wanted), _CHUNK):
                result = await conn.execute(
                    delete(household_keys).where(
                        household_keys.c.household_pseudonym.in_(wanted[start : start + _CHUNK])
                    )
                )
                destroyed += int(result.rowcount or 0)
        return destroyed


PSEUDONYM_SECRET = "pseudonym"


def secret_binding(name: str) -> str:
    return f"keystore-secret:{name}"


async def stable_pseudonym_secret(engine: AsyncEngine, vault: PiiVault) -> bytes:
    """The pseudonym secret from the key store; on first start it is stored from the active
    key's derivation, so the pseudonyms given so far stay the same after any rotation."""
    row = {
        "name": PSEUDONYM_SECRET,
        "wrapped": vault.seal(vault.derived_pseudonym_secret, secret_binding(PSEUDONYM_SECRET)),
        "created_at": datetime.now(UTC),
    }
    async with engine.begin() as conn:
        await conn.execute(insert_ignoring_conflicts(conn, keystore_secrets), [row])
        wrapped = await conn.scalar(
            select(keystore_secrets.c.wrapped).where(keystore_secrets.c.name == PSEUDONYM_SECRET)
        )
    return vault.open(str(wrapped), secret_binding(PSEUDONYM_SECRET))
