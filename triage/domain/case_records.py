"""Value types recorded on a case: status, outcomes, contact attempts, history and changes.

Kept apart from the `Case` aggregate so adapters can map them without the behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from shared.vocabulary import ChangeKind, ContactChannel


@dataclass(frozen=True)
class ContactAttempt:
    """Contactpoging: one attempt by the USD to reach the household; `id` makes it idempotent."""

    id: str
    channel: ContactChannel
    reached: bool
    at: datetime
    kind: str | None = None
    """The DDAS contactsoort when the USD posted one (e.g. Kaartje); None: our channel's."""
    dagdeel: str | None = None
    """DDAS dagdeel (Ochtend/Middag/Avond) when the USD posted one; None: from `at`."""


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the case's audit trail; `detail` is JSON-ish and free of personal data."""

    at: datetime
    kind: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "detail", MappingProxyType(dict(self.detail)))


@dataclass(frozen=True)
class CaseChange:
    """What an operation did to a case and whether the USD must be told (`kind`).

    `cause` says why, e.g. "signal_added", "priority_rose", "deadline_passed", "repeated_signal".
    """

    case_id: str
    kind: ChangeKind | None
    cause: str
    at: datetime

    @property
    def notifies(self) -> bool:
        return self.kind is not None
