"""Loads the published scoring policy file (deploy/policy/default.toml) into a `ScoringPolicy`.

Re-exports the policy's value types, so callers import everything policy-related from here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from shared.vocabulary import PRIORITIES, Priority, priority_rank
from triage.domain.errors import PolicyError
from triage.domain.policy_model import (
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
    ScoringPolicy,
    SeverityPoints,
    UrgencyStep,
)
from triage.domain.policy_reader import TomlTable
from triage.domain.policy_sections import (
    read_bands,
    read_children,
    read_combination,
    read_deadlines,
    read_drugs,
    read_eviction,
    read_floors,
    read_housing_plan,
    read_nuisance,
    read_pollution,
    read_recurrence,
    read_rent_arrears,
    read_retention,
    read_routing,
    read_sampling,
)

__all__ = [
    "MAX_SCORE",
    "PRIORITIES",
    "ArrearsBand",
    "ChildrenWeights",
    "CombinationWeights",
    "DeadlinePolicy",
    "DeadlineRule",
    "DeadlineUnit",
    "DrugsWeights",
    "EvictionWeights",
    "HousingPlanWeights",
    "NuisanceWeights",
    "PolicyError",
    "Priority",
    "PriorityBands",
    "PriorityFloor",
    "RecurrenceWeights",
    "RentArrearsWeights",
    "RetentionPolicy",
    "RoutingRule",
    "SamplingPolicy",
    "ScoringPolicy",
    "SeverityPoints",
    "UrgencyStep",
    "default_policy_path",
    "load_policy",
    "policy_from_text",
    "priority_rank",
]

# The published file is deploy/policy/default.toml; the package ships it (a symlink in the
# repository, a copy in the wheel) so that an installed `vroegsignaal` finds it too.
PACKAGED_POLICY = Path(__file__).resolve().parents[1] / "policy" / "default.toml"


def default_policy_path() -> Path:
    """The default policy file (VS_POLICY_FILE overrides it)."""
    if not PACKAGED_POLICY.is_file():
        raise PolicyError(f"the default policy {PACKAGED_POLICY} is missing; set VS_POLICY_FILE")
    return PACKAGED_POLICY


def load_policy(path: Path | str) -> ScoringPolicy:
    """Parse and validate a policy file; raises PolicyError naming the offending key."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"policy {path}: cannot be read ({exc.strerror or exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy {path.name}: not valid TOML ({exc})") from exc
    return parse_policy(TomlTable(raw, "", path.name))


def policy_from_text(text: str, name: str) -> ScoringPolicy:
    """A policy kept as text (an earlier published version, for replay)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy {name}: not valid TOML ({exc})") from exc
    return parse_policy(TomlTable(raw, "", name))


def parse_policy(root: TomlTable) -> ScoringPolicy:
    """Build the policy from an already parsed TOML document (lets tests skip the file)."""
    policy = ScoringPolicy(
        version=root.string("version"),
        rent_arrears=read_rent_arrears(root.table("rent_arrears")),
        eviction=read_eviction(root.table("eviction")),
        nuisance=read_nuisance(root.table("nuisance")),
        pollution=read_pollution(root.table("pollution")),
        drugs=read_drugs(root.table("drugs")),
        combination=read_combination(root.table("combination")),
        children=read_children(root.table("children")),
        housing_plan=read_housing_plan(root.table("housing_plan")),
        recurrence=read_recurrence(root.table("recurrence")),
        priority_bands=read_bands(root.table("priority_bands")),
        priority_floors=read_floors(root),
        routing=read_routing(root),
        deadlines=read_deadlines(root.table("deadlines")),
        sampling=read_sampling(root),
        retention=read_retention(root),
    )
    root.done()
    return policy
