"""Crisis shelter (crisisopvang, CONTRACT §8): the facilities and units the USD can book.

The catalogue is a published file (VS_SHELTER_FILE, default deploy/shelter/default.toml); the
occupancy lives in the database, which alone guarantees capacity. Pure apart from reading the
file, as the policy loader is.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from shared.vocabulary import SHELTER_UNIT_KINDS, ShelterUnitKind
from triage.domain.errors import DomainError
from triage.domain.policy_reader import TomlTable

PACKAGED_SHELTER = Path(__file__).resolve().parents[1] / "shelter" / "default.toml"
UnitKey = tuple[str, ShelterUnitKind]
"""(facility id, unit kind)."""


class ShelterFileError(DomainError):
    """The shelter file is missing or malformed (the error names the key)."""


@dataclass(frozen=True)
class ShelterUnit:
    kind: ShelterUnitKind
    capacity: int | None
    """None: no fixed limit (a hotel books rooms as needed)."""


@dataclass(frozen=True)
class Facility:
    id: str
    name: str
    units: tuple[ShelterUnit, ...]


@dataclass(frozen=True)
class ShelterCatalog:
    facilities: tuple[Facility, ...]

    def unit(self, facility: str, kind: str) -> ShelterUnit | None:
        for f in self.facilities:
            if f.id == facility:
                return next((u for u in f.units if u.kind == kind), None)
        return None

    def unit_keys(self) -> list[tuple[UnitKey, int | None]]:
        return [((f.id, u.kind), u.capacity) for f in self.facilities for u in f.units]

    def with_room(self, occupied: Mapping[UnitKey, int], besides: UnitKey) -> list[UnitKey]:
        """The units other than `besides` that have room: the alternatives to offer."""
        return [
            key
            for key, capacity in self.unit_keys()
            if key != besides and (capacity is None or occupied.get(key, 0) < capacity)
        ]


def default_shelter_path() -> Path:
    """The default shelter file (VS_SHELTER_FILE overrides it)."""
    if not PACKAGED_SHELTER.is_file():
        raise ShelterFileError(f"the default shelter file {PACKAGED_SHELTER} is missing")
    return PACKAGED_SHELTER


def load_shelter(path: Path | str) -> ShelterCatalog:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        root = TomlTable(raw, "", path.name)
        facilities = tuple(_facility(t) for t in root.tables("facility"))
        if len({f.id for f in facilities}) != len(facilities):
            root.fail("facility", "must give each facility its own id")
        root.done()
        return ShelterCatalog(facilities)
    except OSError as exc:
        raise ShelterFileError(f"shelter file {path}: cannot be read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ShelterFileError(f"shelter file {path.name}: not valid TOML ({exc})") from exc
    except DomainError as exc:
        raise ShelterFileError(str(exc).replace("policy ", "shelter file ", 1)) from exc


def _facility(t: TomlTable) -> Facility:
    units = []
    for u in t.tables("units"):
        kind = cast(ShelterUnitKind, u.string("kind", options=SHELTER_UNIT_KINDS))
        capacity = u.integer("capacity", minimum=1) if u.has("capacity") else None
        units.append(ShelterUnit(kind, capacity))
        u.done()
    facility = Facility(t.string("id"), t.string("name"), tuple(units))
    if len(facility.id) > 50 or not facility.id.replace("-", "").replace("_", "").isalnum():
        t.fail("id", "must be a short name of letters, digits, - and _ (at most 50)")
    if len({u.kind for u in units}) != len(units):
        t.fail("units", "must name each unit kind once")
    t.done()
    return facility
