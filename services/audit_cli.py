"""`vroegsignaal audit export|verify`: the audit log for the data protection officer (§10)."""

from __future__ import annotations

import sys

import orjson
from sqlalchemy.exc import SQLAlchemyError

from services.admin import admin_engine
from shared.audit.domain import ChainVerifier
from shared.audit.query import BadQuery, parse_moment
from shared.audit.repository import iter_audit
from shared.audit.schemas import AuditEntryOut
from shared.settings import Settings


async def export_audit(settings: Settings, since: str | None) -> int:
    """JSON lines on stdout, oldest first, hashes included (verifiable elsewhere)."""
    try:
        start = parse_moment(since, "--since") if since else None
    except BadQuery as exc:
        print(f"vroegsignaal: {exc}", file=sys.stderr)
        return 2
    engine = await admin_engine(settings)
    out = sys.stdout.buffer
    try:
        async with engine.connect() as conn:
            async for entry in iter_audit(conn, since=start):
                out.write(orjson.dumps(AuditEntryOut.of(entry).model_dump(mode="json")) + b"\n")
    finally:
        await engine.dispose()
    out.flush()
    return 0


async def verify_audit(settings: Settings) -> int:
    """Exit 0 only when every entry follows the one before and its hash matches its contents.

    Prints the head (last id and hash) on success: noting it elsewhere, as the monthly report
    can, also exposes entries removed from the end, which a chain alone cannot show.
    """
    engine = await admin_engine(settings)
    verifier = ChainVerifier()
    try:
        async with engine.connect() as conn:
            async for entry in iter_audit(conn):
                if not verifier.feed(entry):
                    break
    except (SQLAlchemyError, ValueError) as exc:
        last = verifier.head.id if verifier.head else 0
        print(f"audit log BROKEN after entry {last}: an entry cannot be read ({exc})")
        return 1
    finally:
        await engine.dispose()
    if verifier.broken is not None:
        broken = verifier.broken
        print(f"audit log BROKEN at entry {broken.entry_id}: {broken.reason}")
        return 1
    if verifier.head is None:
        print("audit log intact: no entries yet")
    else:
        head = verifier.head
        print(f"audit log intact: {verifier.count} entries; head entry {head.id} hash {head.hash}")
    return 0
