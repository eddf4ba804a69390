"""The domain's words, each defined once for every service (CONTRACT §2, §3).

Identifiers are English; the Dutch term (VERA, DDAS) stands beside each. Plain literals, so the
domain packages can use them without importing a framework, and pydantic checks them at every
boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

ProblemType = Literal[
    "rent_arrears",  # huurachterstand
    "nuisance",  # overlast
    "pollution",  # vervuiling
    "drugs",  # hennepkwekerij / drugshandel (Wet Damocles)
    "eviction_order",  # ontruimingsvonnis
    "eviction_executed",  # ontruiming uitgevoerd
]
"""A signal type that describes a problem; `resolved` only withdraws one of these."""
SignalType = Literal[ProblemType, "resolved"]  # opgelost
SIGNAL_TYPES: Final[tuple[SignalType, ...]] = get_args(SignalType)
PROBLEM_TYPES: Final[tuple[ProblemType, ...]] = get_args(ProblemType)
EVICTION_TYPES: Final[frozenset[SignalType]] = frozenset({"eviction_order", "eviction_executed"})

Severity = Literal["low", "medium", "high"]
NuisanceCategory = Literal["noise", "aggression", "other"]
DrugsCategory = Literal["cannabis_cultivation", "drug_dealing", "other"]
DrugsStage = Literal["reported", "warning", "closure_ordered"]
"""Wet Damocles: melding, waarschuwing door de burgemeester, sluitingsbevel."""
DRUGS_STAGES: Final[tuple[DrugsStage, ...]] = get_args(DrugsStage)
EvictionReason = Literal["arrears", "nuisance", "drugs", "fraud", "other"]
ResolveReason = Literal["paid", "payment_arrangement", "moved", "other"]

Priority = Literal["critical", "high", "medium", "low"]
PRIORITIES: Final[tuple[Priority, ...]] = get_args(Priority)
"""Most urgent first."""


def priority_rank(priority: Priority) -> int:
    """Higher is more urgent: low 0 … critical 3."""
    return len(PRIORITIES) - 1 - PRIORITIES.index(priority)


CaseStatus = Literal["open", "contacted", "closed"]
CASE_STATUSES: Final[tuple[CaseStatus, ...]] = get_args(CaseStatus)

UsdOutcome = Literal[
    "help_accepted",
    "help_declined",
    "not_reached",
    "already_in_care",
    "repeated_signal",
    "not_resident",
    "closed_other",
]
"""What the USD records when it closes a case (resultaat)."""
USD_OUTCOMES: Final[tuple[UsdOutcome, ...]] = get_args(UsdOutcome)
Outcome = UsdOutcome | Literal["resolved"]
"""`resolved`: the corporation withdrew every open signal (CONTRACT §3 property 6)."""

ContactChannel = Literal["letter", "phone", "email", "sms", "home_visit", "other"]
CONTACT_CHANNELS: Final[tuple[ContactChannel, ...]] = get_args(ContactChannel)

ChangeKind = Literal["opened", "updated", "escalated", "closed"]
"""What the USD is told about a case change (`nl.vroegsignaal.case.<kind>`)."""
CHANGE_KINDS: Final[tuple[ChangeKind, ...]] = get_args(ChangeKind)

Lang = Literal["nl", "en"]
"""Languages of pages and published texts: Dutch by default, English on request."""
HousingPlanKind = Literal[
    "stays",  # blijft wonen: the eviction is off
    "payment_arrangement",  # betalingsregeling
    "hov",  # Huren Onder Voorwaarden: a supported tenancy of up to two years
    "urgency",  # urgentieregeling
    "shelter",  # crisisopvang
    "social_network",  # family or friends take the household in
    "other",
]
"""How a household facing eviction will be housed (woonplan, CONTRACT §8)."""
HOUSING_PLAN_KINDS: Final[tuple[HousingPlanKind, ...]] = get_args(HousingPlanKind)

EvictionState = Literal["ordered", "executed", "prevented"]
"""Ontruiming: ordered by a court, executed, or prevented (the order resolved before it)."""

ShelterUnitKind = Literal["place", "apartment", "room"]
"""Crisisopvang: a place (bed) or apartment in a shelter, or a room (hotel, holiday home)."""
SHELTER_UNIT_KINDS: Final[tuple[ShelterUnitKind, ...]] = get_args(ShelterUnitKind)

SignalStatus = Literal["accepted", "picked_up", "not_picked_up"]
"""All a creditor may learn of its signal (DDAS: opgepakt / niet opgepakt)."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One explained contribution to a risk score; `text` is plain words for a case worker."""

    code: str
    points: int
    text: str
