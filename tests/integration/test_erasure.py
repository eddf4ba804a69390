"""Erasure reaches every copy (CONTRACT §10): after a run with known names, phone numbers,
e-mail addresses and birth dates, one household is purged; then the database, the key store,
the event stream, the parked records and a backup of the data taken before the purge are
searched for its data, and every sealed copy found is tried with every key the system holds."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url

from notifier.tables import notifications
from services.purge import purge
from services.purge_cli import run_purge
from services.schema import upgrade
from shared.audit import CLI
from shared.audit.tables import audit_log
from shared.bus import Record
from shared.envelope import KeySet
from shared.events import CASES_TOPIC, SIGNALS_TOPIC, CaseChanged, case_binding, signal_binding
from shared.keystore.keys import wrap_binding
from shared.keystore.tables import household_keys
from shared.parking import park
from shared.settings import Settings
from tests.conftest import SettingsFactory
from tests.e2e.process import eventually
from tests.harness import Harness, running
from tests.integration.test_triage_flow import case_of
from tests.signals import rent_arrears
from triage.domain.policy import default_policy_path, load_policy
from triage.household_contacts import source_binding
from triage.tables import cases

JSON = {"Content-Type": "application/json"}
RETENTION = load_policy(default_policy_path()).retention
TOKEN = re.compile(rb"hk1\.([0-9a-f]{32})\.([A-Za-z0-9_\-]+=*)")


def person(n: int, unique: str) -> dict[str, str]:
    return {
        "name": f"Erasable Person {unique}{n}",
        "phone": f"+3161{n}{int(unique[:6], 16) % 10**6:06d}"[:13],
        "email": f"erase.{unique}.{n}@example.nl",
        "date_of_birth": f"19{60 + n}-0{n}-1{n}",
    }


def household_signal(who: dict[str, str], unique: str, n: int) -> dict[str, Any]:
    signal = rent_arrears(amount=2400.0, minors=1, house_number=5000 + n)
    signal["household"]["contacts"] = [who]
    signal["household"]["tenant_reference"] = f"HUUR-{unique[:8]}-{n}"
    signal["household"]["address"]["postcode"] = f"{1000 + int(unique[:3], 16) % 8999} ZZ"
    return signal


@pytest.fixture
async def isolated(stack: Settings, unique: str) -> AsyncIterator[Settings]:
    """On PostgreSQL a data database and a key store database of the test's own: the purge
    runs over all of the data, and the data's dump must hold no key."""
    if not stack.database_url:
        yield stack
        return
    base = make_url(stack.database_url)
    names = (f"data_{unique}", f"keys_{unique}")
    admin = await asyncpg.connect(
        host=base.host, port=base.port, user=base.username, password=base.password,
        database=base.database,
    )  # fmt: skip
    for name in names:
        await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        data, keys = (base.set(database=n).render_as_string(hide_password=False) for n in names)
        await upgrade(data)
        yield stack.model_copy(update={"database_url": data, "keystore_url": keys})
    finally:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def backup(settings: Settings, folder: Path) -> bytes:
    """What an operator's backup holds: a copy of the SQLite file, or a pg_dump."""
    if not settings.database_url:
        copy = folder / "backup.sqlite3"
        source = sqlite3.connect(settings.data_dir / "vroegsignaal.sqlite3")
        target = sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
        return sqlite_cells(copy)
    url = make_url(settings.database_url)
    dump = subprocess.run(
        ["pg_dump", "-h", str(url.host), "-p", str(url.port), "-U", str(url.username),
         "--data-only", str(url.database)],
        capture_output=True, check=True, env={"PGPASSWORD": str(url.password)},
    )  # fmt: skip
    return dump.stdout


def sqlite_cells(path: Path) -> bytes:
    """Every cell of every table, one per line (tokens may span a file's overflow pages)."""
    db = sqlite3.connect(path)
    out = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        for row in db.execute(f'SELECT * FROM "{table}"'):
            for cell in row:
                out.append(cell if isinstance(cell, bytes) else str(cell).encode())
    db.close()
    return b"\n".join(out)


def tokens_of(blob: bytes, pseudonym: str) -> set[str]:
    return {m.group(0).decode() for m in TOKEN.finditer(blob) if m.group(1).decode() == pseudonym}


