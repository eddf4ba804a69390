"""Crisis shelter storage: the only module besides `triage.repository` that touches tables.

Capacity is the database's guarantee, not a check-then-insert: a booking takes a unit with one
conditional `UPDATE ... SET occupied = occupied + 1 WHERE occupied < capacity` on the unit's
counter row (PostgreSQL locks the row and re-checks the condition for a waiting transaction;
SQLite has one writer at a time), and a CHECK constraint refuses any commit beyond capacity.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.db import insert_ignoring_conflicts
from triage.domain.shelter import ShelterCatalog, ShelterFileError, UnitKey
from triage.repository import SqlCaseRepository
from triage.tables import shelter_bookings, shelter_units


class BookingTaken(RuntimeError):
    """The case got an active booking in a transaction that committed first."""


class SqlShelterRepository:
    """Shelter units and bookings on one connection, inside the caller's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def ensure_unit(self, key: UnitKey, capacity: int | None) -> None:
        """The unit's counter row exists (a write first: on SQLite it takes the write lock)."""
        row = {"facility": key[0], "unit": key[1], "capacity": capacity, "occupied": 0}
        await self._conn.execute(insert_ignoring_conflicts(self._conn, shelter_units), [row])

    async def take_unit(self, key: UnitKey) -> bool:
        """One more unit occupied, if one is free: the capacity guarantee."""
        result = await self._conn.execute(
            update(shelter_units)
            .where(
                shelter_units.c.facility == key[0],
                shelter_units.c.unit == key[1],
                (shelter_units.c.capacity.is_(None))
                | (shelter_units.c.occupied < shelter_units.c.capacity),
            )
            .values(occupied=shelter_units.c.occupied + 1)
        )
        return result.rowcount == 1

    async def occupancy(self) -> dict[UnitKey, int]:
        rows = await self._conn.execute(
            select(shelter_units.c.facility, shelter_units.c.unit, shelter_units.c.occupied)
        )
        return {(facility, unit): occupied for facility, unit, occupied in rows.all()}

    async def add_booking(self, booking: dict[str, Any]) -> None:
        """Raises BookingTaken when the case holds an active booking already (unique index)."""
        try:
            await self._conn.execute(shelter_bookings.insert(), [booking])
        except IntegrityError as exc:  # the transaction is lost: the caller's rolls back
            raise BookingTaken(str(booking["case_id"])) from exc

    async def release(self, booking_id: str, at: datetime, by: str) -> Any | None:
        """Ends an active booking and frees its unit; None when there is no such active one."""
        ended = (
            await self._conn.execute(
                update(shelter_bookings)
                .where(
                    shelter_bookings.c.id == booking_id, shelter_bookings.c.released_at.is_(None)
                )
                .values(released_at=at, released_by=by)
                .returning(*shelter_bookings.c)
            )
        ).first()
        if ended is None:
            return None
        await self._conn.execute(
            update(shelter_units)
            .where(shelter_units.c.facility == ended.facility, shelter_units.c.unit == ended.unit)
            .values(occupied=shelter_units.c.occupied - 1)
        )
        return ended

    async def booking(self, booking_id: str) -> Any | None:
        query = select(shelter_bookings).where(shelter_bookings.c.id == booking_id)
        return (await self._conn.execute(query)).first()


async def sync_units(engine: AsyncEngine, catalog: ShelterCatalog) -> None:
    """At start-up: the units of the shelter file, with its capacities. A capacity below what
    is occupied now is refused (the CHECK constraint), naming the unit."""
    async with engine.begin() as conn:
        shelter = SqlShelterRepository(conn)
        for key, capacity in catalog.unit_keys():
            await shelter.ensure_unit(key, capacity)
            try:
                await conn.execute(
                    update(shelter_units)
                    .where(shelter_units.c.facility == key[0], shelter_units.c.unit == key[1])
                    .values(capacity=capacity)
                )
            except IntegrityError:
                raise ShelterFileError(
                    f"shelter file: {key[0]}.{key[1]} capacity {capacity} is below the units "
                    "occupied now; release bookings first"
                ) from None


@dataclass
class ShelterWork:
    """One transaction on the cases and the shelter together."""

    cases: SqlCaseRepository
    shelter: SqlShelterRepository


def shelter_transactions(
    engine: AsyncEngine,
) -> Callable[[], AbstractAsyncContextManager[ShelterWork]]:
    @asynccontextmanager
    async def begin() -> AsyncIterator[ShelterWork]:
        async with engine.begin() as conn:
            yield ShelterWork(SqlCaseRepository(conn), SqlShelterRepository(conn))

    return begin
