"""The policy in plain words (`vroegsignaal policy explain`), Dutch by default.

Every number comes from the loaded policy, never from the text, so the explanation cannot
drift from the weights that score cases; the families' rules are checked by scoring examples.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final

from shared.vocabulary import PRIORITIES, PROBLEM_TYPES, USD_OUTCOMES, Lang, SignalType
from triage.domain.policy_model import MAX_SCORE, RoutingRule, ScoringPolicy
from triage.domain.policy_words import WGS_DAYS, WORDS
from triage.domain.scoring import assess
from triage.domain.signals import Household, SignalFact

FAMILY_RULES: Final = (1, 2, 3, 8, 9)
_EXAMPLE_DAY: Final = date(2026, 1, 5)
_EVICTIONS: Final[tuple[SignalType, ...]] = ("eviction_order", "eviction_executed")


@dataclass(frozen=True, slots=True)
class FamilyRuleCheck:
    """A family rule of CONTRACT §3 (by its property number) and whether this policy keeps it."""

    prop: int
    holds: bool


def family_rule_checks(policy: ScoringPolicy) -> tuple[FamilyRuleCheck, ...]:
    """Properties 1-3, 8 and 9, each checked by scoring example households under `policy`."""

    def scored(kind: SignalType, minors: int | None, **details: str) -> tuple[int, str, str]:
        at = datetime.combine(_EXAMPLE_DAY, datetime.min.time(), UTC)
        signal = SignalFact("example", "example", kind, at, details)
        result = assess(policy, Household(minors=minors), [signal], _EXAMPLE_DAY)
        return result.score, result.priority, result.team

    def crisis(kind: SignalType, minors: int | None, **details: str) -> bool:
        return scored(kind, minors, **details)[1:] == ("critical", "crisis")

    none, two, unknown = (scored("nuisance", minors)[0] for minors in (0, 2, None))
    damocles = (
        crisis("drugs", m, stage=s) for m in (1, None) for s in ("warning", "closure_ordered")
    )
    return (
        FamilyRuleCheck(1, two > none or none == MAX_SCORE),
        FamilyRuleCheck(2, unknown >= none),
        FamilyRuleCheck(3, all(crisis(kind, 1) for kind in _EVICTIONS)),
        FamilyRuleCheck(8, all(crisis(kind, None) for kind in _EVICTIONS)),
        FamilyRuleCheck(9, all(damocles)),
    )


class _Text:
    """Templates of one language, filled with the policy's values."""

    def __init__(self, lang: Lang) -> None:
        self.lang, self.words = lang, WORDS[lang]

    def money(self, euros: float) -> str:
        text = f"{euros:,.2f}"
        return text.translate(str.maketrans(",.", ".,")) if self.lang == "nl" else text

    def __call__(self, key: str, **values: object) -> str:
        return self.words[key].format(**values)

    def types(self, types: Collection[str]) -> str:
        ordered = [t for t in PROBLEM_TYPES if t in types]
        return self.words["or"].join(self.words[f"type.{t}"] for t in ordered)

    def priorities(self, priorities: Collection[str]) -> str:
        ordered = [p for p in PRIORITIES if p in priorities]
        return self.words["or"].join(self.words[f"priority.{p}"] for p in ordered)


def explain_policy(policy: ScoringPolicy, lang: Lang = "nl") -> str:
    """Every weight and rule of `policy`, in the reader's language."""
    say = _Text(lang)
    sections = (_scoring, _signals, _children, _floors, _routing, _deadlines, _sampling, _retention)
    return "\n\n".join("\n".join(section(policy, say)) for section in sections) + "\n"


def _scoring(p: ScoringPolicy, say: _Text) -> list[str]:
    b = p.priority_bands
    bands = [("critical", b.critical), ("high", b.high), ("medium", b.medium)]
    lines = [say("title", version=p.version), say("intro", max=MAX_SCORE), say("bands")]
    lines += [say("band", priority=say(f"priority.{name}"), points=n) for name, n in bands]
    return [*lines, say("band_low", priority=say("priority.low"), points=b.medium)]


