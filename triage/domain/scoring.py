"""Risk scoring (risicoweging) of a household's open signals under a published policy.

Deterministic: the same household, signals (in any order), day and policy version give the same
assessment, and every point is explained by a reason (CONTRACT §3 property 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from shared.vocabulary import PROBLEM_TYPES, HousingPlanKind, Reason
from triage.domain.assessment import Assessment
from triage.domain.families import housing_plan_reasons, recurrence_reason
from triage.domain.points import children_reason, combination_reason, signal_reasons
from triage.domain.policy_model import MAX_SCORE, ScoringPolicy
from triage.domain.routing import apply_floors, priority_for_score, route_case
from triage.domain.sampling import in_sample, sample_reason
from triage.domain.signals import Household, SignalFact

__all__ = ["Assessment", "Reason", "assess", "counted_signals"]


def counted_signals(signals: Iterable[SignalFact]) -> tuple[SignalFact, ...]:
    """The one signal per problem type that counts, in a fixed type order.

    Rent arrears: the highest amount (a lower repeat is no news). Other types: the latest.
    """
    chosen: dict[str, SignalFact] = {}
    for signal in signals:
        if signal.type == "resolved":
            continue
        current = chosen.get(signal.type)
        if current is None or _sort_key(signal) > _sort_key(current):
            chosen[signal.type] = signal
    return tuple(chosen[t] for t in PROBLEM_TYPES if t in chosen)


def _sort_key(signal: SignalFact) -> tuple[float, float, str, str, str]:
    """Total order, so the input order never decides which signal counts."""
    amount = signal.amount("amount_eur") if signal.type == "rent_arrears" else None
    details = repr(sorted(signal.details.items()))
    return (amount or 0.0, signal.occurred_at.timestamp(), signal.signal_id, signal.source, details)


def assess(
    policy: ScoringPolicy,
    household: Household,
    open_signals: Iterable[SignalFact],
    today: date,
    *,
    housing_plan: HousingPlanKind | None = None,
    previous_case_closed_on: date | None = None,
    opened_on: date | None = None,
    case_id: str | None = None,
) -> Assessment:
    """Score, prioritise and route a case; `today` (Amsterdam date) sets eviction urgency.

    `housing_plan` is the kind of the plan in force (None: no plan); `previous_case_closed_on`
    and `opened_on` tell whether the household's problems recur (property 11); `case_id`
    decides whether a `low` case is in the policy's random sample.
    """
    counted = counted_signals(open_signals)
    types = [signal.type for signal in counted]
    reasons: list[Reason] = []
    for signal in counted:
        if signal.type == "eviction_order" and "eviction_executed" in types:
            continue  # the executed eviction supersedes the order's points
        reasons.extend(signal_reasons(policy, signal, today))
    for extra in (
        combination_reason(policy.combination, types),
        children_reason(policy.children, household),
        recurrence_reason(policy.recurrence, previous_case_closed_on, opened_on),
    ):
        if extra is not None:
            reasons.append(extra)
    reasons += housing_plan_reasons(
        policy.housing_plan, household, counted, has_plan=housing_plan is not None
    )
    total = sum(reason.points for reason in reasons)
    if total > MAX_SCORE:
        text = f"Score capped at {MAX_SCORE} (points add up to {total})"
        reasons.append(Reason("SCORE_CAPPED", MAX_SCORE - total, text))
    score = min(total, MAX_SCORE)
    priority, floor_reasons = apply_floors(
        policy, priority_for_score(policy.priority_bands, score), household, counted
    )
    if priority == "low" and in_sample(policy.sampling.rate, case_id):
        floor_reasons = [*floor_reasons, sample_reason(policy.sampling.rate)]
    return Assessment(
        score=score,
        priority=priority,
        reasons=(*reasons, *floor_reasons),
        team=route_case(policy, priority, types),
        policy_version=policy.version,
    )
