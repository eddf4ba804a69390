"""What a team mailbox may learn about a case, and when: triage facts, never household data.

E-mail is not an audited channel, so the summary has no field that could carry a name,
phone number, e-mail address, date of birth or address; the team opens the case via the link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import get_args

from shared.case_document import CaseDocument
from shared.vocabulary import CHANGE_KINDS, ChangeKind, Priority, Reason


def is_urgent_for_team(change: ChangeKind, priority: Priority) -> bool:
    """A team mailbox hears of an escalation or a critical case; the rest reach it via the USD."""
    return change == "escalated" or priority == "critical"


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """The facts a team needs to pick up a case from its mailbox."""

    case_id: str
    priority: Priority
    respond_before: datetime
    reasons: tuple[Reason, ...]
    team: str
    change: ChangeKind

    def __post_init__(self) -> None:
        if not self.case_id or not self.team:
            raise ValueError("case_id and team must not be empty")
        if self.priority not in get_args(Priority):
            raise ValueError(f"unknown priority {self.priority!r}")
        if self.change not in CHANGE_KINDS:
            raise ValueError(f"unknown change {self.change!r}")
        if self.respond_before.tzinfo is None:
            raise ValueError("respond_before must be timezone-aware")
        if not all(isinstance(reason, Reason) for reason in self.reasons):
            raise TypeError("reasons must be Reason values")
        object.__setattr__(self, "reasons", tuple(self.reasons))


def summarise_case(case_id: str, case: CaseDocument, change: ChangeKind) -> CaseSummary:
    """The triage facts of the case for a team mailbox."""
    return CaseSummary(
        case_id=case_id,
        priority=case.priority,
        respond_before=case.respond_before,
        reasons=tuple(case.reasons),
        team=case.team,
        change=change,
    )
