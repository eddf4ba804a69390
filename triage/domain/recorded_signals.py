"""The signals a case's history records: when triage took each in, and what it was.

Why the history: it is kept with the case and never reset, so figures drawn from it (the monthly
report, the DDAS export) are the same after any restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from triage.domain.case_state import CaseState

SIGNAL_LINES: Final = frozenset(
    {"opened", "signal_added", "signal_repeated", "signal_resolved", "resolution_ignored"}
)
"""History lines that record a signal (each carries its id, type and source)."""


@dataclass(frozen=True)
class RecordedSignal:
    """A signal as the case's history recorded it: when triage took it in, and what it was."""

    signal_id: str
    at: datetime
    type: str
    source: str


def recorded_signals(case: CaseState) -> list[RecordedSignal]:
    """Each signal the case's history records, once, in the order it came."""
    seen: set[str] = set()
    found = []
    for line in case.history:
        signal_id = line.detail.get("signal_id")
        if line.kind in SIGNAL_LINES and signal_id and signal_id not in seen:
            seen.add(signal_id)
            found.append(
                RecordedSignal(
                    str(signal_id), line.at, str(line.detail["type"]), str(line.detail["source"])
                )
            )
    return found