async def stream_bytes(vs: Harness, unique: str) -> bytes:
    """The event stream as a new consumer reads it from the start."""
    consumer = vs.runtime.bus.consumer(f"erasure-{unique}", [SIGNALS_TOPIC, CASES_TOPIC])
    await consumer.start()
    seen: list[bytes] = []
    try:
        while records := await consumer.fetch(1000, 1.0):
            seen += [r.key + b"\n" + r.value for r in records]
    finally:
        await consumer.stop()
    return b"\n".join(seen)


async def every_key_held(vs: Harness) -> list[bytes]:
    """Every household data key in the key store."""
    keystore = vs.runtime.vault.households
    engine = keystore.engine  # type: ignore[attr-defined]
    async with engine.connect() as conn:
        rows = (await conn.execute(select(household_keys))).all()
    return [vs.runtime.vault.open(r.wrapped_key, wrap_binding(r.household_pseudonym)) for r in rows]


async def opens(vs: Harness, token: str, bindings: Iterable[str]) -> bool:
    """Whether any key the system holds opens `token`: the key ring, and every household key
    tried as this household's, under each binding its copies use."""
    pseudonym = token.split(".")[1]
    held = await every_key_held(vs)
    for binding in bindings:
        for key in held:
            try:
                KeySet({pseudonym: key}, vs.runtime.vault.open).open(token, binding)
                return True
            except InvalidTag:
                continue
        try:
            vs.runtime.vault.open(token, binding)
            return True
        except (KeyError, InvalidTag, ValueError):
            continue
    return False


async def test_a_purged_household_cannot_be_opened_anywhere_any_more(
    isolated: Settings, unique: str, tmp_path: Path
) -> None:
    settings = isolated
    gone, kept = person(1, unique), person(2, unique)
    async with running(settings) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        signals = [household_signal(gone, unique, 1), household_signal(kept, unique, 2)]
        for signal in signals:
            assert (
                await vs.client.post("/v1/signals", json=signal, headers=corp)
            ).status_code == 202
        case_gone, case_kept = [await case_of(vs, s) for s in signals]
        assert case_gone["household"]["contacts"][0]["name"] == gone["name"]
        closed = await vs.client.post(
            f"/v1/cases/{case_gone['id']}/outcome", json={"outcome": "not_reached"}, headers=usd
        )
        assert closed.status_code == 200

        async with vs.runtime.engine.connect() as conn:
            pseudonym_gone, pseudonym_kept = [
                await conn.scalar(
                    select(cases.c.household_pseudonym).where(cases.c.case_id == c["id"])
                )
                for c in (case_gone, case_kept)
            ]
        stream = await eventually(lambda: _with_closed(vs, unique, pseudonym_gone), 30)
        # A record a consumer could not handle, parked as it came off the stream (a dead letter).
        signal_record = next(
            r for r in stream if r.topic == SIGNALS_TOPIC and r.key.decode() == pseudonym_gone
        )
        async with vs.runtime.engine.begin() as conn:
            await park(conn, "test-consumer", signal_record, "test: could not handle")

        bindings = [
            *(
                f"{p}{signal_binding(f'corp-{unique}', s['id'])}"
                for p in ("", "event:")
                for s in signals
            ),
            case_binding(case_gone["id"]),
            source_binding(case_gone["id"], f"corp-{unique}"),
            case_binding(case_kept["id"]),
            source_binding(case_kept["id"], f"corp-{unique}"),
        ]
        before = backup(settings, tmp_path)
        in_backup = tokens_of(before, pseudonym_gone)
        # The signal's row, the case's household (its notification holds the same token) and
        # the contacts kept per corporation; on SQLite the parked record's too.
        assert len(in_backup) >= 3
        assert all([await opens(vs, t, bindings) for t in in_backup])  # the check can succeed

        later = datetime.now(UTC) + timedelta(days=31 * 13)
        report = await purge(vs.runtime.engine, vs.runtime.vault, RETENTION, later, CLI)
        counts = report.counts
        assert (counts["cases"], counts["household keys"], counts["parked records"]) == (1, 1, 1)
        assert counts["signals"] == 1 and counts["notifications"] >= 1

        gone_values = [*gone.values(), signals[0]["household"]["tenant_reference"]]
        everywhere = {
            "the backup taken before the purge": before,
            "the database now": backup(settings, tmp_path),
            "the event stream": await stream_bytes(vs, unique + "-after"),
        }
        for path in settings.data_dir.rglob("*"):
            if path.is_file():
                everywhere[str(path)] = path.read_bytes()
        found = {where: tokens_of(blob, pseudonym_gone) for where, blob in everywhere.items()}
        assert found["the event stream"] and found["the backup taken before the purge"]
        assert not found["the database now"]
        for where, blob in everywhere.items():
            assert not [v for v in gone_values if v.encode() in blob], where
            for token in found[where]:
                assert not await opens(vs, token, bindings), where

        # The other household is untouched: its copies still open, its case still reads.
        still = tokens_of(everywhere["the database now"], pseudonym_kept)
        assert still and all([await opens(vs, t, bindings) for t in still])
        shown = await vs.client.get(f"/v1/cases/{case_kept['id']}", headers=usd)
        assert shown.json()["household"]["contacts"][0]["email"] == kept["email"]
        assert (await vs.client.get(f"/v1/cases/{case_gone['id']}", headers=usd)).status_code == 404


