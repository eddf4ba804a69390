"""The household as corporations describe it: the one shape with personal data, sealed at rest."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictInt, field_validator

from shared.moments import IsoDate

POSTCODE_PATTERN = r"^[1-9][0-9]{3} ?[A-Za-z]{2}$"
"""The postcode as the OpenAPI schema states it; surrounding blanks are forgiven."""
_POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Za-z]{2})$")


class Address(BaseModel):
    """Adres: Dutch postcode and house number identify the household."""

    model_config = ConfigDict(extra="forbid")

    postcode: str = Field(
        description="Dutch postcode, `1234 AB`; stored as `1234AB`.",
        examples=["1402 AB"],
        json_schema_extra={"pattern": POSTCODE_PATTERN},
    )
    house_number: StrictInt = Field(ge=1, le=99999, examples=[12])
    house_number_addition: str | None = Field(None, max_length=10, examples=["A"])
    city: str | None = Field(None, max_length=80, examples=["Bussum"])

    @field_validator("postcode")
    @classmethod
    def _normalise_postcode(cls, value: str) -> str:
        match = _POSTCODE.match(value.strip())
        if not match:
            raise ValueError("must be a Dutch postcode such as '1234 AB'")
        return f"{match.group(1)}{match.group(2).upper()}"

    @field_validator("house_number_addition")
    @classmethod
    def _normalise_addition(cls, value: str | None) -> str | None:
        value = (value or "").strip().upper()
        return value or None

    def identity(self) -> str:
        """The address key that groups signals of any corporation into one household."""
        return f"{self.postcode}|{self.house_number}|{self.house_number_addition or ''}"


Phone = Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,20}$", examples=["+31612345678"])]


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    phone: Phone | None = None
    email: EmailStr | None = None
    date_of_birth: IsoDate | None = None

    @field_validator("date_of_birth")
    @classmethod
    def _born(cls, value: date | None) -> date | None:
        # A day of slack: the corporation's "today" may be ahead of UTC's.
        if value is not None and value > datetime.now(UTC).date() + timedelta(days=1):
            raise ValueError("must not be in the future")
        return value


class Household(BaseModel):
    """Huishouden. `minors` null or absent means unknown — never zero."""

    model_config = ConfigDict(extra="forbid")

    address: Address
    tenant_reference: str | None = Field(None, max_length=64, examples=["HUUR-000123"])
    contacts: list[Contact] = Field(default_factory=list, max_length=20)
    minors: StrictInt | None = Field(
        None, ge=0, le=30, description="Children under 18; null = unknown."
    )
    adults: StrictInt | None = Field(None, ge=0, le=30)
