"""Priority and team for a scored case: score bands first, then the policy's hard rules.

Hard rules (priority floors) only ever raise a priority, so a rule such as "eviction with
children is critical" (CONTRACT §3 property 3) cannot be outvoted by a low score.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from shared.vocabulary import Priority, Reason, priority_rank
from triage.domain.policy_model import PriorityBands, PriorityFloor, RoutingRule, ScoringPolicy
from triage.domain.signals import Household, SignalFact


def priority_for_score(bands: PriorityBands, score: int) -> Priority:
    if score >= bands.critical:
        return "critical"
    if score >= bands.high:
        return "high"
    return "medium" if score >= bands.medium else "low"


def floor_applies(
    floor: PriorityFloor, household: Household, signals: Sequence[SignalFact]
) -> bool:
    """Unknown minors do not satisfy `minors_at_least` (a `minors_unknown` rule covers them)."""
    matching = [s for s in signals if s.type in floor.types]
    if floor.stages is not None:
        matching = [s for s in matching if (s.text("stage") or "reported") in floor.stages]
    if not matching:
        return False
    if floor.minors_unknown:
        return household.minors is None
    if floor.minors_at_least is None:
        return True
    return household.minors is not None and household.minors >= floor.minors_at_least


def apply_floors(
    policy: ScoringPolicy, priority: Priority, household: Household, signals: Sequence[SignalFact]
) -> tuple[Priority, list[Reason]]:
    """Raise `priority` by every applicable hard rule (on the signals that count); each shows as
    a 0-point reason."""
    reasons: list[Reason] = []
    for floor in policy.priority_floors:
        if floor_applies(floor, household, signals):
            reasons.append(Reason(floor.code, 0, floor.text))
            if priority_rank(floor.priority) > priority_rank(priority):
                priority = floor.priority
    return priority, reasons


def rule_matches(rule: RoutingRule, priority: Priority, types: Collection[str]) -> bool:
    if rule.priorities is not None and priority not in rule.priorities:
        return False
    if rule.any_of_types is not None and rule.any_of_types.isdisjoint(types):
        return False
    return rule.only_types is None or (bool(types) and set(types) <= rule.only_types)


def route_case(policy: ScoringPolicy, priority: Priority, types: Collection[str]) -> str:
    """The USD team (crisis, schuldhulp, wijkteam, ...) of the first matching routing rule."""
    for rule in policy.routing:
        if rule_matches(rule, priority, types):
            return rule.team
    return policy.routing[-1].team
