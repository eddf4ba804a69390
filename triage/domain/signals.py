"""The domain's view of a signal (vroegsignaal) and of the household it is about.

Boundary models (pydantic) are translated into these plain facts; triage never sees
contact data, only what scoring and routing need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from shared.vocabulary import SIGNAL_TYPES, SignalType
from triage.domain.errors import InvalidSignalError


@dataclass(frozen=True)
class Household:
    """What the corporation told us about who lives there; `None` means unknown, never zero.

    `district` is the postcode's four digits: where, without saying who.
    """

    minors: int | None
    adults: int | None = None
    district: str | None = None

    def __post_init__(self) -> None:
        for name, value in (("minors", self.minors), ("adults", self.adults)):
            if value is not None and value < 0:
                raise InvalidSignalError(f"household.{name} must be >= 0, got {value}")

    def merged_with(self, newer: Household) -> Household:
        """Latest known facts win; a newer 'unknown' does not erase a count we already had."""
        return Household(
            minors=self.minors if newer.minors is None else newer.minors,
            adults=self.adults if newer.adults is None else newer.adults,
            district=self.district if newer.district is None else newer.district,
        )


OpenKey = tuple[str, str]
"""(source, type): what one corporation has open of one problem type."""


@dataclass(frozen=True)
class SignalFact:
    """One accepted signal: what happened, when, and its type-specific details (JSON-ish)."""

    signal_id: str
    source: str
    type: SignalType
    occurred_at: datetime
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.type not in SIGNAL_TYPES:
            raise InvalidSignalError(f"unknown signal type {self.type!r}")
        if self.occurred_at.utcoffset() is None:
            raise InvalidSignalError("occurred_at must be timezone-aware")
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    @property
    def key(self) -> OpenKey:
        return (self.source, self.type)

    def amount(self, key: str) -> float | None:
        """A positive euro amount from details, or None when absent."""
        value = self.details.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise InvalidSignalError(f"details.{key} must be a number, got {value!r}")
        if value <= 0:
            raise InvalidSignalError(f"details.{key} must be > 0, got {value}")
        return float(value)

    def day(self, key: str) -> date | None:
        """An ISO 8601 date from details (a string or a date), or None when absent."""
        value = self.details.get(key)
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidSignalError(f"details.{key} must be an ISO date, got {value!r}") from exc

    def text(self, key: str) -> str | None:
        """A string detail such as a severity or stage, or None when absent."""
        value = self.details.get(key)
        return None if value is None else str(value)
