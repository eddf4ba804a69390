"""The family records of a case (eviction, housing plans, shelter stay) as JSON in its row's
state; private to `triage.repository` (by way of `triage.case_rows`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from triage.domain.housing import Eviction, HousingPlan, PlanAlert, ShelterStay


def eviction_json(eviction: Eviction | None) -> dict[str, Any] | None:
    if eviction is None:
        return None
    return {
        "state": eviction.state,
        "judgment_date": _iso(eviction.judgment_date),
        "eviction_date": _iso(eviction.eviction_date),
        "executed_on": _iso(eviction.executed_on),
    }


def eviction_from_json(data: dict[str, Any] | None) -> Eviction | None:
    if data is None:
        return None
    return Eviction(
        data["state"],
        _day(data["judgment_date"]),
        _day(data["eviction_date"]),
        _day(data["executed_on"]),
    )


def plan_json(plan: HousingPlan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "kind": plan.kind,
        "recorded_at": plan.recorded_at.isoformat(),
        "recorded_by": plan.recorded_by,
        "summary": plan.summary,
        "starts_on": _iso(plan.starts_on),
    }


def plan_from_json(data: dict[str, Any]) -> HousingPlan:
    return HousingPlan(
        id=data["id"],
        kind=data["kind"],
        recorded_at=datetime.fromisoformat(data["recorded_at"]),
        recorded_by=data["recorded_by"],
        summary=data["summary"],
        starts_on=_day(data["starts_on"]),
    )


def stay_json(stay: ShelterStay | None) -> dict[str, Any] | None:
    if stay is None:
        return None
    return {
        "booking_id": stay.booking_id,
        "facility": stay.facility,
        "unit": stay.unit,
        "from": stay.from_date.isoformat(),
        "until": _iso(stay.until_date),
        "booked_at": stay.booked_at.isoformat(),
    }


def stay_from_json(data: dict[str, Any] | None) -> ShelterStay | None:
    if data is None:
        return None
    return ShelterStay(
        booking_id=data["booking_id"],
        facility=data["facility"],
        unit=data["unit"],
        from_date=date.fromisoformat(data["from"]),
        until_date=_day(data["until"]),
        booked_at=datetime.fromisoformat(data["booked_at"]),
    )


def alert_json(alert: PlanAlert | None) -> list[Any] | None:
    return None if alert is None else [alert.eviction_date.isoformat(), alert.stage]


def alert_from_json(data: list[Any] | None) -> PlanAlert | None:
    return None if data is None else PlanAlert(date.fromisoformat(data[0]), int(data[1]))


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
