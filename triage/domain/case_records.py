"""Value types recorded on a case: status, outcomes, contact attempts, history and changes.

Kept apart from the `Case` aggregate so adapters can map them without the behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, Literal, get_args

CaseStatus = Literal["open", "contacted", "closed"]
# What the USD records when it closes a case (resultaat, CONTRACT §3).
UsdOutcome = Literal[
    "help_accepted",
    "help_declined",
    "not_reached",
    "already_in_care",
    "repeated_signal",
    "not_resident",
    "closed_other",
]
USD_OUTCOMES: Final[tuple[UsdOutcome, ...]] = get_args(UsdOutcome)
# `resolved`: the corporation withdrew every open signal (CONTRACT §3 property 6).
Outcome = UsdOutcome | Literal["resolved"]
ContactChannel = Literal["letter", "phone", "email", "sms", "home_visit", "other"]
CONTACT_CHANNELS: Final[tuple[ContactChannel, ...]] = get_args(ContactChannel)
# Notification kinds; `None` on a CaseChange means "recorded, but nobody is notified".
ChangeKind = Literal["opened", "updated", "escalated", "closed"]
CorporationSignalStatus = Literal["accepted", "picked_up", "not_picked_up"]


@dataclass(frozen=True)
class ContactAttempt:
    """Contactpoging: one attempt by the USD to reach the household."""

    channel: ContactChannel
    reached: bool
    at: datetime


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
