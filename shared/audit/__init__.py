"""The append-only, hash-chained audit log (auditlog, CONTRACT §10): who did what, when.

Record an effect in the transaction that makes it, as its last statement::

    async with engine.begin() as conn:
        ...  # the effect: read the case, record the outcome, book the shelter unit
        await append_audit(
            conn, Actor.for_key(principal.key_id, principal.source),
            "contact_data.shown", case_id, {"via": "api"},
        )

`details` holds codes, ids and counts only; personal data and free text are refused. Entries
are never updated or deleted (database triggers refuse it) and are not purged with the cases
they name: they hold no personal data, so they are kept for as long as the service keeps
records (archive them with `vroegsignaal audit export`). `shared.audit.api.router` serves
`GET /v1/audit`; `vroegsignaal audit verify` checks the chain.
"""

from shared.audit.domain import CLI, SYSTEM, Actor, AuditAction, AuditEntry
from shared.audit.repository import append_audit, append_audits

__all__ = ["CLI", "SYSTEM", "Actor", "AuditAction", "AuditEntry", "append_audit", "append_audits"]
