"""The key store on SQLite and on PostgreSQL: one key per household whoever asks first, the same
key for every later ask, and after a purge a new key (the old one is never handed out again)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from shared.crypto import PiiVault, generate_pii_key
from shared.db import create_engine
from shared.envelope import MissingHouseholdKey
from shared.keystore import HouseholdKeys


@pytest.fixture(params=["sqlite", "postgres"])
async def keystore(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[HouseholdKeys]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'keys.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url")
    engine = create_engine(url)
    keys = HouseholdKeys(engine, PiiVault(generate_pii_key()))
    await keys.create_schema()
    try:
        yield keys
    finally:
        await engine.dispose()


async def test_a_household_keeps_the_key_it_was_given_first(
    keystore: HouseholdKeys, unique: str
) -> None:
    old, new = f"{unique}-old", f"{unique}-new"
    first = await keystore.ensure([old])
    token = first.seal(old, b"sealed first", "signal:1")
    both = await keystore.ensure([old, new, old])  # one known, one new, a repeat
    assert both.open(token, "signal:1") == b"sealed first"
    second = both.seal(new, b"sealed second", "signal:2")
    loaded = await keystore.load([old, new])
    assert loaded.open(token, "signal:1") == b"sealed first"
    assert loaded.open(second, "signal:2") == b"sealed second"


async def test_concurrent_asks_for_new_households_agree_on_one_key_each(
    keystore: HouseholdKeys, unique: str
) -> None:
    households = [f"{unique}-{n}" for n in range(60)]
    asks = [households[n::3] + households[: 20 * (n + 1)] for n in range(6)]
    keysets = await asyncio.gather(*(keystore.ensure(ask) for ask in asks))
    loaded = await keystore.load(households)
    for ask, keys in zip(asks, keysets, strict=True):
        for household in ask:
            token = keys.seal(household, household.encode(), "signal:x")
            assert loaded.open(token, "signal:x") == household.encode()


async def test_after_a_purge_a_household_gets_a_new_key_and_its_old_data_stays_closed(
    keystore: HouseholdKeys, unique: str
) -> None:
    gone, kept = f"{unique}-gone", f"{unique}-kept"
    before = await keystore.ensure([gone, kept])
    old_token = before.seal(gone, b"before the purge", "signal:1")
    assert await keystore.destroy([gone]) == 1
    with pytest.raises(MissingHouseholdKey):
        (await keystore.load([gone])).open(old_token, "signal:1")
    after = await keystore.ensure([gone, kept])
    with pytest.raises(InvalidTag):
        after.open(old_token, "signal:1")
    new_token = after.seal(gone, b"after the purge", "signal:2")
    assert (await keystore.load([gone])).open(new_token, "signal:2") == b"after the purge"
