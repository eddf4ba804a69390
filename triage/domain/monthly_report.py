"""The monthly report (CONTRACT §11), computed from the cases and their history.

Why from history: counters restart with a process, the cases' history does not. A signal counts
in the month triage recorded it (its first history line); a case in the month it opened or
closed. No personal data goes in: districts (four postcode digits), sources, types and counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from shared.vocabulary import PRIORITIES, Priority
from triage.domain.case import Case
from triage.domain.deadlines import local_date, working_days_until
from triage.domain.families import is_family
from triage.domain.recorded_signals import RecordedSignal, recorded_signals
from triage.domain.report_month import ReportMonth
from triage.domain.shelter_figures import ShelterBookingFact, ShelterUnitFigures, shelter_figures


@dataclass(frozen=True)
class EvictionsByMinors:
    """Counted by what the household's minors are known to be."""

    with_minors: int = 0
    without_minors: int = 0
    minors_unknown: int = 0


@dataclass(frozen=True)
class ScoreGroup:
    """The scores of one district's or one source's cases opened in the month."""

    cases: int
    median_score: float | None
    priorities: dict[Priority, int]


@dataclass(frozen=True)
class MonthlyReport:
    month: ReportMonth
    signals_by_type: dict[str, int]
    signals_by_source: dict[str, int]
    households: int
    cases_opened: int
    cases_closed: int
    first_contact_due: int
    first_contact_within_deadline: int
    median_working_days_to_first_attempt: float | None
    outcomes: dict[str, int]
    eviction_orders: EvictionsByMinors
    evictions_executed: EvictionsByMinors
    families_evicted_without_plan: int
    shelter: list[ShelterUnitFigures]
    repeat_households: int
    scores_by_district: dict[str, ScoreGroup]
    scores_by_source: dict[str, ScoreGroup]
    signals_total: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "signals_total", sum(self.signals_by_type.values()))

    @property
    def first_contact_share(self) -> float | None:
        if not self.first_contact_due:
            return None
        return round(self.first_contact_within_deadline / self.first_contact_due, 3)


def monthly_report(
    month: ReportMonth,
    cases: Iterable[Case],
    bookings: Sequence[ShelterBookingFact],
    capacities: dict[tuple[str, str], int | None],
    now: datetime,
) -> MonthlyReport:
    """Pure: the same cases, bookings and `now` give the same report."""
    by_type: Counter[str] = Counter()
    by_source: Counter[str] = Counter()
    households: set[str] = set()
    opened = closed = due = in_time = repeats = evicted_without_plan = 0
    days_to_first: list[int] = []
    outcomes: Counter[str] = Counter()
    evictions: dict[str, Counter[str]] = {
        "eviction_order": Counter(),
        "eviction_executed": Counter(),
    }
    scored: dict[str, dict[str, list[Case]]] = {"district": defaultdict(list), "source": {}}
    for case in cases:
        recorded = recorded_signals(case)
        signals = [s for s in recorded if month.holds(s.at)]
        for s in signals:
            type_, source = s.type, s.source
            by_type[type_] += 1
            by_source[source] += 1
            if type_ in evictions:
                evictions[type_][_minors_bucket(case.household.minors)] += 1
        if signals:
            households.add(case.household_pseudonym)
        if _evicted_without_plan(case, signals):
            evicted_without_plan += 1
        if case.closed_at is not None and month.holds(case.closed_at):
            closed += 1
            outcomes[case.outcome or "unknown"] += 1
        if not month.holds(case.opened_at):
            continue
        opened += 1
        repeats += case.previous_case_closed_at is not None
        first = min((a.at for a in case.contact_attempts), default=None)
        if first is not None or now > case.respond_before:
            due += 1
            in_time += first is not None and first <= case.respond_before
        if first is not None:
            days_to_first.append(working_days_until(local_date(case.opened_at), local_date(first)))
        scored["district"][case.household.district or "unknown"].append(case)
        for source in {s.source for s in recorded}:
            scored["source"].setdefault(source, []).append(case)
    return MonthlyReport(
        month=month,
        signals_by_type=dict(sorted(by_type.items())),
        signals_by_source=dict(sorted(by_source.items())),
        households=len(households),
        cases_opened=opened,
        cases_closed=closed,
        first_contact_due=due,
        first_contact_within_deadline=in_time,
        median_working_days_to_first_attempt=float(median(days_to_first))
        if days_to_first
        else None,
        outcomes=dict(sorted(outcomes.items())),
        eviction_orders=_by_minors(evictions["eviction_order"]),
        evictions_executed=_by_minors(evictions["eviction_executed"]),
        families_evicted_without_plan=evicted_without_plan,
        shelter=shelter_figures(month, bookings, capacities),
        repeat_households=repeats,
        scores_by_district={k: _score_group(v) for k, v in sorted(scored["district"].items())},
        scores_by_source={k: _score_group(v) for k, v in sorted(scored["source"].items())},
    )


def _minors_bucket(minors: int | None) -> str:
    if minors is None:
        return "minors_unknown"
    return "with_minors" if minors > 0 else "without_minors"


def _by_minors(counted: Counter[str]) -> EvictionsByMinors:
    return EvictionsByMinors(
        counted["with_minors"], counted["without_minors"], counted["minors_unknown"]
    )


def _evicted_without_plan(case: Case, of_month: Sequence[RecordedSignal]) -> bool:
    """An executed eviction recorded in the month for a family that had no housing plan yet
    (reason FAMILY_EVICTED_WITHOUT_PLAN, CONTRACT §8)."""
    if not is_family(case.household):
        return False
    return any(
        s.type == "eviction_executed" and not any(p.recorded_at <= s.at for p in case.housing_plans)
        for s in of_month
    )


def _score_group(cases: list[Case]) -> ScoreGroup:
    priorities = Counter(c.assessment.priority for c in cases)
    return ScoreGroup(
        cases=len(cases),
        median_score=float(median(c.assessment.score for c in cases)) if cases else None,
        priorities={p: priorities.get(p, 0) for p in PRIORITIES},
    )