def _signals(p: ScoringPolicy, say: _Text) -> list[str]:
    ev, nu, dr, co = p.eviction, p.nuisance, p.drugs, p.combination
    lines = [
        say("signals"),
        say("arrears", rent=say.money(p.rent_arrears.typical_monthly_rent_eur)),
    ]
    lines += [
        say("arrears_band", months=f"{band.min_months:g}", points=band.points)
        for band in p.rent_arrears.bands
    ]
    lines.append(say("order", points=ev.order_points))
    lines += [say("urgency", days=s.within_days, points=s.points) for s in ev.urgency]
    severity = nu.severity
    return [
        *lines,
        say("executed", points=ev.executed_points),
        say(
            "nuisance",
            low=severity.low,
            medium=severity.medium,
            high=severity.high,
            aggression=nu.aggression_points,
        ),
        say("pollution", low=p.pollution.low, medium=p.pollution.medium, high=p.pollution.high),
        say("drugs", reported=dr.reported, warning=dr.warning, closure=dr.closure_ordered),
        say(
            "combination",
            areas=co.min_problem_areas,
            points=co.points,
            extra=co.per_extra_area_points,
            max=co.max_points,
        ),
    ]


def _children(p: ScoringPolicy, say: _Text) -> list[str]:
    c = p.children
    lines = [
        say("children"),
        say(
            "children_has",
            points=c.has_minors_points,
            extra=c.per_extra_minor_points,
            max_extra=c.extra_minors_max_points,
        ),
        say("children_unknown", points=c.unknown_points),
        say("why"),
    ]
    for check in family_rule_checks(p):
        status = say("holds" if check.holds else "fails")
        lines.append(say("check", status=status, rule=say(f"prop_{check.prop}")))
    return lines


def _floors(p: ScoringPolicy, say: _Text) -> list[str]:
    lines = [say("floors")]
    for floor in p.priority_floors:
        minors = say("floor_minors", count=floor.minors_at_least) if floor.minors_at_least else ""
        priority = say(f"priority.{floor.priority}")
        text = floor.text
        lines.append(
            say(
                "floor",
                code=floor.code,
                types=say.types(floor.types),
                minors=minors,
                priority=priority,
                text=text,
            )
        )
    return lines if p.priority_floors else [*lines, say("none")]


def _routing(p: ScoringPolicy, say: _Text) -> list[str]:
    lines = [say("routing")]
    for n, rule in enumerate(p.routing, start=1):
        lines.append(say("route", n=n, conditions=_conditions(rule, say), team=rule.team))
    return lines


def _conditions(rule: RoutingRule, say: _Text) -> str:
    parts = []
    if rule.priorities is not None:
        parts.append(say("if_priorities", values=say.priorities(rule.priorities)))
    if rule.any_of_types is not None:
        parts.append(say("if_any", values=say.types(rule.any_of_types)))
    if rule.only_types is not None:
        parts.append(say("if_only", values=say.types(rule.only_types)))
    return say.words["and"].join(parts) if parts else say("if_all")


def _deadlines(p: ScoringPolicy, say: _Text) -> list[str]:
    d = p.deadlines
    lines = [say("deadlines", end=d.end_of_day.strftime("%H:%M"))]
    for priority in PRIORITIES:
        rule = d.for_priority(priority)
        note = ""
        if priority == "critical" and (rule.amount, rule.unit) == (1, "working_days"):
            note = say("first_day")
        elif priority == "high":
            on_time = rule.unit == "calendar_days" and rule.amount <= WGS_DAYS
            note = say("wgs_ok" if on_time else "wgs_late", days=WGS_DAYS)
        lines.append(
            say(
                "deadline",
                priority=say(f"priority.{priority}"),
                amount=rule.amount,
                unit=say(rule.unit),
                note=note,
            )
        )
    return lines


def _sampling(p: ScoringPolicy, say: _Text) -> list[str]:
    rate = p.sampling.rate
    if rate <= 0:
        return [say("sampling_none")]
    share = f"{rate:.1%}".replace(".0%", "%")
    return [say("sampling", rate=share.replace(".", ",") if say.lang == "nl" else share)]


def _retention(p: ScoringPolicy, say: _Text) -> list[str]:
    outcomes = (*USD_OUTCOMES, "resolved")
    lines = [say("retention")]
    lines += [say("retention_line", outcome=o, months=p.retention.months_for(o)) for o in outcomes]
    return lines
