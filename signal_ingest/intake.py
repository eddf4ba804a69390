"""Use case: accept signals — persist each with its outbox event in one transaction (persist first).

The same id and body again is a replay (nothing processed twice); the same id with another body
is a conflict. Both are decided by the database's primary key, so concurrent posts agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import orjson
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.bus import Record
from shared.cloudevent import CloudEvent
from shared.crypto import PiiVault
from shared.db import insert_ignoring_conflicts
from shared.events import SIGNAL_RECEIVED, SIGNALS_TOPIC, SignalReceived, signal_event_source
from shared.outbox import add_to_outbox
from signal_ingest.domain.signal import SignalIn
from signal_ingest.tables import signals

Verdict = Literal["accepted", "duplicate", "conflict"]


@dataclass(frozen=True, slots=True)
class Intake:
    id: str
    verdict: Verdict
    received_at: datetime


def body_hash(signal: SignalIn) -> str:
    """Hash of the normalised body: a replay is recognised whatever the key order or spacing."""
    canonical = orjson.dumps(signal.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def _prepare(
    signal: SignalIn, digest: str, source: str, vault: PiiVault, now: datetime
) -> tuple[dict[str, object], Record]:
    household = signal.household
    pseudonym = vault.pseudonym(household.address.identity())
    row = {
        "source": source,
        "signal_id": str(signal.id),
        "type": signal.type,
        "occurred_at": signal.occurred_at,
        "received_at": now,
        "body_hash": digest,
        "status": "accepted",
        "household_pseudonym": pseudonym,
        "minors": household.minors,
        "sealed_body": vault.seal(signal.model_dump_json().encode()),
    }
    data = SignalReceived(
        signal_id=str(signal.id),
        source=source,
        type=signal.type,
        occurred_at=signal.occurred_at,
        received_at=now,
        household_pseudonym=pseudonym,
        minors=household.minors,
        adults=household.adults,
        details=signal.details.model_dump(mode="json"),
        contacts=len(household.contacts),
        sealed_household=vault.seal(household.model_dump_json().encode()),
    )
    event = CloudEvent(
        type=SIGNAL_RECEIVED,
        source=signal_event_source(source),
        id=str(signal.id),
        subject=pseudonym,
        time=now,
        data=data.model_dump_json().encode(),
    )
    return row, Record.of(SIGNALS_TOPIC, pseudonym, event)


async def accept_signals(
    conn: AsyncConnection, source: str, batch: Sequence[SignalIn], vault: PiiVault
) -> list[Intake]:
    """Stores new signals and their events; classifies the rest as duplicate or conflict."""
    now = datetime.now(UTC)
    digests = [body_hash(s) for s in batch]
    fresh: dict[str, tuple[dict[str, object], Record]] = {}
    for signal, digest in zip(batch, digests, strict=True):
        fresh.setdefault(str(signal.id), _prepare(signal, digest, source, vault, now))
    inserted: set[str] = set()
    # Sorted by id: concurrent batches with overlapping ids lock rows in one order (no deadlock).
    rows = sorted((row for row, _ in fresh.values()), key=lambda row: str(row["signal_id"]))
    # One cached statement, executed for many rows (SQLAlchemy's insertmanyvalues batches it).
    stmt = insert_ignoring_conflicts(conn, signals).returning(signals.c.signal_id)
    inserted.update((await conn.execute(stmt, rows)).scalars())
    await add_to_outbox(conn, [record for sid, (_, record) in fresh.items() if sid in inserted])
    stored = await _stored(conn, source, [sid for sid in fresh if sid not in inserted])
    for sid in inserted:
        stored[sid] = (str(fresh[sid][0]["body_hash"]), now)
    outcome, first_seen = [], set()
    for signal, digest in zip(batch, digests, strict=True):
        sid = str(signal.id)
        known_hash, received_at = stored[sid]
        if digest != known_hash:
            verdict: Verdict = "conflict"
        elif sid in inserted and sid not in first_seen:
            verdict = "accepted"
        else:
            verdict = "duplicate"
        first_seen.add(sid)
        outcome.append(Intake(sid, verdict, received_at))
    return outcome


async def _stored(
    conn: AsyncConnection, source: str, ids: list[str]
) -> dict[str, tuple[str, datetime]]:
    if not ids:
        return {}
    result = await conn.execute(
        select(signals.c.signal_id, signals.c.body_hash, signals.c.received_at).where(
            tuple_(signals.c.source, signals.c.signal_id).in_([(source, i) for i in ids])
        )
    )
    return {row.signal_id: (row.body_hash, row.received_at) for row in result}
