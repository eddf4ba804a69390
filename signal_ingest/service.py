"""Ingest's use cases, one function each: load what is stored, let the domain judge, save with
the events.

Storage comes in as a protocol (`signal_ingest.repository` on the database, or a fake in unit
tests); the `signal.received` event is made here, with the signal it announces.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Protocol

from shared.crypto import PiiVault
from shared.events import CaseChanged
from shared.vocabulary import SignalStatus
from signal_ingest.domain.intake import (
    Intake,
    Posted,
    Receipt,
    SignalKey,
    body_hash,
    judge,
    signal_key,
)
from signal_ingest.domain.status import SignalState, status_after
from signal_ingest.received import NewSignal, household_pseudonym, new_signal


class SignalRecords(Protocol):
    """What accepting and reading signals need from storage; each call is atomic on its own."""

    async def add(self, new: Sequence[NewSignal]) -> set[SignalKey]:
        """Stores the signals whose key is not taken, with their events; returns their keys."""

    async def receipts(self, keys: Collection[SignalKey]) -> dict[SignalKey, Receipt]: ...

    async def state(self, source: str, signal_id: str) -> SignalState | None: ...


class SignalStatuses(Protocol):
    """What case feedback needs from storage, inside the consumer's transaction."""

    async def set_status(self, keys: Sequence[SignalKey], status: SignalStatus) -> None: ...


async def accept_signals(
    signals: SignalRecords, posted: Sequence[Posted], vault: PiiVault
) -> list[Intake]:
    """Stores new signals with their events in one write (persist first); judges the rest as
    duplicate or conflict. One verdict per posted signal, in order."""
    now = datetime.now(UTC)
    digests = [body_hash(signal) for _, signal in posted]
    fresh: dict[SignalKey, NewSignal] = {}
    pseudonyms = [household_pseudonym(vault, signal) for _, signal in posted]
    keys = await vault.households.ensure(set(pseudonyms))
    for (source, signal), digest, pseudonym in zip(posted, digests, pseudonyms, strict=True):
        key = signal_key(source, signal)
        if key not in fresh:
            fresh[key] = new_signal(signal, digest, source, vault, now, keys, pseudonym=pseudonym)
    inserted = await signals.add(list(fresh.values()))
    stored = await signals.receipts([key for key in fresh if key not in inserted])
    stored.update({key: Receipt(fresh[key].body_hash, now) for key in inserted})
    return judge(posted, digests, inserted, stored)


async def signal_state(signals: SignalRecords, source: str, signal_id: str) -> SignalState | None:
    """A signal's status, for the source that posted it only (another source's is not found)."""
    return await signals.state(source, signal_id)


async def apply_case_feedback(statuses: SignalStatuses, change: CaseChanged) -> None:
    """A closed case tells its signals' sources whether they were picked up."""
    decided = status_after(change)
    if decided is not None:
        await statuses.set_status(decided.signals, decided.status)
