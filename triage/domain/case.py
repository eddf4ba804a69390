"""The case aggregate (Vroegsignaalzaak): one open case per household groups its signals.

Every operation returns a `CaseChange` whose `kind` tells the caller which notification to send
(None: recorded only). A signal for a household whose case is closed opens a NEW case: the
caller calls `open_case`, because `apply_signal` on a closed case raises `CaseError`. Every
assessment is a pure function of (case, now, policy) and is kept as a `Decision`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from shared.vocabulary import CONTACT_CHANNELS, USD_OUTCOMES, Outcome
from triage.domain.case_assessment import AssessedCase, assessment_detail
from triage.domain.case_records import CaseChange, ContactAttempt
from triage.domain.deadlines import respond_before
from triage.domain.decisions import Decision, inputs_at, replay
from triage.domain.errors import CaseError, RefusedInput
from triage.domain.families import eviction_after
from triage.domain.housing import HousingPlan, ShelterStay
from triage.domain.policy_model import ScoringPolicy
from triage.domain.scoring import counted_signals
from triage.domain.signals import Household, SignalFact

CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far ahead of our clock a time from the USD may be (its clock may run a little fast)."""


def open_case(
    case_id: str,
    household_pseudonym: str,
    household: Household,
    signal: SignalFact,
    policy: ScoringPolicy,
    now: datetime,
    previous_case_closed_at: datetime | None = None,
) -> tuple[Case, CaseChange]:
    """Open a case for a household's first problem signal; `resolved` alone opens nothing."""
    if signal.type == "resolved":
        raise CaseError("a 'resolved' signal cannot open a case: there is nothing to resolve")
    inputs = inputs_at(now, household, [signal], now, None, previous_case_closed_at, case_id)
    assessment = replay(policy, inputs)
    case = Case(
        case_id=case_id,
        household_pseudonym=household_pseudonym,
        household=household,
        open_signals={signal.key: signal},
        assessment=assessment,
        opened_at=now,
        respond_before=respond_before(assessment.priority, now, policy),
        signal_ids=[signal.signal_id],
        assessed_at=now,
        eviction=eviction_after(None, [signal]),
        previous_case_closed_at=previous_case_closed_at,
        decisions=[Decision(case_id, now, "opened", inputs, assessment)],
    )
    # The opening announces whatever is due already: a stage reached now is not announced again.
    case.plan_alert = case.plan_alert_due(policy, case.assessment, now)
    case.record(now, "opened", _signal_detail(signal) | assessment_detail(case.assessment))
    return case, case.change("opened", "signal_added", now)


