"""The signal repository's one write per group, on SQLite and on PostgreSQL (one statement there):
new signals with their events, in the order they were posted; nothing written twice."""

from __future__ import annotations

import orjson
from sqlalchemy import or_, select, text

from shared.db import create_engine
from shared.outbox import outbox
from shared.settings import Settings
from signal_ingest.domain.intake import Posted
from signal_ingest.domain.signal import parse_signal
from signal_ingest.repository import SignalRepository
from signal_ingest.service import accept_signals
from tests.harness import running
from tests.signals import rent_arrears


async def test_a_group_stores_new_signals_with_events_in_posted_order(
    stack: Settings, unique: str
) -> None:
    corp, other = f"corp-{unique}", f"other-{unique}"
    one_household = [
        parse_signal(rent_arrears(amount=amount, house_number=7, postcode="1402 AB"))
        for amount in (300.0, 100.0, 200.0, 600.0, 500.0, 400.0)
    ]
    posted: list[Posted] = [(corp, signal) for signal in one_household]
    posted.append((other, one_household[0]))  # the same id from another source is another signal
    async with running(stack, workers=False) as vs:
        store = SignalRepository(vs.runtime.engine)
        first = await accept_signals(store, posted, vs.runtime.vault)
        again = await accept_signals(store, posted, vs.runtime.vault)
        ids = [str(signal.id) for signal in one_household]
        async with vs.runtime.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(outbox.c.key, outbox.c.headers)
                    .where(or_(*(outbox.c.headers.contains(i) for i in ids)))
                    .order_by(outbox.c.seq)
                )
            ).all()

    assert [i.verdict for i in first] == ["accepted"] * 7
    assert [i.verdict for i in again] == ["duplicate"] * 7
    assert [i.received_at for i in again] == [i.received_at for i in first]
    events = [dict(orjson.loads(row.headers)) for row in rows]
    # Posted order, not id order (six random ids are in posted order once in 720 runs).
    assert [(e["ce_id"], e["ce_source"].rsplit("/", 1)[-1]) for e in events] == [
        *((i, corp) for i in ids),
        (ids[0], other),
    ]
    assert len({row.key for row in rows}) == 1  # one household, one Kafka key: order is kept


async def test_a_connection_the_database_dropped_does_not_fail_a_post(
    pg_settings: Settings, unique: str
) -> None:
    """After a database restart the pool still holds connections to the old server process."""
    async with running(pg_settings, workers=False) as vs:
        auth = {
            "Content-Type": "application/json",
            **await vs.key(f"corp-{unique}", "signals:write"),
        }
        first = await vs.client.post("/v1/signals", json=rent_arrears(), headers=auth)
        async with vs.runtime.engine.connect() as conn:  # the pooled connection the post used
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        admin = create_engine(str(pg_settings.database_url))  # not from the service's pool
        async with admin.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await admin.dispose()
        second = await vs.client.post("/v1/signals", json=rent_arrears(), headers=auth)

    assert (first.status_code, second.status_code) == (202, 202)
