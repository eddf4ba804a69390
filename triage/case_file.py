"""The case file (dossier): the case aggregate with what it does not hold itself.

The aggregate decides; the file adds every signal as the corporation sent it, the household's
sealed contact data and the stored version. `case_document` is the one place the document the
USD reads (CONTRACT §3) is built, for the API and for the case events alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.case_document import CaseDocument, CaseSignal, ContactAttemptRecord, HistoryItem
from triage.domain.case import Case
from triage.domain.signals import SignalFact


@dataclass
class CaseFile:
    """A case as triage keeps it; `version` 0 means not stored yet."""

    case: Case
    sealed_household: str
    """The merged household (`CaseHousehold`) with contact data, sealed: the case events carry it
    and only the notifier opens it, for the USD."""
    sealed_by_source: dict[str, str]
    """Each corporation's latest household with contacts, sealed as it came with its signal."""
    latest_source: str
    """The corporation whose household came last: the merged address and counts are its."""
    signals: list[SignalFact] = field(default_factory=list)
    """Every signal grouped into the case (repeats and resolutions too, duplicates once)."""
    version: int = 0

    @property
    def is_new(self) -> bool:
        return self.version == 0


def case_document(file: CaseFile) -> CaseDocument:
    """The case as GET /v1/cases/{id} shows it, without the household (the reader adds it)."""
    case, a = file.case, file.case.assessment
    open_ids = {f.signal_id for f in case.open_signals.values()}
    return CaseDocument(
        id=case.case_id,
        status=case.status,
        district=case.household.district,
        minors=case.household.minors,
        risk_score=a.score,
        priority=a.priority,
        reasons=list(a.reasons),
        team=a.team,
        respond_before=case.respond_before,
        policy_version=a.policy_version,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        signals=[
            CaseSignal(
                id=s.signal_id,
                source=s.source,
                type=s.type,
                occurred_at=s.occurred_at,
                details=dict(s.details),
                open=s.signal_id in open_ids,
            )
            for s in file.signals
        ],
        contact_attempts=[
            ContactAttemptRecord(id=c.id, channel=c.channel, reached=c.reached, at=c.at)
            for c in case.contact_attempts
        ],
        outcome=case.outcome,
        history=[HistoryItem(at=h.at, kind=h.kind, detail=dict(h.detail)) for h in case.history],
    )
