"""What the audit API and `audit export` show of an entry: everything, hashes included."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.audit.domain import ACTOR_KINDS, AUDIT_ACTIONS, AuditEntry


class ActorOut(BaseModel):
    """Who: an API key (id and source; never the key), `system` or `cli`."""

    kind: str = Field(description=f"One of {', '.join(ACTOR_KINDS)}.", examples=["key"])
    key_id: str | None = Field(None, examples=["4f0c2d7a9b1e4c3d8a6f5e2b1c0d9e8f"])
    source: str | None = Field(None, examples=["usd-gooise-meren"])


class AuditEntryOut(BaseModel):
    """One entry of the hash-chained audit log (auditlog); never personal data."""

    id: int = Field(description="1, 2, 3 … without gaps.", examples=[42])
    at: datetime
    actor: ActorOut
    action: str = Field(
        description=f"What was done, one of: {', '.join(AUDIT_ACTIONS)}.",
        examples=["contact_data.shown"],
    )
    subject: str | None = Field(
        None, description="The case id, or the key id for key.*.", examples=["0b7c…"]
    )
    details: dict[str, Any] = Field(
        description="A few codes and counts; no personal data.", examples=[{"via": "api"}]
    )
    prev_hash: str = Field(description="`hash` of entry id-1; 64 zeros for the first entry.")
    hash: str = Field(
        description="SHA-256 (hex) of b'vroegsignaal.audit.v1\\n' followed by the UTF-8 JSON of "
        "{id, at, actor, action, subject, details, prev_hash} with sorted keys, no whitespace "
        "and `at` in UTC as 2026-11-02T08:00:00.000000+00:00."
    )

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            id=entry.id,
            at=entry.at,
            actor=ActorOut(
                kind=entry.actor.kind, key_id=entry.actor.key_id, source=entry.actor.source
            ),
            action=entry.action,
            subject=entry.subject,
            details=dict(entry.details),
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")
