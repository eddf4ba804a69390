"""The VERA `Signalering` (Aedes, Relaties 4.3.0) as POST /v1/vera/signaleringen takes it.

The fields are VERA's; two differ from the letter of the standard, because our signal needs
them and a URI cannot be followed here: `adres` is the Adres itself (VERA Vastgoed Adres-basis:
`postcode`, `huisnummer`, `huisletter`, `huisnummerToevoeging`, `woonplaats`) rather than a URI
to it, and `vroegsignaal` carries what a Signalering has no field for (minors, adults, contacts,
and details such as `amount_eur` of rent arrears), in the words of POST /v1/signals.
`status`, `detailStatus` and `einddatum` are accepted and not read (an end is a `resolved`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from signal_ingest.domain.vera import VeraAddress


class Referentiedata(BaseModel):
    """A code from a VERA code list (referentiedata), e.g. SIGNALERINGSOORT `SCH`."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(examples=["SCH"])
    naam: str | None = Field(None, examples=["Schulden"])


class Sleutels(BaseModel):
    """The keys of a related entity (VERA `*-sleutels`)."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    id: str | None = None
    id_extern: str | None = None
    id_gegevensbeheerder: str | None = None
    id_organisatie: str | None = None
    id_administratie: str | None = None
    code: str | None = Field(None, description="The tenant's reference (huurdernummer).")


class Woonplaats(BaseModel):
    model_config = ConfigDict(extra="allow")

    naam: str | None = None


class AdresIn(BaseModel):
    """VERA Adres-basis (Vastgoed)."""

    model_config = ConfigDict(extra="allow", alias_generator=to_camel, populate_by_name=True)

    postcode: str = Field(examples=["1402AB"])
    huisnummer: str | int = Field(examples=["12"])
    huisletter: str | None = Field(None, examples=["A"])
    huisnummer_toevoeging: str | None = None
    woonplaats: str | Woonplaats | None = Field(None, examples=["Bussum"])

    def address(self) -> VeraAddress:
        place = self.woonplaats.naam if isinstance(self.woonplaats, Woonplaats) else self.woonplaats
        return VeraAddress(
            self.postcode,
            str(self.huisnummer),
            self.huisletter,
            self.huisnummer_toevoeging,
            place,
        )


class SignaleringIn(BaseModel):
    """VERA Signalering: `soort` (SIGNALERINGSOORT) and `detailSoort`
    (SIGNALERINGDETAILSOORT) say what it is; `idExtern` (else `id`) is the idempotency key."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    id: str | None = None
    id_extern: str | None = Field(None, description="The corporation's key for the Signalering.")
    id_gegevensbeheerder: str | None = None
    id_organisatie: str | None = None
    id_administratie: str | None = None
    code: str | None = None
    soort: Referentiedata | None = Field(None, description="SIGNALERINGSOORT: SCH, OVE, AGR, ONE.")
    detail_soort: Referentiedata | None = Field(
        None, description="SIGNALERINGDETAILSOORT, e.g. BET, DEU, GEL, VER, HEN, DRU."
    )
    status: Referentiedata | None = None
    detail_status: Referentiedata | None = None
    begindatum: str = Field(description="When it began: date-time, e.g. 2026-11-02T08:00:00Z.")
    einddatum: str | None = None
    adres: AdresIn = Field(description="The Adres itself (a URI cannot be followed here).")
    relatie: Sleutels | None = Field(None, description="The tenant (Relatie-sleutels).")
    vroegsignaal: dict[str, Any] = Field(
        default_factory=dict,
        description="Not VERA: `minors`, `adults`, `contacts`, `details` as in POST /v1/signals.",
        examples=[{"minors": 2, "details": {"amount_eur": 1380.5}}],
    )

    @field_validator("adres", mode="before")
    @classmethod
    def _not_a_uri(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError(
                "give the Adres itself (postcode, huisnummer): a URI to it cannot be followed here"
            )
        return value

    @property
    def key(self) -> str | None:
        return self.id_extern or self.id

    @property
    def tenant_reference(self) -> str | None:
        return (self.relatie.code or self.relatie.id_extern) if self.relatie else None


EXAMPLE_SIGNALERING: dict[str, Any] = {
    "idExtern": "SIG-2026-000123",
    "soort": {"code": "SCH", "naam": "Schulden"},
    "detailSoort": {"code": "BET", "naam": "Betalingsachterstand"},
    "status": {"code": "ACT", "naam": "Actief"},
    "begindatum": "2026-11-02T08:00:00Z",
    "adres": {"postcode": "1402AB", "huisnummer": "12", "huisletter": "A", "woonplaats": "Bussum"},
    "relatie": {"code": "HUUR-000123"},
    "vroegsignaal": {"minors": 2, "adults": 1, "details": {"amount_eur": 1380.5}},
}
