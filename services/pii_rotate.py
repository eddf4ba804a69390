"""`vroegsignaal pii rotate` (CONTRACT §10): everything sealed under the key ring is re-sealed
under the active VS_PII_KEY, so older keys can then leave VS_PII_OLD_KEYS.

The registry below names every sealed column, table by table. Household data is sealed with
the households' own keys; those keys and the pseudonym secret are wrapped under the ring, so
re-wrapping them re-seals the household data too. Data sealed straight under the ring (written
before household keys) is re-sealed in place. Resumable after a crash: each batch commits on its
own and each row is compared-and-set, and a token already under the active key is skipped, so
a second run finishes what the first left and changes nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
from sqlalchemy import Column, Table, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.tables import notifications
from shared.audit import Actor, append_audit
from shared.crypto import PiiVault
from shared.envelope import is_household_token
from shared.keystore.keys import secret_binding, wrap_binding
from shared.keystore.tables import household_keys, keystore_secrets
from shared.parking import parked_records
from signal_ingest.tables import signals
from triage.tables import cases

BATCH: Final = 200


@dataclass(frozen=True)
class SealedColumn:
    """One sealed column: its table, primary key, and what its tokens are bound to."""

    name: str
    table: Table
    key: tuple[str, ...]
    column: str
    binding: Callable[[Any], str | None] = lambda _row: None
    in_keystore: bool = False
    in_json: str | None = None
    """A JSON column holding a mapping of tokens under this key (cases.state.sealed_by_source)."""
    reseal: Callable[[PiiVault, Any], Any | None] | None = None
    """For a column that holds tokens inside a value: the value re-sealed, or None."""


def _resealed_record(vault: PiiVault, value: bytes) -> bytes | None:
    """A parked record's value (event data) with its sealed household re-sealed, if any."""
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    token = data.get("sealed_household") if isinstance(data, dict) else None
    new = _reseal(vault, token, None) if isinstance(token, str) else None
    return None if new is None else orjson.dumps({**data, "sealed_household": new})


REGISTRY: Final = (
    SealedColumn(
        "household_keys.wrapped_key",
        household_keys,
        ("household_pseudonym",),
        "wrapped_key",
        lambda row: wrap_binding(row.household_pseudonym),
        in_keystore=True,
    ),
    SealedColumn(
        "keystore_secrets.wrapped",
        keystore_secrets,
        ("name",),
        "wrapped",
        lambda row: secret_binding(row.name),
        in_keystore=True,
    ),
    SealedColumn("signals.sealed_body", signals, ("source", "signal_id"), "sealed_body"),
    SealedColumn("cases.sealed_household", cases, ("case_id",), "sealed_household"),
    SealedColumn(
        "cases.state.sealed_by_source", cases, ("case_id",), "state", in_json="sealed_by_source"
    ),
    SealedColumn("notifications.sealed_household", notifications, ("id",), "sealed_household"),
    SealedColumn("parked_records.value", parked_records, ("id",), "value", reseal=_resealed_record),
)


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
    for sealed in REGISTRY:
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
    table = sealed.table
    key_cols: list[Column[Any]] = [table.c[k] for k in sealed.key]
    column = table.c[sealed.column]
    extra = [table.c.version] if sealed.in_json else []
    after: tuple[Any, ...] | None = None
    while True:
        query = select(*key_cols, column, *extra).order_by(*key_cols).limit(batch)
        if after is not None:
            query = query.where(tuple_(*key_cols) > tuple_(*after))
        async with engine.begin() as conn:
            rows = (await conn.execute(query)).all()
            for row in rows:
                counts.examined += 1
                where = [c == row._mapping[c.name] for c in key_cols]
                if sealed.in_json:
                    new_state = _resealed_state(vault, row._mapping[sealed.column], sealed.in_json)
                    if new_state is None:
                        counts.current += 1
                        continue
                    result = await conn.execute(
                        update(table)
                        .where(*where, table.c.version == row.version)
                        .values({sealed.column: new_state})
                    )
                else:
                    token = row._mapping[sealed.column]
                    new = (
                        sealed.reseal(vault, token)
                        if sealed.reseal
                        else _reseal(vault, token, sealed.binding(row))
                    )
                    if new is None:
                        counts.current += 1
                        continue
                    result = await conn.execute(
                        update(table).where(*where, column == token).values({sealed.column: new})
                    )
                if result.rowcount == 1:
                    counts.resealed += 1  # else changed meanwhile: the next run looks again
        if not rows:
            return
        after = tuple(rows[-1]._mapping[c.name] for c in key_cols)
        after_batch(sealed.name)


def _resealed_state(vault: PiiVault, state: dict[str, Any], key: str) -> dict[str, Any] | None:
    tokens = state.get(key)
    if not isinstance(tokens, dict):
        return None
    changed = {source: _reseal(vault, token, None) for source, token in tokens.items()}
    if not any(changed.values()):
        return None
    return {**state, key: {s: changed[s] or t for s, t in tokens.items()}}