async def _with_closed(vs: Harness, unique: str, pseudonym: str) -> list[Record] | None:
    """The stream's records once the closed case's event and its notification are in."""
    group = f"erasure-look-{unique}-{uuid.uuid4().hex[:6]}"
    consumer = vs.runtime.bus.consumer(group, [SIGNALS_TOPIC, CASES_TOPIC])
    await consumer.start()
    records: list[Record] = []
    try:
        while batch := await consumer.fetch(1000, 0.5):
            records += batch
    finally:
        await consumer.stop()
    closed = [
        CaseChanged.model_validate_json(r.value)
        for r in records
        if r.topic == CASES_TOPIC and r.key.decode() == pseudonym
    ]
    case_ids = [c.case_id for c in closed if c.change == "closed"]
    if not case_ids:
        return None
    async with vs.runtime.engine.connect() as conn:
        stored = await conn.scalar(
            select(func.count())
            .select_from(notifications)
            .where(notifications.c.subject == case_ids[0])
        )
    return records if stored else None


async def test_purge_cli_prints_what_it_would_remove_then_removes_it_once(
    make_settings: SettingsFactory, unique: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()
    async with running(settings) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:write")}
        signal = household_signal(person(3, unique), unique, 3)
        assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).status_code == 202
        case = await case_of(vs, signal)
        outcome = {"outcome": "help_accepted"}
        await vs.client.post(f"/v1/cases/{case['id']}/outcome", json=outcome, headers=usd)
        async with vs.runtime.engine.begin() as conn:  # closed 23 months ago: still kept
            await conn.execute(
                update(cases)
                .where(cases.c.case_id == case["id"])
                .values(closed_at=datetime.now(UTC) - timedelta(days=30 * 23))
            )
    capsys.readouterr()
    assert await run_purge(settings, dry_run=True) == 0
    assert "  cases: 0" in capsys.readouterr().out  # help followed: 24 months

    async with running(settings, workers=False) as vs, vs.runtime.engine.begin() as conn:
        await conn.execute(
            update(cases)
            .where(cases.c.case_id == case["id"])
            .values(closed_at=datetime.now(UTC) - timedelta(days=30 * 25))
        )
    assert await run_purge(settings, dry_run=True) == 0
    out = capsys.readouterr().out
    assert out.startswith("purge (dry run): would remove")
    assert "  cases: 1" in out and "  household keys: 1" in out and "  signals: 1" in out
    assert await run_purge(settings, dry_run=False) == 0
    out = capsys.readouterr().out
    assert out.startswith("purge: removed") and "  cases: 1" in out and "  household keys: 1" in out
    assert await run_purge(settings, dry_run=False) == 0
    assert "  cases: 0" in capsys.readouterr().out

    async with running(settings, workers=False) as vs, vs.runtime.engine.connect() as conn:
        purges = (
            await conn.execute(select(audit_log).where(audit_log.c.action == "purge.run"))
        ).all()
    assert len(purges) == 1 and purges[0].actor_kind == "cli"
