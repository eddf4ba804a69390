"""A signal's status: all its source may learn of what became of it (DDAS: opgepakt / niet
opgepakt), and the rule by which a case changes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.events import CaseChanged
from shared.vocabulary import SignalStatus
from signal_ingest.domain.intake import SignalKey


@dataclass(frozen=True, slots=True)
class SignalState:
    """A stored signal as its own source may see it: never score, team, notes or outcome."""

    id: str
    type: str
    received_at: datetime
    status: SignalStatus


@dataclass(frozen=True, slots=True)
class StatusChange:
    signals: list[SignalKey]
    status: SignalStatus


def status_after(change: CaseChanged) -> StatusChange | None:
    """Only a closed case says whether its signals were picked up; any other change says
    nothing a corporation may see."""
    if change.change != "closed" or not change.signal_refs:
        return None
    keys = [(ref.source, ref.signal_id) for ref in change.signal_refs]
    return StatusChange(keys, change.signal_status)
