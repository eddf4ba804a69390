"""The case file (dossier): the case aggregate with what it does not hold itself.

The aggregate decides; the file adds every signal as the corporation sent it, the household's
sealed contact data and the stored version. `case_document` is the one place the document the
USD reads (CONTRACT §3, §8) is built, for the API and for the case events alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.case_document import (
    RECENT_HISTORY,
    RECENT_SIGNALS,
    CaseDocument,
    CaseSignal,
)
from shared.case_housing import EvictionRecord, HousingPlanRecord, ShelterBookingRecord
from triage.domain.case import Case
from triage.domain.ddas import case_result, contact_kind, dagdeel
from triage.domain.deadlines import local_date
from triage.domain.housing import HousingPlan
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


def case_document(file: CaseFile, now: datetime) -> CaseDocument:
    """The case as GET /v1/cases/{id} shows it at `now`, without the household (the reader adds
    it); bounded: the most recent signals and history lines, with their totals."""
    case, a = file.case, file.case.assessment
    open_ids = {f.signal_id for f in case.open_signals.values()}
    eviction, plan, stay = case.eviction, case.housing_plan, case.shelter_stay
    recent = file.signals[-RECENT_SIGNALS:]
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
        assessed_at=case.assessed_at or case.opened_at,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        eviction=EvictionRecord(
            judgment_date=eviction.judgment_date,
            eviction_date=eviction.eviction_date,
            days_left=eviction.days_left(local_date(now)),
            state=eviction.state,
        )
        if eviction
        else None,
        housing_plan=plan_record(plan) if plan else None,
        shelter_booking=ShelterBookingRecord(
            id=stay.booking_id,
            facility=stay.facility,
            unit=stay.unit,
            from_=stay.from_date,
            until=stay.until_date,
            booked_at=stay.booked_at,
        )
        if stay
        else None,
        # The lists' items go in as plain dicts: pydantic validates them into `CaseSignal`,
        # `ContactAttemptRecord` and `HistoryItem` in one pass (the same checks as building each
        # model by hand, without a Python-level constructor call per item).
        signals=[_signal_fields(s, s.signal_id in open_ids) for s in recent],
        signals_total=len(file.signals),
        contact_attempts=[
            {
                "id": c.id,
                "channel": c.channel,
                "reached": c.reached,
                "at": c.at,
                "kind": contact_kind(c.channel, c.kind),
                "dagdeel": c.dagdeel or dagdeel(c.at),
            }
            for c in case.contact_attempts
        ],
        outcome=case.outcome,
        ddas_result=case_result(case),
        history=[
            {"at": h.at, "kind": h.kind, "detail": dict(h.detail)}
            for h in case.history[-RECENT_HISTORY:]
        ],
        history_total=len(case.history),
    )


def signal_record(signal: SignalFact, is_open: bool) -> CaseSignal:
    return CaseSignal.model_validate(_signal_fields(signal, is_open))


def _signal_fields(signal: SignalFact, is_open: bool) -> dict[str, Any]:
    return {
        "id": signal.signal_id,
        "source": signal.source,
        "type": signal.type,
        "occurred_at": signal.occurred_at,
        "details": dict(signal.details),
        "open": is_open,
    }


def plan_record(plan: HousingPlan) -> HousingPlanRecord:
    return HousingPlanRecord(
        id=plan.id,
        kind=plan.kind,
        summary=plan.summary,
        starts_on=plan.starts_on,
        recorded_at=plan.recorded_at,
        recorded_by=plan.recorded_by,
    )
