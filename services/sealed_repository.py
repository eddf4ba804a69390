"""Every sealed column of every service, and the batched reads and compare-and-set writes that
`pii rotate` re-seals them with. It spans the services' tables (one database and the key
store), so it lives here, in the composition root, beside the rotation that uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Column, Table, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.tables import notifications
from shared.keystore.keys import secret_binding, wrap_binding
from shared.keystore.tables import household_keys, keystore_secrets
from shared.parking import parked_records
from signal_ingest.tables import signals
from triage.tables import cases


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
    token_inside: bool = False
    """The column holds tokens inside a value (a parked record's event data), not a token."""

    @property
    def key_columns(self) -> list[Column[Any]]:
        return [self.table.c[k] for k in self.key]


SEALED_COLUMNS: Final = (
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
    SealedColumn("parked_records.value", parked_records, ("id",), "value", token_inside=True),
)


async def sealed_batch(
    conn: AsyncConnection, sealed: SealedColumn, after: tuple[Any, ...] | None, size: int
) -> Sequence[Any]:
    """The next `size` rows after key `after`, in key order: key columns, the column, version."""
    table, key_cols = sealed.table, sealed.key_columns
    extra = [table.c.version] if sealed.in_json else []
    query = select(*key_cols, table.c[sealed.column], *extra).order_by(*key_cols).limit(size)
    if after is not None:
        query = query.where(tuple_(*key_cols) > tuple_(*after))
    return (await conn.execute(query)).all()


def row_key(sealed: SealedColumn, row: Any) -> tuple[Any, ...]:
    return tuple(row._mapping[c.name] for c in sealed.key_columns)


async def replace_sealed(conn: AsyncConnection, sealed: SealedColumn, row: Any, new: Any) -> bool:
    """Writes `new` where the row still holds what was read (its token or, in JSON, its
    version); False when it changed meanwhile (the next run looks again)."""
    table = sealed.table
    where = [c == row._mapping[c.name] for c in sealed.key_columns]
    if sealed.in_json:
        where.append(table.c.version == row.version)
    else:
        where.append(table.c[sealed.column] == row._mapping[sealed.column])
    result = await conn.execute(update(table).where(*where).values({sealed.column: new}))
    return result.rowcount == 1
