"""Maps a case file to its row in `cases` and back; private to `triage.repository`.

The row keeps query columns (status, priority, deadline) beside a JSON state; personal data is
only in `sealed_household`.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from shared.vocabulary import PROBLEM_TYPES, Reason, priority_rank
from triage.case_file import CaseFile
from triage.domain.assessment import Assessment
from triage.domain.case import Case
from triage.domain.case_records import ContactAttempt, HistoryEntry
from triage.domain.signals import Household, OpenKey, SignalFact
from triage.housing_rows import (
    alert_from_json,
    alert_json,
    eviction_from_json,
    eviction_json,
    plan_from_json,
    plan_json,
    stay_from_json,
    stay_json,
)
from triage.work_queue import QueuedCase


def fact_json(fact: SignalFact) -> dict[str, Any]:
    return {
        "id": fact.signal_id,
        "source": fact.source,
        "type": fact.type,
        "occurred_at": fact.occurred_at.isoformat(),
        "details": dict(fact.details),
    }


def fact_from_json(data: dict[str, Any]) -> SignalFact:
    return SignalFact(
        signal_id=data["id"],
        source=data["source"],
        type=data["type"],
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        details=data["details"],
    )


def queue_rank(case: Case) -> int:
    """The `priority_rank` column: ascending order puts the most urgent first."""
    return -priority_rank(case.assessment.priority)


def case_row(file: CaseFile, version: int) -> dict[str, Any]:
    case, a = file.case, file.case.assessment
    state = {
        "household": {
            "minors": case.household.minors,
            "adults": case.household.adults,
            "district": case.household.district,
        },
        "sealed_by_source": file.sealed_by_source,
        "latest_source": file.latest_source,
        "open_signals": [fact_json(f) for f in case.open_signals.values()],
        "signals": [fact_json(f) for f in file.signals],
        "contact_attempts": [
            [c.channel, c.reached, c.at.isoformat(), c.id, c.kind, c.dagdeel]
            for c in case.contact_attempts
        ],
        "ddas_result": case.ddas_result,
        "history": [[h.at.isoformat(), h.kind, dict(h.detail)] for h in case.history],
        "assessed_at": case.assessed_at.isoformat() if case.assessed_at else None,
        "eviction": eviction_json(case.eviction),
        "housing_plans": [plan_json(p) for p in case.housing_plans],
        "shelter_stay": stay_json(case.shelter_stay),
        "previous_case_closed_at": _iso(case.previous_case_closed_at),
        "plan_alert": alert_json(case.plan_alert),
    }
    plan = case.housing_plan
    return {
        "case_id": case.case_id,
        "household_pseudonym": case.household_pseudonym,
        "status": case.status,
        "priority": a.priority,
        "priority_rank": queue_rank(case),
        "risk_score": a.score,
        "team": a.team,
        "respond_before": case.respond_before,
        "overdue_escalated_for": case.overdue_escalated_for,
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "outcome": case.outcome,
        "policy_version": a.policy_version,
        "sealed_household": file.sealed_household,
        "district": case.household.district,
        "minors": case.household.minors,
        "eviction_date": planned_eviction(case),
        "housing_plan": plan.kind if plan else None,
        "listing": {
            "signal_types": sorted_types(case.open_types()),
            "reasons": [[r.code, r.points, r.text] for r in a.reasons],
        },
        "state": state,
        "version": version,
    }


def case_file_from_row(row: Any) -> CaseFile:
    state = row.state
    assessment = Assessment(
        score=row.risk_score,
        priority=row.priority,
        reasons=tuple(Reason(c, p, t) for c, p, t in row.listing["reasons"]),
        team=row.team,
        policy_version=row.policy_version,
    )
    case = Case(
        case_id=row.case_id,
        household_pseudonym=row.household_pseudonym,
        household=Household(**state["household"]),
        open_signals=_open_signals(state["open_signals"]),
        assessment=assessment,
        opened_at=row.opened_at,
        respond_before=row.respond_before,
        status=row.status,
        outcome=row.outcome,
        ddas_result=state.get("ddas_result"),
        closed_at=row.closed_at,
        signal_ids=[s["id"] for s in state["signals"]],
        contact_attempts=[
            _attempt(row.case_id, i, a) for i, a in enumerate(state["contact_attempts"])
        ],
        history=[
            HistoryEntry(datetime.fromisoformat(at), kind, detail)
            for at, kind, detail in state["history"]
        ],
        overdue_escalated_for=row.overdue_escalated_for,
        assessed_at=_moment(state.get("assessed_at")),
        eviction=eviction_from_json(state.get("eviction")),
        housing_plans=[plan_from_json(p) for p in state.get("housing_plans", [])],
        shelter_stay=stay_from_json(state.get("shelter_stay")),
        previous_case_closed_at=_moment(state.get("previous_case_closed_at")),
        plan_alert=alert_from_json(state.get("plan_alert")),
    )
    signals = [fact_from_json(s) for s in state["signals"]]
    by_source, latest = _sealed_by_source(state, signals, row.sealed_household)
    return CaseFile(case, row.sealed_household, by_source, latest, signals, row.version)


def _sealed_by_source(
    state: dict[str, Any], signals: list[SignalFact], sealed: str
) -> tuple[dict[str, str], str]:
    """Rows written before contacts were kept per corporation hold one household: the latest
    problem signal's, so it is that corporation's."""
    if "sealed_by_source" in state:
        return dict(state["sealed_by_source"]), str(state["latest_source"])
    latest = next((s.source for s in reversed(signals) if s.type != "resolved"), signals[0].source)
    return {latest: sealed}, latest


def _open_signals(
    stored: list[dict[str, Any]] | dict[str, dict[str, Any]],
) -> dict[OpenKey, SignalFact]:
    """A list of facts; rows written before signals were kept per source hold a dict by type."""
    facts = [fact_from_json(f) for f in (stored.values() if isinstance(stored, dict) else stored)]
    return {fact.key: fact for fact in facts}


def _attempt(case_id: str, index: int, stored: list[Any]) -> ContactAttempt:
    """[channel, reached, at, id, kind, dagdeel]; attempts stored before ids were kept get a
    stable one, and before DDAS kinds were kept none."""
    channel, reached, at = stored[:3]
    id_ = (
        stored[3] if len(stored) > 3 else str(uuid.uuid5(uuid.NAMESPACE_URL, f"{case_id}/{index}"))
    )
    kind, dagdeel = (stored[4], stored[5]) if len(stored) > 5 else (None, None)
    return ContactAttempt(id_, channel, reached, datetime.fromisoformat(at), kind, dagdeel)


def sorted_types(types: Collection[str]) -> list[str]:
    """Open problem types in the vocabulary's order."""
    return [t for t in PROBLEM_TYPES if t in types]


def planned_eviction(case: Case) -> date | None:
    """The eviction date while the eviction is ordered (the `eviction_date` queue column)."""
    eviction = case.eviction
    return eviction.eviction_date if eviction and eviction.state == "ordered" else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def queued_case(row: Any) -> QueuedCase:
    return QueuedCase(
        case_id=row.case_id,
        status=row.status,
        priority=row.priority,
        risk_score=row.risk_score,
        team=row.team,
        respond_before=row.respond_before,
        opened_at=row.opened_at,
        outcome=row.outcome,
        signal_types=list(row.listing["signal_types"]),
        minors=row.minors,
        district=row.district,
        eviction_date=row.eviction_date,
        housing_plan=row.housing_plan,
        reasons=[Reason(c, p, t) for c, p, t in row.listing["reasons"]],
    )
