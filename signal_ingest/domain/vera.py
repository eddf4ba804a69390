"""VERA Signalering (Aedes, Relaties 4.3.0) codes -> our signal type (research notes §4.3, §4.4).

Why: corporations describe signals in VERA; we map by field (soort vs detailSoort share codes such
as SCH), and name every code we cannot map so the route can answer 422 naming them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

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
