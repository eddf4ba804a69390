"""Readers for each section of the policy file; each refuses unknown keys and bad ranges.

Validation enforces the invariants CONTRACT §3 properties 1-2 rely on (children strictly add
points, unknown minors never subtract), so every loadable policy keeps them.
"""

from __future__ import annotations

from datetime import time
from itertools import pairwise
from typing import cast

from shared.vocabulary import DRUGS_STAGES, PRIORITIES, PROBLEM_TYPES, USD_OUTCOMES, Priority
from triage.domain.policy_model import (
    DEADLINE_UNITS,
    MAX_SCORE,
    ArrearsBand,
    ChildrenWeights,
    CombinationWeights,
    DeadlinePolicy,
    DeadlineRule,
    DeadlineUnit,
    DrugsWeights,
    EvictionWeights,
    HousingPlanWeights,
    NuisanceWeights,
    PriorityBands,
    PriorityFloor,
    RecurrenceWeights,
    RentArrearsWeights,
    RetentionPolicy,
    RoutingRule,
    SamplingPolicy,
    SeverityPoints,
    UrgencyStep,
)
from triage.domain.policy_reader import TomlTable


def read_rent_arrears(t: TomlTable) -> RentArrearsWeights:
    bands = []
    for band in t.tables("bands"):
        bands.append(ArrearsBand(band.number("min_months"), band.integer("points")))
        band.done()
    if bands[0].min_months != 0:
        t.fail("bands", "must start at min_months = 0 so any arrears count")
    for lower, upper in pairwise(bands):
        if upper.min_months <= lower.min_months or upper.points < lower.points:
            t.fail("bands", "must rise in min_months with points never falling")
    weights = RentArrearsWeights(
        t.number("typical_monthly_rent_eur", strictly_above=True), tuple(bands)
    )
    t.done()
    return weights


def read_eviction(t: TomlTable) -> EvictionWeights:
    steps = []
    for step in t.tables("urgency"):
        steps.append(UrgencyStep(step.integer("within_days"), step.integer("points")))
        step.done()
    weights = EvictionWeights(t.integer("order_points"), tuple(steps), t.integer("executed_points"))
    t.done()
    return weights


def read_severity(t: TomlTable) -> SeverityPoints:
    points = SeverityPoints(t.integer("low"), t.integer("medium"), t.integer("high"))
    t.done()
    return points


def read_pollution(t: TomlTable) -> SeverityPoints:
    points = read_severity(t.table("severity"))
    t.done()
    return points


def read_nuisance(t: TomlTable) -> NuisanceWeights:
    weights = NuisanceWeights(read_severity(t.table("severity")), t.integer("aggression_points"))
    t.done()
    return weights


def read_drugs(t: TomlTable) -> DrugsWeights:
    stage = t.table("stage")
    weights = DrugsWeights(
        stage.integer("reported"), stage.integer("warning"), stage.integer("closure_ordered")
    )
    stage.done()
    t.done()
    return weights


def read_combination(t: TomlTable) -> CombinationWeights:
    weights = CombinationWeights(
        t.integer("min_problem_areas", minimum=2),
        t.integer("points"),
        t.integer("per_extra_area_points"),
        t.integer("max_points"),
    )
    t.done()
    return weights


def read_children(t: TomlTable) -> ChildrenWeights:
    weights = ChildrenWeights(
        # At least 1: with minors the score must be strictly higher (CONTRACT §3 property 1).
        t.integer("has_minors_points", minimum=1),
        t.integer("per_extra_minor_points"),
        t.integer("extra_minors_max_points"),
        t.integer("unknown_points"),
    )
    t.done()
    return weights


def read_housing_plan(t: TomlTable) -> HousingPlanWeights:
    weights = HousingPlanWeights(
        plan_due_working_days=t.integer("plan_due_working_days", minimum=1),
        final_warning_working_days=t.integer("final_warning_working_days", minimum=0),
        no_plan_points=t.integer("no_plan_points"),
        evicted_without_plan_points=t.integer("evicted_without_plan_points"),
    )
    if weights.final_warning_working_days >= weights.plan_due_working_days:
        t.fail("final_warning_working_days", "must be below plan_due_working_days")
    t.done()
    return weights


