"""The monthly report as a document (JSON) and as CSV rows, optionally for publication.

Publication (`--publish`): every count under 5 reads `<5`, and what is derived from fewer than 5
cases (a share, a median) is left out (null), so no household can be picked out of a small
group. Capacities are settings, not counts of people: they stay.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from triage.domain.monthly_report import EvictionsByMinors, MonthlyReport, ScoreGroup

SMALL: Final = 5
SUPPRESSED: Final = "<5"

Count = int | str


def report_document(report: MonthlyReport, *, publish: bool = False) -> dict[str, Any]:
    def count(value: int) -> Count:
        return SUPPRESSED if publish and value < SMALL else value

    def counts(values: dict[str, int]) -> dict[str, Count]:
        return {key: count(value) for key, value in values.items()}

    def derived(value: float | None, base: int) -> float | None:
        return None if publish and base < SMALL else value

    def evictions(e: EvictionsByMinors) -> dict[str, Count]:
        return {
            "with_minors": count(e.with_minors),
            "without_minors": count(e.without_minors),
            "minors_unknown": count(e.minors_unknown),
        }

    def scores(group: ScoreGroup) -> dict[str, Any]:
        return {
            "cases": count(group.cases),
            "median_score": derived(group.median_score, group.cases),
            "priorities": {str(p): count(n) for p, n in group.priorities.items()},
        }

    month = report.month
    return {
        "month": str(month),
        "period": {"from": month.first_day.isoformat(), "until": month.last_day.isoformat()},
        "published": publish,
        "signals": {
            "total": count(report.signals_total),
            "by_type": counts(report.signals_by_type),
            "by_source": counts(report.signals_by_source),
        },
        "households": count(report.households),
        "cases": {"opened": count(report.cases_opened), "closed": count(report.cases_closed)},
        "first_contact": {
            "due": count(report.first_contact_due),
            "within_deadline": count(report.first_contact_within_deadline),
            "share_within_deadline": derived(report.first_contact_share, report.first_contact_due),
            "median_working_days": derived(
                report.median_working_days_to_first_attempt, report.first_contact_due
            ),
        },
        "outcomes": counts(report.outcomes),
        "evictions": {
            "orders": evictions(report.eviction_orders),
            "executed": evictions(report.evictions_executed),
        },
        "families_evicted_without_plan": count(report.families_evicted_without_plan),
        "shelter": [
            {
                "facility": unit.facility,
                "unit": unit.unit,
                "capacity": unit.capacity,
                "bookings_started": count(unit.bookings_started),
                "households": count(unit.households),
                "nights": count(unit.nights),
                "occupancy": derived(unit.occupancy(month.days), unit.households),
            }
            for unit in report.shelter
        ],
        "repeat_households": count(report.repeat_households),
        "scores": {
            "by_district": {key: scores(g) for key, g in report.scores_by_district.items()},
            "by_source": {key: scores(g) for key, g in report.scores_by_source.items()},
        },
    }


def csv_rows(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(metric, value) per figure, the metric a dotted path: `signals.by_type.rent_arrears`.
    Shelter units are named `shelter.<facility>.<unit>.<figure>`; empty value = not available."""
    for key, value in document.items():
        if key == "shelter":
            for unit in value:
                prefix = f"shelter.{unit['facility']}.{unit['unit']}"
                for figure, v in unit.items():
                    if figure not in ("facility", "unit"):
                        yield f"{prefix}.{figure}", _cell(v)
        else:
            yield from _flatten(key, value)


def _flatten(path: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(f"{path}.{key}", inner)
    else:
        yield path, _cell(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
