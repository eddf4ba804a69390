"""Crisis shelter (CONTRACT §8) on in-memory stores: the catalogue file, booking until full,
alternatives, one active booking per case, release. Capacity under concurrency is the
database's: tests/integration/test_shelter.py."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.unit.triage.fake_cases import FakeCases, FakeShelter, FakeShelterWork
from tests.unit.triage.test_triage_service import USD, VAULT, eviction
from tests.unit.triage.triage_factories import NOW, POLICY
from triage import service, shelter_service
from triage.domain.errors import CaseError, RefusedInput
from triage.domain.shelter import ShelterFileError, default_shelter_path, load_shelter

CATALOG = load_shelter(default_shelter_path())
REPO = Path(__file__).resolve().parents[3]


def test_the_default_file_is_the_vluchtheuvel_with_a_hotel_as_fallback() -> None:
    assert default_shelter_path().resolve() == REPO / "deploy" / "shelter" / "default.toml"
    units = {key: capacity for key, capacity in CATALOG.unit_keys()}
    assert units == {
        ("vluchtheuvel", "place"): 16,
        ("vluchtheuvel", "apartment"): 6,
        ("hotel", "room"): None,
    }


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('kind = "place"', 'kind = "tent"', "'facility[0].units[0].kind'"),
        ("capacity = 16", "capacity = 0", "'facility[0].units[0].capacity'"),
        ('id = "hotel"', 'id = "vluchtheuvel"', "'facility' must give each facility its own id"),
        ('id = "hotel"', 'id = "hotel"\ncolour = "red"', "'facility[1].colour'"),
        ('{ kind = "room" },', '{ kind = "room" }, { kind = "room" },', "'facility[1].units'"),
    ],
)
def test_a_broken_shelter_file_names_the_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = default_shelter_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "shelter.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ShelterFileError, match="shelter file") as raised:
        load_shelter(path)
    assert message in str(raised.value)


async def family_case(cases: FakeCases) -> str:
    await service.triage_signals(cases, [eviction(uuid.uuid4().hex)], POLICY, NOW, VAULT)
    return cases.announced()[-1].case_id


def wanted(
    case_id: str, facility: str = "vluchtheuvel", unit: str = "apartment"
) -> shelter_service.NewBooking:
    return shelter_service.NewBooking(case_id, facility, unit, date(2026, 11, 12))


async def test_bookings_fill_a_unit_then_offer_where_there_is_room() -> None:
    work = FakeShelterWork(FakeCases(), FakeShelter())
    booked = []
    for _ in range(6):
        case_id = await family_case(work.cases)
        booking = await shelter_service.book(
            work.begin,
            CATALOG,
            POLICY,
            wanted(case_id),
            USD,
            NOW,
        )
        booked.append(booking)
    case_id = await family_case(work.cases)
    with pytest.raises(shelter_service.NoRoom) as full:
        await shelter_service.book(
            work.begin,
            CATALOG,
            POLICY,
            wanted(case_id),
            USD,
            NOW,
        )
    assert full.value.alternatives == [("vluchtheuvel", "place"), ("hotel", "room")]
    free = {
        (u.facility, u.kind): u.free
        for u in await shelter_service.availability(work.begin, CATALOG)
    }
    assert free == {
        ("vluchtheuvel", "place"): 16,
        ("vluchtheuvel", "apartment"): 0,
        ("hotel", "room"): None,
    }

    released = await shelter_service.release(work.begin, booked[0].id, USD, NOW)
    assert released.released_at == NOW
    again = await shelter_service.book(
        work.begin,
        CATALOG,
        POLICY,
        wanted(case_id),
        USD,
        NOW,
    )
    assert again.unit == "apartment"


async def test_a_booking_is_the_housing_plan_when_there_is_none_and_one_per_case() -> None:
    work = FakeShelterWork(FakeCases(), FakeShelter())
    case_id = await family_case(work.cases)
    booking = await shelter_service.book(
        work.begin,
        CATALOG,
        POLICY,
        wanted(case_id, "hotel", "room"),
        USD,
        NOW,
    )
    shown = work.cases.announced()[-1].case
    assert shown.housing_plan is not None and shown.housing_plan.kind == "shelter"
    assert shown.shelter_booking is not None
    assert (shown.shelter_booking.id, shown.shelter_booking.unit) == (booking.id, "room")
    assert "NO_HOUSING_PLAN" not in {r.code for r in shown.reasons}
    with pytest.raises(CaseError, match="release it first"):
        await shelter_service.book(
            work.begin,
            CATALOG,
            POLICY,
            wanted(case_id, "hotel", "room"),
            USD,
            NOW,
        )
    assert work.shelter.occupied[("hotel", "room")] == 1  # the refused booking took nothing

    await shelter_service.release(work.begin, booking.id, USD, NOW + timedelta(days=3))
    shown = work.cases.announced()[-1].case
    assert (shown.shelter_booking, shown.housing_plan and shown.housing_plan.kind) == (
        None,
        "shelter",
    )
    with pytest.raises(shelter_service.BookingNotFound):
        await shelter_service.release(work.begin, booking.id, USD, NOW)
    assert [(a, c, d) for a, c, _, d in work.cases.audited] == [
        (
            "shelter.booked",
            case_id,
            {"booking_id": booking.id, "facility": "hotel", "unit": "room"},
        ),
        (
            "shelter.released",
            case_id,
            {"booking_id": booking.id, "facility": "hotel", "unit": "room"},
        ),
    ]


async def test_unknown_places_an_end_before_the_start_and_far_off_days_are_refused() -> None:
    work = FakeShelterWork(FakeCases(), FakeShelter())
    case_id = await family_case(work.cases)
    refusals = [
        (shelter_service.NewBooking(case_id, "kasteel", "room", date(2026, 11, 12)), "facility"),
        (shelter_service.NewBooking(case_id, "hotel", "apartment", date(2026, 11, 12)), "unit"),
        (
            shelter_service.NewBooking(
                case_id, "hotel", "room", date(2026, 11, 12), date(2026, 11, 1)
            ),
            "until",
        ),
        # A mistyped year would hold a place from now on: a stay is for this household now.
        (shelter_service.NewBooking(case_id, "hotel", "room", date(9999, 12, 31)), "from"),
        (shelter_service.NewBooking(case_id, "hotel", "room", date(2024, 11, 12)), "from"),
        (
            shelter_service.NewBooking(
                case_id, "hotel", "room", date(2026, 11, 12), date(2099, 1, 1)
            ),
            "until",
        ),
    ]
    for booking, field in refusals:
        with pytest.raises(RefusedInput) as refused:
            await shelter_service.book(work.begin, CATALOG, POLICY, booking, USD, NOW)
        assert refused.value.field == field
    assert work.shelter.bookings == {}