class Case(AssessedCase):
    """The operations of one Vroegsignaalzaak."""

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
        self._follow_eviction()
        if counted is not None and not _is_news(signal, counted):
            # News from its corporation, not for the case: it stays open and counts once the
            # signal that outweighs it is resolved (DDAS herhaalde melding: nothing to announce).
            self.record(now, "signal_repeated", _signal_detail(signal) | {"cause": cause})
            return self._rescore(policy, now, cause, quiet_if_unchanged=True)
        self.record(now, "signal_added", _signal_detail(signal))
        return self._rescore(policy, now, "signal_added")

    def record_contact_attempt(self, attempt: ContactAttempt, now: datetime) -> CaseChange:
        """Contactpoging: any attempt, reached or not, stops the deadline escalation.

        So an attempt must have happened, on this case: more than `CLOCK_SKEW` ahead of `now`, or
        before the case was opened, it is refused.
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
        if attempt.at < self.opened_at - CLOCK_SKEW:
            raise RefusedInput(
                "at", "a contact attempt cannot lie before the case was opened (opened_at)"
            )
        self.contact_attempts.append(attempt)
        self.status = "contacted"
        detail: dict[str, Any] = {
            "attempt_id": attempt.id,
            "channel": attempt.channel,
            "reached": attempt.reached,
        }
        if attempt.kind is not None:
            detail["kind"] = attempt.kind
        if attempt.dagdeel is not None:
            detail["dagdeel"] = attempt.dagdeel
        self.record(attempt.at, "contact_attempt", detail)
        return self.change("updated", "contact_attempt", now)

    def record_housing_plan(
        self, plan: HousingPlan, policy: ScoringPolicy, now: datetime
    ) -> CaseChange:
        """Woonplan: the latest plan stands (NO_HOUSING_PLAN goes); earlier ones stay on file."""
        self._require_not_closed()
        self._add_plan(plan)
        return self._rescore(policy, now, "housing_plan")

    def book_shelter(
        self, stay: ShelterStay, booked_by: str, policy: ScoringPolicy, now: datetime
    ) -> CaseChange:
        """Crisisopvang: one active booking; it is the housing plan when there is none yet."""
        self._require_not_closed()
        if self.shelter_stay is not None:
            raise CaseError(
                f"case {self.case_id} holds shelter booking {self.shelter_stay.booking_id}; "
                "release it first"
            )
        self.shelter_stay = stay
        self.record(now, "shelter_booked", _stay_detail(stay))
        if self.housing_plan is not None:
            return self.change("updated", "shelter_booked", now)
        self._add_plan(
            HousingPlan(stay.booking_id, "shelter", now, booked_by, None, stay.from_date)
        )
        return self._rescore(policy, now, "shelter_booked")

    def release_shelter(self, booking_id: str, now: datetime) -> CaseChange:
        """The unit is free again; also after the case closed (the stay may outlast the case)."""
        if self.shelter_stay is None or self.shelter_stay.booking_id != booking_id:
            raise CaseError(f"shelter booking {booking_id} is not active for case {self.case_id}")
        self.record(now, "shelter_released", _stay_detail(self.shelter_stay))
        self.shelter_stay = None
        return self.change("updated", "shelter_released", now)

    def close(self, outcome: Outcome, at: datetime, ddas_result: str | None = None) -> CaseChange:
        """Close with the USD's outcome (resultaat); a closed case stays closed. `ddas_result`:
        the DDAS Eindresultaat code when the USD posted one (it maps to `outcome`)."""
        self._require_not_closed()
        if outcome not in USD_OUTCOMES:
            raise CaseError(f"unknown outcome {outcome!r}; expected one of {list(USD_OUTCOMES)}")
        self.ddas_result = ddas_result
        return self._close(outcome, at, "outcome")

    def escalate_overdue(self, now: datetime) -> CaseChange:
        """Escalate a passed deadline once; a later, new deadline can escalate again."""
        if not self.deadline_passed(now) or self.overdue_escalated_for == self.respond_before:
            return self.change(None, "not_overdue", now)
        self.overdue_escalated_for = self.respond_before
        self.record(now, "deadline_passed", {"respond_before": self.respond_before.isoformat()})
        return self.change("escalated", "deadline_passed", now)

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
        self._follow_eviction()
        detail = _signal_detail(signal) | {"resolves": resolves, "reason": signal.text("reason")}
        self.record(now, "signal_resolved", detail)
        if not self.open_signals:
            return self._close("resolved", now, "resolved")
        self.household = self.household.merged_with(household)
        return self._rescore(policy, now, "signal_resolved")

    def _follow_eviction(self) -> None:
        """The eviction follows what is open (an order resolved before it was prevented)."""
        self.eviction = eviction_after(self.eviction, counted_signals(self.open_signals.values()))

    def _add_plan(self, plan: HousingPlan) -> None:
        self.housing_plans.append(plan)
        self.recorded_plans.append(plan)
        self.record(plan.recorded_at, "housing_plan", plan_detail(plan))

    def _close(self, outcome: Outcome, at: datetime, cause: str) -> CaseChange:
        self.status = "closed"
        self.outcome = outcome
        self.closed_at = at
        detail: dict[str, Any] = {"outcome": outcome}
        if self.ddas_result is not None:
            detail["ddas_result"] = self.ddas_result
        self.record(at, "closed", detail)
        return self.change("closed", cause, at)


def plan_detail(plan: HousingPlan) -> dict[str, Any]:
    """A plan as the history keeps it (its summary says what, never who: see `housing`)."""
    return {
        "plan_id": plan.id,
        "kind": plan.kind,
        "summary": plan.summary,
        "starts_on": plan.starts_on.isoformat() if plan.starts_on else None,
        "recorded_by": plan.recorded_by,
    }


def _stay_detail(stay: ShelterStay) -> dict[str, Any]:
    return {
        "booking_id": stay.booking_id,
        "facility": stay.facility,
        "unit": stay.unit,
        "from": stay.from_date.isoformat(),
        "until": stay.until_date.isoformat() if stay.until_date else None,
    }


def _is_news(signal: SignalFact, current: SignalFact) -> bool:
    """Arrears are news only when higher (CONTRACT §3 property 5); others when not older."""
    if signal.type == "rent_arrears":
        return (signal.amount("amount_eur") or 0.0) > (current.amount("amount_eur") or 0.0)
    return signal.occurred_at >= current.occurred_at


def _signal_detail(signal: SignalFact) -> dict[str, Any]:
    return {"signal_id": signal.signal_id, "type": signal.type, "source": signal.source}
