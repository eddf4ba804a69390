"""The shape of the published, versioned scoring policy (risicoweging) as immutable values.

Weights live in a TOML file (deploy/policy/default.toml), never in code, so the USD can publish
and version them; `triage.domain.policy` loads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Final, Literal, get_args

from shared.vocabulary import Priority

DeadlineUnit = Literal["working_days", "calendar_days"]
DEADLINE_UNITS: Final[tuple[DeadlineUnit, ...]] = get_args(DeadlineUnit)
MAX_SCORE: Final = 100


@dataclass(frozen=True)
class ArrearsBand:
    """From `min_months` of rent in arrears upward, the arrears weigh `points`."""

    min_months: float
    points: int


@dataclass(frozen=True)
class RentArrearsWeights:
    """Huurachterstand, measured in months of rent rather than euros."""

    typical_monthly_rent_eur: float
    bands: tuple[ArrearsBand, ...]


@dataclass(frozen=True)
class UrgencyStep:
    """An eviction date at most `within_days` away (or already past) adds `points`."""

    within_days: int
    points: int


@dataclass(frozen=True)
class EvictionWeights:
    """Ontruimingsvonnis and ontruiming uitgevoerd; an executed eviction supersedes the order."""

    order_points: int
    urgency: tuple[UrgencyStep, ...]
    executed_points: int


@dataclass(frozen=True)
class SeverityPoints:
    """Points per severity level reported by the corporation."""

    low: int
    medium: int
    high: int

    def of(self, severity: str | None) -> int:
        """Unknown or missing severity weighs as `low`: the signal still counts."""
        return {"medium": self.medium, "high": self.high}.get(severity or "low", self.low)


@dataclass(frozen=True)
class NuisanceWeights:
    """Overlast; aggression towards neighbours or staff adds points on top of severity."""

    severity: SeverityPoints
    aggression_points: int


@dataclass(frozen=True)
class DrugsWeights:
    """Hennep/drugshandel by stage of the Wet Damocles procedure."""

    reported: int
    warning: int
    closure_ordered: int

    def of(self, stage: str | None) -> int:
        return {"warning": self.warning, "closure_ordered": self.closure_ordered}.get(
            stage or "reported", self.reported
        )


@dataclass(frozen=True)
class CombinationWeights:
    """Multiproblematiek: several distinct problem areas at one address weigh extra."""

    min_problem_areas: int
    points: int
    per_extra_area_points: int
    max_points: int


@dataclass(frozen=True)
class ChildrenWeights:
    """Minderjarigen: children in the household weigh extra (CONTRACT §3 properties 1 and 2)."""

    has_minors_points: int
    per_extra_minor_points: int
    extra_minors_max_points: int
    unknown_points: int


@dataclass(frozen=True)
class HousingPlanWeights:
    """Families first (CONTRACT §8): an eviction date with children and no housing plan.

    Escalated once the date is within `plan_due_working_days`, and again within
    `final_warning_working_days`.
    """

    plan_due_working_days: int
    final_warning_working_days: int
    no_plan_points: int
    evicted_without_plan_points: int


@dataclass(frozen=True)
class RecurrenceWeights:
    """A household whose previous case closed less than `within_months` before this one opened
    (CONTRACT §3 property 11): recurrence is visible, not a fresh start."""

    within_months: int
    points: int


@dataclass(frozen=True)
class SamplingPolicy:
    """Random samples (Algoritmekader): this share of `low` cases is flagged RANDOM_SAMPLE (0
    points) for a human look, so what the weights leave out is checked too. Which cases is
    decided by a hash of the case id: the same case is always in or out, and replay agrees."""

    rate: float = 0.0


HELP_FOLLOWED: Final = frozenset({"help_accepted", "already_in_care"})


@dataclass(frozen=True)
class RetentionPolicy:
    """Months a closed case, its signals and its household's data are kept, by outcome
    (CONTRACT §10); an outcome the policy does not name keeps the default: 24 months where
    help followed, 12 where it did not."""

    months: Mapping[str, int] = field(default_factory=dict)

    def months_for(self, outcome: str | None) -> int:
        if outcome is not None and outcome in self.months:
            return self.months[outcome]
        return 24 if outcome in HELP_FOLLOWED else 12


@dataclass(frozen=True)
class PriorityBands:
    """Lowest score of each priority; below `medium` the case is `low`."""

    critical: int
    high: int
    medium: int


@dataclass(frozen=True)
class PriorityFloor:
    """A hard rule: these open signal types lift the priority, with conditions on the household.

    `minors_at_least`: at least so many known minors; `minors_unknown`: only when whether children
    live there is unknown; `stages`: only a drugs signal at one of these Wet Damocles stages.
    """

    code: str
    types: frozenset[str]
    minors_at_least: int | None
    priority: Priority
    text: str
    minors_unknown: bool = False
    stages: frozenset[str] | None = None


@dataclass(frozen=True)
class RoutingRule:
    """First matching rule picks the team; unset conditions match anything."""

    team: str
    priorities: frozenset[str] | None = None
    any_of_types: frozenset[str] | None = None
    only_types: frozenset[str] | None = None

    @property
    def is_catch_all(self) -> bool:
        return self.priorities is None and self.any_of_types is None and self.only_types is None


@dataclass(frozen=True)
class DeadlineRule:
    """How long the USD has to make a first contact attempt for one priority."""

    amount: int
    unit: DeadlineUnit


@dataclass(frozen=True)
class DeadlinePolicy:
    """Response terms per priority; each deadline ends at `end_of_day` Amsterdam time."""

    end_of_day: time
    critical: DeadlineRule
    high: DeadlineRule
    medium: DeadlineRule
    low: DeadlineRule

    def for_priority(self, priority: Priority) -> DeadlineRule:
        rule: DeadlineRule = getattr(self, priority)
        return rule


@dataclass(frozen=True)
class ScoringPolicy:
    """One published version of the policy; `version` is stamped on every assessment."""

    version: str
    rent_arrears: RentArrearsWeights
    eviction: EvictionWeights
    nuisance: NuisanceWeights
    pollution: SeverityPoints
    drugs: DrugsWeights
    combination: CombinationWeights
    children: ChildrenWeights
    housing_plan: HousingPlanWeights
    recurrence: RecurrenceWeights
    priority_bands: PriorityBands
    priority_floors: tuple[PriorityFloor, ...]
    routing: tuple[RoutingRule, ...]
    deadlines: DeadlinePolicy
    sampling: SamplingPolicy = SamplingPolicy()
    retention: RetentionPolicy = RetentionPolicy()