def read_recurrence(t: TomlTable) -> RecurrenceWeights:
    weights = RecurrenceWeights(t.integer("within_months", minimum=1), t.integer("points"))
    t.done()
    return weights


def read_sampling(root: TomlTable) -> SamplingPolicy:
    """Optional: a policy without `[sampling]` samples nothing (versions before 2026.3)."""
    if not root.has("sampling"):
        return SamplingPolicy()
    t = root.table("sampling")
    rate = t.number("rate")
    if rate > 1:
        t.fail("rate", f"must be a share between 0 and 1, got {rate}")
    t.done()
    return SamplingPolicy(rate)


def read_retention(root: TomlTable) -> RetentionPolicy:
    """Optional: months kept after closing, per outcome (at least 1); unnamed outcomes keep
    the default (24 months where help followed, 12 otherwise)."""
    if not root.has("retention"):
        return RetentionPolicy()
    t = root.table("retention")
    months = {o: t.integer(o, minimum=1) for o in (*USD_OUTCOMES, "resolved") if t.has(o)}
    t.done()
    return RetentionPolicy(months)


def read_bands(t: TomlTable) -> PriorityBands:
    bands = PriorityBands(
        t.integer("critical", minimum=1, maximum=MAX_SCORE),
        t.integer("high", minimum=1, maximum=MAX_SCORE),
        t.integer("medium", minimum=1, maximum=MAX_SCORE),
    )
    if not bands.critical > bands.high > bands.medium:
        t.fail("critical", "must be above high, and high above medium")
    t.done()
    return bands


def read_floors(root: TomlTable) -> tuple[PriorityFloor, ...]:
    """Hard priority rules are optional: a policy may rely on score bands alone."""
    if not root.has("priority_floor"):
        return ()
    return tuple(read_floor(t) for t in root.tables("priority_floor"))


def read_floor(t: TomlTable) -> PriorityFloor:
    minors = t.integer("minors_at_least", minimum=1) if t.has("minors_at_least") else None
    unknown = t.boolean("minors_unknown") if t.has("minors_unknown") else False
    if minors is not None and unknown:
        t.fail("minors_unknown", "cannot be combined with minors_at_least: make two rules")
    floor = PriorityFloor(
        code=t.string("code"),
        types=t.strings("types", options=PROBLEM_TYPES),
        minors_at_least=minors,
        priority=cast(Priority, t.string("priority", options=PRIORITIES)),
        text=t.string("text"),
        minors_unknown=unknown,
        stages=t.strings("stages", options=DRUGS_STAGES) if t.has("stages") else None,
    )
    if floor.stages is not None and floor.types != {"drugs"}:
        t.fail("stages", 'applies to drugs signals only: set types = ["drugs"]')
    t.done()
    return floor


def read_routing(root: TomlTable) -> tuple[RoutingRule, ...]:
    rules = []
    for t in root.tables("routing"):
        rules.append(
            RoutingRule(
                team=t.string("team"),
                priorities=_optional(t, "priorities", PRIORITIES),
                any_of_types=_optional(t, "any_of_types", PROBLEM_TYPES),
                only_types=_optional(t, "only_types", PROBLEM_TYPES),
            )
        )
        t.done()
    if not rules[-1].is_catch_all:
        root.fail("routing", "must end with a rule without conditions so every case gets a team")
    return tuple(rules)


def _optional(t: TomlTable, key: str, options: tuple[str, ...]) -> frozenset[str] | None:
    return t.strings(key, options=options) if t.has(key) else None


def read_deadlines(t: TomlTable) -> DeadlinePolicy:
    clock = t.string("end_of_day")
    try:
        end_of_day = time.fromisoformat(clock)
    except ValueError:
        t.fail("end_of_day", f"must be a time like '17:00', got {clock!r}")
    policy = DeadlinePolicy(
        end_of_day=end_of_day,
        critical=_deadline(t.table("critical")),
        high=_deadline(t.table("high")),
        medium=_deadline(t.table("medium")),
        low=_deadline(t.table("low")),
    )
    t.done()
    return policy


def _deadline(t: TomlTable) -> DeadlineRule:
    unit = cast(DeadlineUnit, t.string("unit", options=DEADLINE_UNITS))
    rule = DeadlineRule(t.integer("amount", minimum=1), unit)
    t.done()
    return rule
