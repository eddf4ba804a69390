"""Dates and moments as the APIs take them: ISO 8601 text. Pydantic would also read a number as
seconds since 1970 (`"at": 0` became a contact attempt on 1970-01-01), which no schema says."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator


def _text(value: object) -> object:
    if isinstance(value, int | float):  # bool is an int too
        raise ValueError("must be an ISO 8601 string, not a number")
    return value


IsoDate = Annotated[date, BeforeValidator(_text)]
"""`2026-11-02`."""
IsoDateTime = Annotated[datetime, BeforeValidator(_text)]
IsoAwareDatetime = Annotated[AwareDatetime, BeforeValidator(_text)]
"""`2026-11-02T09:00:00+01:00`: with an offset."""
