"""`vroegsignaal pii rotate` (CONTRACT §10): everything sealed under the key ring is re-sealed
under the active VS_PII_KEY, so older keys can then leave VS_PII_OLD_KEYS.

`services.sealed_repository` names every sealed column, table by table. Household data is
sealed with the households' own keys; those keys and the pseudonym secret are wrapped under
the ring, so re-wrapping them re-seals the household data too. Data sealed straight under the
ring (written before household keys) is re-sealed in place. Resumable after a crash: each batch
commits on its own and each row is compared-and-set, and a token already under the active key
is skipped, so a second run finishes what the first left and changes nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from services.sealed_repository import (
    SEALED_COLUMNS,
    SealedColumn,
    replace_sealed,
    row_key,
    sealed_batch,
)
from shared.audit import Actor, append_audit
from shared.crypto import PiiVault
from shared.envelope import is_household_token

BATCH: Final = 200


def _resealed_record(vault: PiiVault, value: bytes) -> bytes | None:
    """A parked record's value (event data) with its sealed household re-sealed, if any."""
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    token = data.get("sealed_household") if isinstance(data, dict) else None
    new = _reseal(vault, token, None) if isinstance(token, str) else None
    return None if new is None else orjson.dumps({**data, "sealed_household": new})


@dataclass
class ColumnReport:
    examined: int = 0
    resealed: int = 0
    current: int = 0
    """Sealed under the active key already, or with a household key (re-wrapped with it)."""


@dataclass
class RotationReport:
    active_key_id: str
    columns: dict[str, ColumnReport] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"pii rotate: everything sealed under key {self.active_key_id}"]
        for name, r in self.columns.items():
            out.append(
                f"  {name}: {r.examined} examined, {r.resealed} re-sealed, {r.current} current"
            )
        return out


def _reseal(vault: PiiVault, token: str, binding: str | None) -> str | None:
    """The token under the active key, or None when it needs nothing."""
    if is_household_token(token) or vault.is_current(token):
        return None
    return vault.seal(vault.open(token, binding), binding)


async def rotate(
    engine: AsyncEngine,
    keystore: AsyncEngine,
    vault: PiiVault,
    actor: Actor,
    batch: int = BATCH,
    after_batch: Callable[[str], None] = lambda _name: None,
) -> RotationReport:
    """Re-seals every registered column; `after_batch` is told after each committed batch."""
    report = RotationReport(vault.active_key_id)
    for sealed in SEALED_COLUMNS:
        counts = report.columns.setdefault(sealed.name, ColumnReport())
        await _rotate_column(
            keystore if sealed.in_keystore else engine, vault, sealed, counts, batch, after_batch
        )
    async with engine.begin() as conn:
        details = {"active_key_id": vault.active_key_id} | {
            name.replace(".", "_")[:40]: r.resealed for name, r in report.columns.items()
        }
        await append_audit(conn, actor, "pii.rotated", None, details)
    return report


async def _rotate_column(
    engine: AsyncEngine,
    vault: PiiVault,
    sealed: SealedColumn,
    counts: ColumnReport,
    batch: int,
    after_batch: Callable[[str], None],
) -> None:
    after: tuple[Any, ...] | None = None
    while True:
        async with engine.begin() as conn:
            rows = await sealed_batch(conn, sealed, after, batch)
            for row in rows:
                counts.examined += 1
                new = _resealed(vault, sealed, row)
                if new is None:
                    counts.current += 1
                elif await replace_sealed(conn, sealed, row, new):
                    counts.resealed += 1  # else changed meanwhile: the next run looks again
        if not rows:
            return
        after = row_key(sealed, rows[-1])
        after_batch(sealed.name)


def _resealed(vault: PiiVault, sealed: SealedColumn, row: Any) -> Any | None:
    """The row's column re-sealed under the active key, or None when it needs nothing."""
    value = row._mapping[sealed.column]
    if sealed.in_json:
        return _resealed_state(vault, value, sealed.in_json)
    if sealed.token_inside:
        return _resealed_record(vault, value)
    return _reseal(vault, value, sealed.binding(row))


def _resealed_state(vault: PiiVault, state: dict[str, Any], key: str) -> dict[str, Any] | None:
    tokens = state.get(key)
    if not isinstance(tokens, dict):
        return None
    changed = {source: _reseal(vault, token, None) for source, token in tokens.items()}
    if not any(changed.values()):
        return None
    return {**state, key: {s: changed[s] or t for s, t in tokens.items()}}
