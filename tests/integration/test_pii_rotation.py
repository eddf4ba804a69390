"""Key rotation (CONTRACT §10): data sealed under the old VS_PII_KEY opens after `vroegsignaal
pii rotate` with the old key removed; a rotation that crashed half-way finishes when run again;
households keep their pseudonym (new signals still group with their open case)."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select, update

from services import pii_rotate
from services.pii_cli import rotate_pii
from services.sealed_repository import SEALED_COLUMNS
from shared.audit.tables import audit_log
from shared.bus import Record
from shared.crypto import PiiVault, generate_pii_key
from shared.keystore.tables import household_keys, keystore_secrets
from shared.parking import park, parked_records
from shared.settings import Settings, SettingsError
from signal_ingest.tables import signals
from tests.harness import running
from tests.integration.test_erasure import household_signal, isolated, person
from tests.integration.test_triage_flow import case_of
from tests.signals import rent_arrears

__all__ = ["isolated"]  # the fixture
JSON = {"Content-Type": "application/json"}


class Crash(RuntimeError):
    pass


async def test_data_sealed_under_the_old_key_opens_after_rotate_without_it(
    isolated: Settings,
    unique: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old_key, new_key = isolated.pii_key or "", generate_pii_key()
    who = person(4, unique)
    signal = household_signal(who, unique, 4)
    async with running(isolated) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).status_code == 202
        case = await case_of(vs, signal)
        # A signal row as it was written before household keys: sealed straight under the ring.
        async with vs.runtime.engine.begin() as conn:
            legacy = vs.runtime.vault.seal(b'{"written": "before household keys"}')
            await conn.execute(
                update(signals)
                .where(signals.c.signal_id == signal["id"])
                .values(sealed_body=legacy)
            )
            # And a dead letter of such a time: a parked record with a ring-sealed household.
            value = orjson.dumps({"signal_id": signal["id"], "sealed_household": legacy})
            await park(conn, "test", Record("t", b"k", value, ()), "test: parked")

    rotating = isolated.model_copy(update={"pii_key": new_key, "pii_old_keys": old_key})
    # A crash after the first committed batch of household keys ...
    real_rotate = pii_rotate.rotate

    async def crashing(*args: object, **kwargs: object) -> pii_rotate.RotationReport:
        def crash(name: str) -> None:
            raise Crash(name)

        return await real_rotate(*args, batch=1, after_batch=crash, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("services.pii_cli.rotate", crashing)
    with pytest.raises(Crash):
        await rotate_pii(rotating)
    monkeypatch.undo()
    # ... and the run again finishes it, re-sealing only what was left.
    capsys.readouterr()
    assert await rotate_pii(rotating) == 0
    out = capsys.readouterr().out
    assert f"everything sealed under key {PiiVault(new_key).active_key_id}" in out
    assert "household_keys.wrapped_key: 1 examined, 0 re-sealed, 1 current" in out  # before
    assert "keystore_secrets.wrapped: 1 examined, 1 re-sealed, 0 current" in out
    assert "signals.sealed_body: 1 examined, 1 re-sealed, 0 current" in out
    assert "cases.sealed_household: 1 examined, 0 re-sealed, 1 current" in out  # household key
    assert "parked_records.value: 1 examined, 1 re-sealed, 0 current" in out
    assert await rotate_pii(rotating) == 0
    again = capsys.readouterr().out.splitlines()[1:]
    assert len(again) == len(SEALED_COLUMNS) and all(" 0 re-sealed" in line for line in again)

    # The old key is gone: everything opens with the new one alone.
    only_new = isolated.model_copy(update={"pii_key": new_key, "pii_old_keys": ""})
    async with running(only_new) as vs:
        usd = await vs.key(f"usd-{unique}", "cases:read")
        shown = await vs.client.get(f"/v1/cases/{case['id']}", headers=usd)
        assert shown.status_code == 200
        assert shown.json()["household"]["contacts"][0]["email"] == who["email"]
        async with vs.runtime.engine.connect() as conn:
            body = await conn.scalar(
                select(signals.c.sealed_body).where(signals.c.signal_id == signal["id"])
            )
            rotated = await conn.scalar(
                select(audit_log.c.id).where(audit_log.c.action == "pii.rotated")
            )
        assert vs.runtime.vault.open(str(body)) == b'{"written": "before household keys"}'
        async with vs.runtime.engine.connect() as conn:
            parked = await conn.scalar(select(parked_records.c.value))
        sealed = orjson.loads(parked)["sealed_household"]
        assert vs.runtime.vault.open(sealed) == b'{"written": "before household keys"}'
        assert rotated is not None
        keystore = vs.runtime.vault.households.engine  # type: ignore[attr-defined]
        async with keystore.connect() as conn:
            wrapped = [r[0] for r in await conn.execute(select(household_keys.c.wrapped_key))]
            wrapped += [r[0] for r in await conn.execute(select(keystore_secrets.c.wrapped))]
        assert wrapped and all(vs.runtime.vault.is_current(w) for w in wrapped)

        # The pseudonym survived the rotation: a new signal joins the household's open case.
        corp = {**JSON, **await vs.key(f"corp2-{unique}", "signals:write")}
        address = signal["household"]["address"]
        more = rent_arrears(amount=3900.0, house_number=address["house_number"])
        more["household"]["address"]["postcode"] = address["postcode"]
        assert (await vs.client.post("/v1/signals", json=more, headers=corp)).status_code == 202
        assert (await case_of(vs, more))["id"] == case["id"]

    # Only the old key, after the rotation: the key store says so at start-up (exit code 2).
    with pytest.raises(SettingsError, match="the key store is sealed under a key"):
        async with running(isolated, workers=False):
            pass
