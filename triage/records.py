"""Maps the Case aggregate to its row and to the case document the USD reads (CONTRACT §3).

The row keeps query columns (status, priority, deadline) beside a JSON state; personal data is
only in `sealed_household`, which the document opens for an authorised reader.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.case_document import CaseDocument, CaseSignal, ContactAttemptRecord, HistoryItem
from shared.vocabulary import Reason, priority_rank
from triage.domain.assessment import Assessment
from triage.domain.case import Case
from triage.domain.case_records import ContactAttempt, HistoryEntry
from triage.domain.signals import Household, SignalFact


def _fact(data: dict[str, Any]) -> SignalFact:
    return SignalFact(
        signal_id=data["id"],
        source=data["source"],
        type=data["type"],
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        details=data["details"],
    )


def fact_json(fact: SignalFact) -> dict[str, Any]:
    return {
        "id": fact.signal_id,
        "source": fact.source,
        "type": fact.type,
        "occurred_at": fact.occurred_at.isoformat(),
        "details": dict(fact.details),
    }


def case_row(
    case: Case, sealed_household: str, signals: list[dict[str, Any]], version: int
) -> dict[str, Any]:
    a = case.assessment
    state = {
        "household": {"minors": case.household.minors, "adults": case.household.adults},
        "open_signals": {t: fact_json(f) for t, f in case.open_signals.items()},
        "signals": signals,
        "reasons": [[r.code, r.points, r.text] for r in a.reasons],
        "contact_attempts": [
            [c.channel, c.reached, c.at.isoformat()] for c in case.contact_attempts
        ],
        "history": [[h.at.isoformat(), h.kind, dict(h.detail)] for h in case.history],
    }
    return {
        "case_id": case.case_id,
        "household_pseudonym": case.household_pseudonym,
        "status": case.status,
        "priority": a.priority,
        "priority_rank": -priority_rank(a.priority),
        "risk_score": a.score,
        "team": a.team,
        "respond_before": case.respond_before,
        "overdue_escalated_for": case.overdue_escalated_for,
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "outcome": case.outcome,
        "policy_version": a.policy_version,
        "sealed_household": sealed_household,
        "state": state,
        "version": version,
    }


def case_from_row(row: Any) -> Case:
    state = row.state
    assessment = Assessment(
        score=row.risk_score,
        priority=row.priority,
        reasons=tuple(Reason(c, p, t) for c, p, t in state["reasons"]),
        team=row.team,
        policy_version=row.policy_version,
    )
    return Case(
        case_id=row.case_id,
        household_pseudonym=row.household_pseudonym,
        household=Household(**state["household"]),
        open_signals={t: _fact(f) for t, f in state["open_signals"].items()},
        assessment=assessment,
        opened_at=row.opened_at,
        respond_before=row.respond_before,
        status=row.status,
        outcome=row.outcome,
        closed_at=row.closed_at,
        signal_ids=[s["id"] for s in state["signals"]],
        contact_attempts=[
            ContactAttempt(ch, r, datetime.fromisoformat(at))
            for ch, r, at in state["contact_attempts"]
        ],
        history=[
            HistoryEntry(datetime.fromisoformat(at), kind, detail)
            for at, kind, detail in state["history"]
        ],
        overdue_escalated_for=row.overdue_escalated_for,
    )


def case_document(case: Case, signals: list[dict[str, Any]]) -> CaseDocument:
    """The case as GET /v1/cases/{id} shows it, without the household (added by the reader)."""
    a = case.assessment
    open_ids = {f.signal_id for f in case.open_signals.values()}
    return CaseDocument(
        id=case.case_id,
        status=case.status,
        risk_score=a.score,
        priority=a.priority,
        reasons=list(a.reasons),
        team=a.team,
        respond_before=case.respond_before,
        policy_version=a.policy_version,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        signals=[CaseSignal(**s, open=s["id"] in open_ids) for s in signals],
        contact_attempts=[
            ContactAttemptRecord(channel=c.channel, reached=c.reached, at=c.at)
            for c in case.contact_attempts
        ],
        outcome=case.outcome,
        history=[HistoryItem(at=h.at, kind=h.kind, detail=dict(h.detail)) for h in case.history],
    )
