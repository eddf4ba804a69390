"""Crisis shelter (CONTRACT §8) over HTTP: what is free, booking, release, and capacity that is
never exceeded, also under concurrent bookings from two apps with their own engines (as two
processes would). Embedded (SQLite) and PostgreSQL + Kafka."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from shared.settings import Settings
from tests.conftest import SettingsFactory
from tests.e2e.process import eventually
from tests.harness import Harness, running
from tests.integration.test_families import eviction_order
from tests.integration.test_triage_flow import case_of
from triage.tables import cases

JSON = {"Content-Type": "application/json"}


def shelter_file(tmp_path: Path, unique: str, places: int = 16) -> Path:
    """Facilities of this test only: the shelter's occupancy lives in the shared database."""
    path = tmp_path / "shelter.toml"
    path.write_text(
        f"""
[[facility]]
id = "vh-{unique}"
name = "Vluchtheuvel {unique}"
units = [{{ kind = "place", capacity = {places} }}, {{ kind = "apartment", capacity = 6 }}]

[[facility]]
id = "hotel-{unique}"
name = "Hotel {unique}"
units = [{{ kind = "room" }}]
""",
        encoding="utf-8",
    )
    return path


def shelter_settings(
    stack: Settings, make_settings: SettingsFactory, tmp_path: Path, unique: str
) -> Settings:
    return make_settings(
        database_url=stack.database_url,
        kafka_bootstrap_servers=stack.kafka_bootstrap_servers,
        shelter_file=shelter_file(tmp_path, unique),
    )


async def family_cases(vs: Harness, count: int, corp: dict[str, str]) -> list[str]:
    signals = [eviction_order() for _ in range(count)]
    response = await vs.client.post("/v1/signals/batch", json={"signals": signals}, headers=corp)
    assert {r["status"] for r in response.json()["results"]} == {"accepted"}
    return [(await case_of(vs, signal))["id"] for signal in signals]


def booking(case_id: str, unique: str, unit: str = "place") -> dict[str, Any]:
    return {"case_id": case_id, "facility": f"vh-{unique}", "unit": unit, "from": "2026-12-01"}


async def units(vs: Harness, auth: dict[str, str], unique: str) -> dict[tuple[str, str], Any]:
    shelter = (await vs.client.get("/v1/shelter", headers=auth)).json()
    return {
        (f["id"], u["kind"]): (u["capacity"], u["occupied"], u["free"])
        for f in shelter["facilities"]
        for u in f["units"]
        if f["id"].endswith(unique)
    }


async def test_book_show_and_release(
    stack: Settings, make_settings: SettingsFactory, tmp_path: Path, unique: str
) -> None:
    settings = shelter_settings(stack, make_settings, tmp_path, unique)
    async with running(settings) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        (case_id,) = await family_cases(vs, 1, corp)
        assert (await units(vs, usd, unique))[(f"vh-{unique}", "apartment")] == (6, 0, 6)

        response = await vs.client.post(
            "/v1/shelter/bookings", json=booking(case_id, unique, "apartment"), headers=usd
        )
        assert response.status_code == 201
        booked = response.json()
        assert (booked["unit"], booked["from"], booked["case_id"]) == (
            "apartment",
            "2026-12-01",
            case_id,
        )
        assert (await units(vs, usd, unique))[(f"vh-{unique}", "apartment")] == (6, 1, 5)
        assert (await units(vs, usd, unique))[(f"hotel-{unique}", "room")] == (None, 0, None)

        case = (await vs.client.get(f"/v1/cases/{case_id}", headers=usd)).json()
        assert case["housing_plan"]["kind"] == "shelter"
        assert case["shelter_booking"]["id"] == booked["id"]
        assert "NO_HOUSING_PLAN" not in {r["code"] for r in case["reasons"]}

        again = await vs.client.post(
            "/v1/shelter/bookings", json=booking(case_id, unique, "place"), headers=usd
        )
        assert again.status_code == 409
        assert (await units(vs, usd, unique))[(f"vh-{unique}", "place")] == (16, 0, 16)

        release = f"/v1/shelter/bookings/{booked['id']}/release"
        assert (await vs.client.post(release, headers=usd)).status_code == 200
        assert (await vs.client.post(release, headers=usd)).status_code == 404
        assert (await units(vs, usd, unique))[(f"vh-{unique}", "apartment")] == (6, 0, 6)
        case = (await vs.client.get(f"/v1/cases/{case_id}", headers=usd)).json()
        assert (case["shelter_booking"], case["housing_plan"]["kind"]) == (None, "shelter")

        for body, status in [
            ({**booking(case_id, unique), "facility": "kasteel"}, 422),
            ({**booking(case_id, unique), "unit": "tent"}, 422),
            ({**booking(case_id, unique), "until": "2026-11-01"}, 422),
            ({**booking("no-such-case", unique)}, 404),
            ({**booking("no\x00case", unique)}, 422),  # PostgreSQL text holds no NUL
            ({**booking("x" * 100_000, unique)}, 422),
        ]:
            response = await vs.client.post("/v1/shelter/bookings", json=body, headers=usd)
            assert response.status_code == status, body
        reader = await vs.key(f"reader-{unique}", "cases:read")
        forbidden = await vs.client.post(
            "/v1/shelter/bookings", json=booking(case_id, unique), headers=reader
        )
        assert forbidden.status_code == 403


async def test_thirty_concurrent_bookings_from_two_apps_fill_sixteen_places_exactly(
    stack: Settings, make_settings: SettingsFactory, tmp_path: Path, unique: str
) -> None:
    settings = shelter_settings(stack, make_settings, tmp_path, unique)
    async with running(settings) as first:
        corp = {**JSON, **await first.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await first.key(f"usd-{unique}", "cases:read,cases:write")}
        case_ids = await family_cases(first, 30, corp)
        async with running(settings, workers=False) as second:  # its own engine and pool
            apps = [first, second]
            responses = await asyncio.gather(
                *(
                    apps[i % 2].client.post(
                        "/v1/shelter/bookings", json=booking(case_id, unique), headers=usd
                    )
                    for i, case_id in enumerate(case_ids)
                )
            )
        assert Counter(r.status_code for r in responses) == {201: 16, 409: 14}
        for refused in (r for r in responses if r.status_code == 409):
            alternatives = refused.json()["alternatives"]
            assert {"facility": f"vh-{unique}", "unit": "apartment"} in alternatives
            assert {"facility": f"hotel-{unique}", "unit": "room"} in alternatives
        assert (await units(first, usd, unique))[(f"vh-{unique}", "place")] == (16, 16, 0)

        booked = {r.json()["case_id"] for r in responses if r.status_code == 201}

        async def plans_recorded() -> int | None:
            async with first.runtime.engine.connect() as conn:
                count = await conn.scalar(
                    select(func.count())
                    .select_from(cases)
                    .where(cases.c.case_id.in_(booked), cases.c.housing_plan == "shelter")
                )
            return count if count == 16 else None

        assert await eventually(plans_recorded, 10) == 16
