"""REST adapter of the crisis shelter (CONTRACT §8): thin routes around `triage.shelter_service`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from shared.web.auth import CaseReader, CaseWriter
from shared.web.deps import EngineDep, WakeRelayDep, provided
from shared.web.problems import ProblemError
from triage import shelter_service
from triage.domain.shelter import ShelterCatalog
from triage.shelter_repository import BookingTaken, shelter_transactions
from triage.shelter_schemas import BookingIn, BookingOut, NoRoomProblem, ShelterOut
from triage.web_deps import ERRORS, PolicyDep, actor_of, case_problems

router = APIRouter(prefix="/v1/shelter", tags=["shelter"])
CatalogDep = Annotated[ShelterCatalog, Depends(provided("shelter_catalog"))]
"""The facilities of VS_SHELTER_FILE, provided by the composition root."""


async def _transactions(engine: EngineDep) -> shelter_service.ShelterTransaction:
    return shelter_transactions(engine)


ShelterDep = Annotated[shelter_service.ShelterTransaction, Depends(_transactions)]
_BOOKING_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    409: {
        "model": NoRoomProblem,
        "description": "The unit is full (`alternatives` lists where there is room), or the "
        "case holds an active booking already.",
    },
}


@router.get("", response_model=ShelterOut, responses=ERRORS, summary="What is free (crisisopvang)")
async def get_shelter(_: CaseReader, shelter: ShelterDep, catalog: CatalogDep) -> ShelterOut:
    return ShelterOut.of(await shelter_service.availability(shelter, catalog))


@router.post(
    "/bookings",
    status_code=201,
    response_model=BookingOut,
    responses=_BOOKING_ERRORS,
    summary="Book a unit for a case; the booking is its housing plan when it has none",
)
async def post_booking(
    body: BookingIn,
    writer: CaseWriter,
    shelter: ShelterDep,
    catalog: CatalogDep,
    policy: PolicyDep,
    wake: WakeRelayDep,
) -> BookingOut:
    wanted = shelter_service.NewBooking(
        body.case_id, body.facility, body.unit, body.from_, body.until
    )
    with case_problems(body.case_id):
        try:
            booking = await shelter_service.book(
                shelter, catalog, policy, wanted, actor_of(writer), datetime.now(UTC)
            )
        except shelter_service.NoRoom as full:
            alternatives = [{"facility": f, "unit": u} for f, u in full.alternatives]
            raise ProblemError(409, str(full), extensions={"alternatives": alternatives}) from None
        except BookingTaken:
            raise ProblemError(409, f"case {body.case_id} holds an active booking") from None
    wake()
    return BookingOut.of(booking)


@router.post(
    "/bookings/{booking_id}/release",
    response_model=BookingOut,
    responses=ERRORS,
    summary="Release a booking: the unit is free again",
)
async def post_release(
    booking_id: str, writer: CaseWriter, shelter: ShelterDep, wake: WakeRelayDep
) -> BookingOut:
    try:
        with case_problems(booking_id):
            booking = await shelter_service.release(
                shelter, booking_id, actor_of(writer), datetime.now(UTC)
            )
    except shelter_service.BookingNotFound:
        raise ProblemError(404, f"No active booking {booking_id}.") from None
    wake()
    return BookingOut.of(booking)
