"""The append-only, hash-chained audit log (CONTRACT §10): who did what, when, to which case.

Record an effect with `append_audit(conn, actor, action, subject, details)` in the transaction
that makes it; `shared.audit.api.router` serves `GET /v1/audit`.
"""

from shared.audit.domain import CLI, SYSTEM, Actor, AuditAction, AuditEntry
from shared.audit.repository import append_audit

__all__ = ["CLI", "SYSTEM", "Actor", "AuditAction", "AuditEntry", "append_audit"]
