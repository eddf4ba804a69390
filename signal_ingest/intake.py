"""Use case: accept signals — persist each with its outbox event atomically (persist first).

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

from shared.bus import Record
from shared.cloudevent import CloudEvent
from shared.crypto import PiiVault
from shared.events import SIGNAL_RECEIVED, SIGNALS_TOPIC, SignalReceived, signal_event_source
from signal_ingest.domain.signal import SignalIn
from signal_ingest.store import NewSignal, SignalKey, SignalStore

Verdict = Literal["accepted", "duplicate", "conflict"]
Posted = tuple[str, SignalIn]
"""A signal and the source that posted it."""


@dataclass(frozen=True, slots=True)
class Intake:
    id: str
    verdict: Verdict
    received_at: datetime


def body_hash(signal: SignalIn) -> str:
    """Hash of the normalised body: a replay is recognised whatever the key order or spacing.
    Every stored signal's hash was made this way: changing it would turn replays into conflicts."""
    canonical = orjson.dumps(signal.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def prepare(
    signal: SignalIn, digest: str, source: str, vault: PiiVault, now: datetime
) -> NewSignal:
    """The row to store (personal data sealed) and the `signal.received` event (household
    sealed, keyed by its pseudonym)."""
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
        district=household.address.postcode[:4],
    )
    event = CloudEvent(
        type=SIGNAL_RECEIVED,
        source=signal_event_source(source),
        id=str(signal.id),
        subject=pseudonym,
        time=now,
        data=data.model_dump_json().encode(),
    )
    return NewSignal(row, Record.of(SIGNALS_TOPIC, pseudonym, event))


async def accept_signals(
    store: SignalStore, posted: Sequence[Posted], vault: PiiVault
) -> list[Intake]:
    """Stores new signals and their events; classifies the rest as duplicate or conflict.
    One verdict per posted signal, in order (a signal posted twice is accepted once)."""
    now = datetime.now(UTC)
    digests = [body_hash(signal) for _, signal in posted]
    fresh: dict[SignalKey, NewSignal] = {}
    for (source, signal), digest in zip(posted, digests, strict=True):
        key = (source, str(signal.id))
        if key not in fresh:
            fresh[key] = prepare(signal, digest, source, vault, now)
    inserted = await store.add(list(fresh.values()))
    known = await store.stored([key for key in fresh if key not in inserted])
    for key in inserted:
        known[key] = (str(fresh[key].row["body_hash"]), now)
    outcome, first_seen = [], set()
    for (source, signal), digest in zip(posted, digests, strict=True):
        key = (source, str(signal.id))
        known_hash, received_at = known[key]
        if digest != known_hash:
            verdict: Verdict = "conflict"
        elif key in inserted and key not in first_seen:
            verdict = "accepted"
        else:
            verdict = "duplicate"
        first_seen.add(key)
        outcome.append(Intake(key[1], verdict, received_at))
    return outcome
