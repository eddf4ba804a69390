"""Points per open signal and for the household, each as a `Reason` a case worker can read.

Pure functions of (policy, facts, today); `scoring.assess` adds them up.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import date

from shared.vocabulary import Reason
from triage.domain.policy_model import (
    ChildrenWeights,
    CombinationWeights,
    EvictionWeights,
    RentArrearsWeights,
    ScoringPolicy,
)
from triage.domain.signals import Household, SignalFact

# Problem area per signal type: an eviction order and its execution are one area.
PROBLEM_AREAS: dict[str, str] = {
    "rent_arrears": "rent arrears",
    "nuisance": "nuisance",
    "pollution": "pollution",
    "drugs": "drugs",
    "eviction_order": "eviction",
    "eviction_executed": "eviction",
}
_DRUGS_STAGES = {
    "reported": "reported",
    "warning": "warning by the mayor",
    "closure_ordered": "closure ordered by the mayor",
}


def signal_reasons(policy: ScoringPolicy, signal: SignalFact, today: date) -> list[Reason]:
    """Reasons one open signal contributes; `resolved` contributes none."""
    match signal.type:
        case "rent_arrears":
            return [arrears_reason(policy.rent_arrears, signal)]
        case "eviction_order":
            return eviction_order_reasons(policy.eviction, signal, today)
        case "eviction_executed":
            executed_on = signal.day("executed_on") or signal.occurred_at.date()
            text = f"Eviction executed on {executed_on.isoformat()}: the household lost its home"
            return [Reason("EVICTION_EXECUTED", policy.eviction.executed_points, text)]
        case "nuisance":
            return nuisance_reasons(policy, signal)
        case "pollution":
            severity = signal.text("severity") or "low"
            text = f"Pollution of the home, severity {severity}"
            return [Reason("POLLUTION", policy.pollution.of(severity), text)]
        case "drugs":
            category = (signal.text("category") or "other").replace("_", " ")
            stage = signal.text("stage") or "reported"
            text = f"Drugs ({category}): {_DRUGS_STAGES.get(stage, stage)} (Wet Damocles)"
            return [Reason("DRUGS", policy.drugs.of(stage), text)]
        case _:
            return []


def arrears_reason(weights: RentArrearsWeights, signal: SignalFact) -> Reason:
    """Arrears in months of rent; months are shown truncated so text and band agree."""
    amount = signal.amount("amount_eur") or 0.0
    monthly = signal.amount("monthly_rent_eur")
    assumed = monthly is None
    months = round(amount / (monthly or weights.typical_monthly_rent_eur), 4)
    points = max(band.points for band in weights.bands if band.min_months <= months)
    text = f"Rent arrears of {math.floor(months * 10) / 10:.1f} months (€{amount:.2f}"
    if assumed:
        text += f"; monthly rent unknown, €{weights.typical_monthly_rent_eur:.2f} assumed"
    return Reason("RENT_ARREARS", points, text + ")")


def eviction_order_reasons(
    weights: EvictionWeights, signal: SignalFact, today: date
) -> list[Reason]:
    judgment = signal.day("judgment_date")
    eviction_date = signal.day("eviction_date")
    facts = [f"judgment {judgment.isoformat()}" if judgment else "judgment date unknown"]
    facts.append(f"reason: {signal.text('reason') or 'other'}")
    if eviction_date is None:
        facts.append("eviction date not set yet")
    text = f"Eviction order ({', '.join(facts)})"
    reasons = [Reason("EVICTION_ORDER", weights.order_points, text)]
    if eviction_date is not None:
        days = (eviction_date - today).days
        matching = [step.points for step in weights.urgency if days <= step.within_days]
        if matching:
            reasons.append(Reason("EVICTION_DATE_NEAR", max(matching), _when(eviction_date, days)))
    return reasons


def _when(eviction_date: date, days: int) -> str:
    on = f"Eviction date {eviction_date.isoformat()}"
    if days == 0:
        return f"{on} is today"
    span = f"{abs(days)} day{'s' * (abs(days) != 1)}"
    return f"{on} is in {span}" if days > 0 else f"{on} passed {span} ago"


def nuisance_reasons(policy: ScoringPolicy, signal: SignalFact) -> list[Reason]:
    severity = signal.text("severity") or "low"
    category = signal.text("category") or "other"
    text = f"Nuisance ({category}), severity {severity}"
    reasons = [Reason("NUISANCE", policy.nuisance.severity.of(severity), text)]
    if category == "aggression":
        points = policy.nuisance.aggression_points
        reasons.append(Reason("NUISANCE_AGGRESSION", points, "Nuisance involves aggression"))
    return reasons


def combination_reason(weights: CombinationWeights, types: Collection[str]) -> Reason | None:
    """Multiproblematiek: several distinct problem areas at once."""
    areas = sorted({PROBLEM_AREAS[t] for t in types if t in PROBLEM_AREAS})
    if len(areas) < weights.min_problem_areas:
        return None
    extra = (len(areas) - weights.min_problem_areas) * weights.per_extra_area_points
    points = min(weights.max_points, weights.points + extra)
    text = f"{len(areas)} problem areas at once: {', '.join(areas)}"
    return Reason("PROBLEM_COMBINATION", points, text)


def children_reason(weights: ChildrenWeights, household: Household) -> Reason | None:
    """Children weigh extra; unknown is its own reason and never below minors = 0."""
    minors = household.minors
    if minors is None:
        return Reason("MINORS_UNKNOWN", weights.unknown_points, "Number of children unknown")
    if minors == 0:
        return None
    extra = min(weights.extra_minors_max_points, (minors - 1) * weights.per_extra_minor_points)
    noun = "child" if minors == 1 else "children"
    return Reason("MINORS", weights.has_minors_points + extra, f"{minors} {noun} under 18")
