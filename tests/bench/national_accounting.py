"""Where every accepted signal of the national month went, so that "no webhook named it" cannot
hide a loss (CONTRACT §2: nothing accepted is ever lost; §3: each signal in one household case;
§4: every case change is delivered).

A webhook's `data.signals` lists the case's 20 most recent signals, and only a case *change* is
sent: a repeat that changes nothing (§3 property 5, DDAS herhaalde melding) is kept in its case
without a notification, and a `resolved` with no open case opens none (§3 property 6). So each
accepted signal is put in exactly one account, read from the database after the run: the ones
that explain a missing webhook must each be proven (triage's inbox took it in, its case's history
says how), and whatever is proven by nothing is `unaccounted` — lost or still in flight.

Beside it, the case changes: every case event triage published must be a notification the
notifier recorded, and each of those a distinct webhook the receiver verified.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.tables import notifications, webhook_deliveries
from shared.inbox import inbox
from shared.parking import parked_records
from signal_ingest.tables import signals
from triage.case_rows import case_file_from_row
from triage.consumer import SignalTriage
from triage.domain.recorded_signals import SIGNAL_LINES
from triage.tables import cases

ACCOUNTS: dict[str, str] = {
    "delivered": "named in a webhook the receiver verified",
    "repeat": "in its case as a repeat that changed nothing (no notification: CONTRACT §3.5)",
    "resolved_without_case": "`resolved` with no open case to resolve: no case, nothing to send",
    "parked": "refused by triage and parked with its reason (a dead letter)",
    "undelivered": "in a case, but no webhook named it and it was no silent repeat",
    "untriaged": "stored, but triage never took it in",
    "unstored": "answered accepted, but not in the signals table",
}
"""Each accepted signal's account, in the order they are tried; the last three are losses (or
work still in flight when the bench stopped waiting)."""
LOSSES = ("undelivered", "untriaged", "unstored")


@dataclass(frozen=True)
class Ledger:
    """What the database holds about the run's signals after it."""

    stored: frozenset[str]
    """Signal ids in the signals table (ingest)."""
    triaged: frozenset[str]
    """Signal ids triage's inbox took in (the `signal.received` event id is the signal id)."""
    parked: frozenset[str]
    """Signal ids triage parked."""
    filed: Mapping[str, str]
    """Signal id → the history line its case recorded it with (`opened`, `signal_repeated`…)."""
    types: Mapping[str, str]
    """Signal id → its type, for every stored signal."""
    notifications: int
    """Notifications the notifier recorded (one per case event it took in)."""
    webhooks: Mapping[str, int]
    """Webhook deliveries per status (`delivered`, `pending`, `dead`, `endpoint_disabled`)."""


def account_signals(
    accepted: Iterable[str], named: Collection[str], ledger: Ledger
) -> dict[str, list[str]]:
    """Every accepted signal id in exactly one of `ACCOUNTS`."""
    out: dict[str, list[str]] = {name: [] for name in ACCOUNTS}
    for signal_id in accepted:
        out[_account(signal_id, named, ledger)].append(signal_id)
    return out


def _account(signal_id: str, named: Collection[str], ledger: Ledger) -> str:
    if signal_id in named:
        return "delivered"
    if signal_id not in ledger.stored:
        return "unstored"
    if signal_id in ledger.parked:
        return "parked"
    if signal_id not in ledger.triaged:
        return "untriaged"
    filed = ledger.filed.get(signal_id)
    if filed == "signal_repeated":
        return "repeat"
    if filed is None and ledger.types.get(signal_id) == "resolved":
        return "resolved_without_case"
    return "undelivered"


async def read_ledger(engine: AsyncEngine) -> Ledger:
    """Reads the bench database (services stopped, tables as the run left them)."""
    filed: dict[str, str] = {}
    async with engine.connect() as conn:
        types = {
            row.signal_id: row.type
            for row in await conn.execute(select(signals.c.signal_id, signals.c.type))
        }
        triaged = frozenset(
            await conn.scalars(
                select(inbox.c.event_id).where(inbox.c.consumer == SignalTriage.CONSUMER)
            )
        )
        parked: set[str] = set()
        for headers in await conn.scalars(
            select(parked_records.c.headers).where(
                parked_records.c.consumer == SignalTriage.CONSUMER
            )
        ):
            parked.update(v for k, v in orjson.loads(headers) if k == "ce_id")
        after = ""
        while True:
            query = select(cases).where(cases.c.case_id > after).order_by(cases.c.case_id)
            rows = (await conn.execute(query.limit(2000))).all()
            if not rows:
                break
            for row in rows:
                for line in case_file_from_row(row).case.history:
                    signal_id = line.detail.get("signal_id")
                    if line.kind in SIGNAL_LINES and isinstance(signal_id, str):
                        filed.setdefault(signal_id, line.kind)
            after = rows[-1].case_id
        notified = await conn.scalar(select(func.count()).select_from(notifications))
        status = webhook_deliveries.c.status
        by_status = dict(
            (await conn.execute(select(status, func.count()).group_by(status))).tuples().all()
        )
    return Ledger(
        stored=frozenset(types),
        triaged=triaged,
        parked=frozenset(parked),
        filed=filed,
        types=types,
        notifications=int(notified or 0),
        webhooks={str(k): int(v) for k, v in by_status.items()},
    )


STAGES: dict[str, str] = {
    "posted": "the last batch was answered",
    "stored": "ingest stored the last signal",
    "triaged": "triage took in the last signal",
    "recorded": "the notifier recorded the last case change",
    "delivered": "the notifier recorded the last webhook delivered",
    "received": "the receiver got the last webhook",
}
"""The timeline: when each stage finished (`posted` and `received` as the bench saw them, the
others from the database's own timestamps)."""


async def read_timeline(engine: AsyncEngine, since: datetime) -> dict[str, float | None]:
    """Seconds from `since` (the first POST, wall clock) to the end of each of `STAGES`."""
    ends = {
        "stored": select(func.max(signals.c.received_at)),
        "triaged": select(func.max(inbox.c.processed_at)).where(
            inbox.c.consumer == SignalTriage.CONSUMER
        ),
        "recorded": select(func.max(notifications.c.created_at)),
        "delivered": select(func.max(webhook_deliveries.c.settled_at)),
    }
    out: dict[str, float | None] = {}
    async with engine.connect() as conn:
        for stage, query in ends.items():
            at = await conn.scalar(query)
            out[stage] = None if at is None else (_aware(at) - since).total_seconds()
    return out


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
