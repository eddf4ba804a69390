"""An in-memory signal store for use-case tests (cosmicpython's FakeRepository)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence

from shared.bus import Record
from shared.vocabulary import SignalStatus
from signal_ingest.domain.intake import Receipt, SignalKey
from signal_ingest.domain.status import SignalState
from signal_ingest.received import NewSignal


class FakeSignals:
    """Signals by (source, id), as the primary key keeps them, with the events queued beside."""

    def __init__(self) -> None:
        self.signals: dict[SignalKey, NewSignal] = {}
        self.events: list[Record] = []

    async def add(self, new: Sequence[NewSignal]) -> set[SignalKey]:
        fresh = [signal for signal in new if signal.key not in self.signals]
        self.signals.update({signal.key: signal for signal in fresh})
        self.events += [signal.event for signal in fresh]
        return {signal.key for signal in fresh}

    async def receipts(self, keys: Collection[SignalKey]) -> dict[SignalKey, Receipt]:
        found = [self.signals[key] for key in keys if key in self.signals]
        return {s.key: Receipt(s.body_hash, s.received_at) for s in found}

    async def state(self, source: str, signal_id: str) -> SignalState | None:
        s = self.signals.get((source, signal_id))
        return None if s is None else SignalState(s.signal_id, s.type, s.received_at, s.status)

    async def set_status(self, keys: Sequence[SignalKey], status: SignalStatus) -> None:
        for key in set(keys) & self.signals.keys():
            self.signals[key] = dataclasses.replace(self.signals[key], status=status)
