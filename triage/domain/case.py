"""The case aggregate (Vroegsignaalzaak): one open case per household groups its signals.

Every operation returns a `CaseChange` whose `kind` tells the caller which notification to send
(None: recorded only). A signal for a household whose case is closed opens a NEW case: the
caller calls `open_case`, because `apply_signal` on a closed case raises `CaseError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from shared.vocabulary import (
    CONTACT_CHANNELS,
    USD_OUTCOMES,
    CaseStatus,
    ChangeKind,
    Outcome,
    priority_rank,
)
from triage.domain.assessment import Assessment
from triage.domain.case_records import CaseChange, ContactAttempt, HistoryEntry
from triage.domain.deadlines import local_date, respond_before
from triage.domain.errors import CaseError, RefusedInput
from triage.domain.policy_model import ScoringPolicy
from triage.domain.scoring import assess, counted_signals
from triage.domain.signals import Household, OpenKey, SignalFact

CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far ahead of our clock a time from the USD may be (its clock may run a little fast)."""


def open_case(
    case_id: str,
    household_pseudonym: str,
    household: Household,
    signal: SignalFact,
    policy: ScoringPolicy,
    now: datetime,
) -> tuple[Case, CaseChange]:
    """Open a case for a household's first problem signal; `resolved` alone opens nothing."""
    if signal.type == "resolved":
        raise CaseError("a 'resolved' signal cannot open a case: there is nothing to resolve")
    assessment = assess(policy, household, [signal], local_date(now))
    case = Case(
        case_id=case_id,
        household_pseudonym=household_pseudonym,
        household=household,
        open_signals={signal.key: signal},
        assessment=assessment,
        opened_at=now,
        respond_before=respond_before(assessment.priority, now, policy),
        signal_ids=[signal.signal_id],
    )
    case.record(now, "opened", _signal_detail(signal) | _assessment_detail(assessment))
    return case, case.change("opened", "signal_added", now)


