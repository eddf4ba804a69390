"""VERA Signalering (Aedes, Relaties 4.3.0) codes -> our signal type (research notes §4.3, §4.4).

Why: corporations describe signals in VERA; we map by field (soort vs detailSoort share codes such
as SCH), and name every code we cannot map so the route can answer 422 naming them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from shared.vocabulary import SignalType

DETAIL_PARENT: Final[dict[str, str]] = {
    "BET": "SCH", "DEU": "SCH", "GEL": "OVE", "AGS": "AGR", "FYS": "AGR", "VEB": "AGR",
    "SCH": "AGR", "BRA": "AGR", "VER": "ONE", "HEN": "ONE", "DRU": "ONE",
}  # fmt: skip
DETAIL_MAPPING: Final[dict[str, tuple[SignalType, dict[str, str]]]] = {
    "BET": ("rent_arrears", {}),
    "DEU": ("rent_arrears", {}),
    "GEL": ("nuisance", {"category": "noise"}),
    "AGS": ("nuisance", {"category": "aggression"}),
    "FYS": ("nuisance", {"category": "aggression"}),
    "VEB": ("nuisance", {"category": "aggression"}),
    "SCH": ("nuisance", {"category": "aggression"}),
    "BRA": ("nuisance", {"category": "aggression"}),
    "VER": ("pollution", {}),
    "HEN": ("drugs", {"category": "cannabis_cultivation"}),
    "DRU": ("drugs", {"category": "drug_dealing"}),
}
SOORT_MAPPING: Final[dict[str, tuple[SignalType, dict[str, str]]]] = {
    "SCH": ("rent_arrears", {}),
    "OVE": ("nuisance", {"category": "other"}),
    "AGR": ("nuisance", {"category": "aggression"}),
}


@dataclass(frozen=True, slots=True)
class Unmappable:
    """Every VERA code that has no Vroegsignaal meaning, as `LIST 'CODE'`."""

    codes: tuple[str, ...]


def map_codes(
    soort: str | None, detail: str | None
) -> tuple[SignalType, dict[str, str]] | Unmappable:
    """detailSoort decides when present (its soort must be the parent; OVE+VER allowed)."""
    if detail is not None:
        parent = DETAIL_PARENT.get(detail)
        if parent is None:
            return Unmappable((f"SIGNALERINGDETAILSOORT '{detail}'",))
        if soort is not None and soort != parent and (soort, detail) != ("OVE", "VER"):
            return Unmappable((f"SIGNALERINGSOORT '{soort}'", f"SIGNALERINGDETAILSOORT '{detail}'"))
        return DETAIL_MAPPING[detail]
    if soort is not None and soort in SOORT_MAPPING:
        return SOORT_MAPPING[soort]
    return Unmappable((f"SIGNALERINGSOORT '{soort}'",))


VERA_NAMESPACE: Final = uuid.UUID("5b1c4f0e-7d0a-4f43-9a55-3f0c1e2d9a71")
"""Names the signal ids made from a VERA key that is not a UUID (uuid5, stable per key)."""
DEFAULT_DETAILS: Final[dict[SignalType, dict[str, str]]] = {
    "nuisance": {"severity": "medium"},
    "pollution": {"severity": "medium"},
    "drugs": {"stage": "reported"},
}
"""What VERA does not say and a Signalering means all the same: it does not grade nuisance or
pollution (medium unless `vroegsignaal.details` says), and a Signalering of drugs is a report
(melding) until a later one says warning or closure."""
FIELD_NAMES: Final[tuple[tuple[str, str], ...]] = (
    ("household.address.house_number_addition", "adres.huisnummerToevoeging"),
    ("household.address.house_number", "adres.huisnummer"),
    ("household.address.postcode", "adres.postcode"),
    ("household.address.city", "adres.woonplaats"),
    ("household.address", "adres"),
    ("household.tenant_reference", "relatie.code"),
    ("household", "vroegsignaal"),
    ("details", "vroegsignaal.details"),
    ("occurred_at", "begindatum"),
    ("type", "soort"),
    ("id", "idExtern"),
)
"""Our signal's fields as the Signalering names them, so a 422 points at what was posted."""


@dataclass(frozen=True, slots=True)
class VeraAddress:
    """Adres (VERA Vastgoed, Adres-basis): what identifies the home."""

    postcode: str
    huisnummer: str
    huisletter: str | None = None
    huisnummer_toevoeging: str | None = None
    woonplaats: str | None = None


def signal_id_for(key: str) -> str:
    """The corporation's key as our signal id: a UUID as it is, anything else as its uuid5."""
    try:
        return str(uuid.UUID(key))
    except ValueError:
        return str(uuid.uuid5(VERA_NAMESPACE, key))


def signal_body(
    key: str,
    soort: str | None,
    detail: str | None,
    begindatum: str,
    address: VeraAddress,
    tenant_reference: str | None,
    extension: Mapping[str, Any],
) -> dict[str, Any] | Unmappable:
    """The Signalering as the signal of CONTRACT §2 it means (validated like any posted one).

    `extension` holds what VERA's Signalering has no field for (minors, adults, contacts, and
    details such as a rent arrears' amount): the same words as in POST /v1/signals."""
    mapped = map_codes(soort, detail)
    if isinstance(mapped, Unmappable):
        return mapped
    type_, implied = mapped
    details = {**DEFAULT_DETAILS.get(type_, {}), **implied, **dict(extension.get("details") or {})}
    addition = "-".join(p for p in (address.huisletter, address.huisnummer_toevoeging) if p)
    household: dict[str, Any] = {
        name: value for name, value in extension.items() if name in ("minors", "adults", "contacts")
    }
    household["address"] = {
        "postcode": address.postcode,
        "house_number": int(address.huisnummer)
        if address.huisnummer.isdigit()
        else address.huisnummer,
        "house_number_addition": addition or None,
        "city": address.woonplaats,
    }
    household["tenant_reference"] = tenant_reference
    return {
        "id": signal_id_for(key),
        "type": type_,
        "occurred_at": begindatum,
        "household": household,
        "details": details,
    }


def vera_field(field: str) -> str:
    """A field of our signal as the Signalering calls it (`details.amount_eur` is
    `vroegsignaal.details.amount_eur`)."""
    for ours, theirs in FIELD_NAMES:
        if field == ours or field.startswith(ours + "."):
            return theirs + field[len(ours) :]
    return field