@dataclass(eq=False)
class Case:
    """State of one Vroegsignaalzaak; mutate it only through its operations."""

    case_id: str
    household_pseudonym: str
    household: Household
    open_signals: dict[OpenKey, SignalFact]
    """Per corporation and type: a `resolved` withdraws only what its own source signalled."""
    assessment: Assessment
    opened_at: datetime
    respond_before: datetime
    status: CaseStatus = "open"
    outcome: Outcome | None = None
    closed_at: datetime | None = None
    signal_ids: list[str] = field(default_factory=list)
    contact_attempts: list[ContactAttempt] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    overdue_escalated_for: datetime | None = None  # the deadline already escalated as passed

    def apply_signal(
        self, signal: SignalFact, household: Household, policy: ScoringPolicy, now: datetime
    ) -> CaseChange:
        """Add a signal: re-score on news, stay silent on repeats (DDAS herhaalde melding)."""
        self._require_not_closed()
        if signal.signal_id in self.signal_ids:
            return self.change(None, "duplicate_signal", now)
        self.signal_ids.append(signal.signal_id)
        if signal.type == "resolved":
            return self._resolve(signal, household, policy, now)
        cause = "repeated_signal" if signal.type == "rent_arrears" else "older_signal"
        own = self.open_signals.get(signal.key)
        if own is not None and not _is_news(signal, own):
            self.record(now, "signal_repeated", _signal_detail(signal) | {"cause": cause})
            return self.change(None, cause, now)
        counted = self.counted(signal.type)
        self.open_signals[signal.key] = signal
        self.household = self.household.merged_with(household)
        if counted is not None and not _is_news(signal, counted):
            # News from its corporation, not for the case: it stays open and counts once the
            # signal that outweighs it is resolved (DDAS herhaalde melding: nothing to announce).
            self.record(now, "signal_repeated", _signal_detail(signal) | {"cause": cause})
            return self._rescore(policy, now, cause, quiet_if_unchanged=True)
        self.record(now, "signal_added", _signal_detail(signal))
        return self._rescore(policy, now, "signal_added")

    def counted(self, type_: str) -> SignalFact | None:
        """The open signal of `type_` that counts for the case, whichever corporation sent it."""
        same = [s for s in self.open_signals.values() if s.type == type_]
        chosen = counted_signals(same)
        return chosen[0] if chosen else None

    def open_types(self) -> set[str]:
        return {signal.type for signal in self.open_signals.values()}

    def record_contact_attempt(self, attempt: ContactAttempt, now: datetime) -> CaseChange:
        """Contactpoging: any attempt, reached or not, stops the deadline escalation.

        So an attempt must have happened: more than `CLOCK_SKEW` ahead of `now` it is refused.
        The same id again changes nothing; with other details it is a conflict.
        """
        self._require_not_closed()
        if attempt.channel not in CONTACT_CHANNELS:
            raise CaseError(f"unknown contact channel {attempt.channel!r}")
        known = next((a for a in self.contact_attempts if a.id == attempt.id), None)
        if known is not None:
            if known != attempt:
                raise CaseError(f"contact attempt {attempt.id} was recorded with other details")
            return self.change(None, "duplicate_attempt", now)
        if attempt.at > now + CLOCK_SKEW:
            raise RefusedInput("at", "a contact attempt cannot lie in the future")
        self.contact_attempts.append(attempt)
        self.status = "contacted"
        detail = {"attempt_id": attempt.id, "channel": attempt.channel, "reached": attempt.reached}
        self.record(attempt.at, "contact_attempt", detail)
        return self.change("updated", "contact_attempt", now)

    def close(self, outcome: Outcome, at: datetime) -> CaseChange:
        """Close with the USD's outcome (resultaat); a closed case stays closed."""
        self._require_not_closed()
        if outcome not in USD_OUTCOMES:
            raise CaseError(f"unknown outcome {outcome!r}; expected one of {list(USD_OUTCOMES)}")
        return self._close(outcome, at, "outcome")

    def deadline_passed(self, now: datetime) -> bool:
        """Open, never contacted and past `respond_before`."""
        return self.status == "open" and not self.contact_attempts and now > self.respond_before

    def escalate_overdue(self, now: datetime) -> CaseChange:
        """Escalate a passed deadline once; a later, new deadline can escalate again."""
        if not self.deadline_passed(now) or self.overdue_escalated_for == self.respond_before:
            return self.change(None, "not_overdue", now)
        self.overdue_escalated_for = self.respond_before
        self.record(now, "deadline_passed", {"respond_before": self.respond_before.isoformat()})
        return self.change("escalated", "deadline_passed", now)

    def record(self, at: datetime, kind: str, detail: dict[str, Any]) -> None:
        """Append to the audit trail; details carry ids and types, never personal data."""
        self.history.append(HistoryEntry(at, kind, detail))

    def change(self, kind: ChangeKind | None, cause: str, at: datetime) -> CaseChange:
        """The result handed back to the caller, who turns `kind` into a notification."""
        return CaseChange(self.case_id, kind, cause, at)

    def _resolve(
        self, signal: SignalFact, household: Household, policy: ScoringPolicy, now: datetime
    ) -> CaseChange:
        resolves = signal.text("resolves") or ""
        key = (signal.source, resolves)
        target = self.open_signals.get(key)
        if target is None or target.occurred_at > signal.occurred_at:
            # Nothing of that type open from this corporation (another's signal is not its to
            # resolve), or the open one is newer than the resolution.
            self.record(now, "resolution_ignored", _signal_detail(signal) | {"resolves": resolves})
            return self.change(None, "nothing_to_resolve", now)
        del self.open_signals[key]
        detail = _signal_detail(signal) | {"resolves": resolves, "reason": signal.text("reason")}
        self.record(now, "signal_resolved", detail)
        if not self.open_signals:
            return self._close("resolved", now, "resolved")
        self.household = self.household.merged_with(household)
        return self._rescore(policy, now, "signal_resolved")

    def _rescore(
        self, policy: ScoringPolicy, now: datetime, cause: str, quiet_if_unchanged: bool = False
    ) -> CaseChange:
        previous = self.assessment
        today = local_date(now)
        self.assessment = assess(policy, self.household, self.open_signals.values(), today)
        if quiet_if_unchanged and self.assessment == previous:
            return self.change(None, cause, now)
        detail = _assessment_detail(self.assessment) | {"previous_priority": previous.priority}
        if priority_rank(self.assessment.priority) <= priority_rank(previous.priority):
            self.record(now, "rescored", detail)
            return self.change("updated", cause, now)
        new_deadline = respond_before(self.assessment.priority, now, policy)
        self.respond_before = min(self.respond_before, new_deadline)
        self.record(now, "escalated", detail | {"respond_before": self.respond_before.isoformat()})
        return self.change("escalated", "priority_rose", now)

    def _close(self, outcome: Outcome, at: datetime, cause: str) -> CaseChange:
        self.status = "closed"
        self.outcome = outcome
        self.closed_at = at
        self.record(at, "closed", {"outcome": outcome})
        return self.change("closed", cause, at)

    def _require_not_closed(self) -> None:
        if self.status == "closed":
            raise CaseError(f"case {self.case_id} is closed; a new signal opens a new case")


def _is_news(signal: SignalFact, current: SignalFact) -> bool:
    """Arrears are news only when higher (CONTRACT §3 property 5); others when not older."""
    if signal.type == "rent_arrears":
        return (signal.amount("amount_eur") or 0.0) > (current.amount("amount_eur") or 0.0)
    return signal.occurred_at >= current.occurred_at


def _signal_detail(signal: SignalFact) -> dict[str, Any]:
    return {"signal_id": signal.signal_id, "type": signal.type, "source": signal.source}


def _assessment_detail(assessment: Assessment) -> dict[str, Any]:
    return {
        "score": assessment.score,
        "priority": assessment.priority,
        "team": assessment.team,
        "policy_version": assessment.policy_version,
    }
