"""Builds the webhook's `Notification` from a stored row; the household is opened only here.

At rest the household stays sealed; it is decrypted in memory just before the POST, and only
for the full payload (`VS_WEBHOOK_PAYLOAD=full`, the default).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Row

from notifier.domain.notification import EventType, Notification, case_link, minimal_data
from shared.crypto import PiiVault


class PayloadBuilder:
    def __init__(self, vault: PiiVault, mode: str, public_base_url: str) -> None:
        if mode not in ("full", "minimal"):
            raise ValueError(f"unknown webhook payload mode {mode!r}")
        self._vault, self._mode, self._base = vault, mode, public_base_url

    def notification(self, row: Row[Any]) -> Notification:
        """`row` is a `notifications` row. Raises if the household cannot be opened."""
        if self._mode == "minimal":
            data = minimal_data(row.subject, case_link(self._base, row.subject))
        else:
            data = orjson.loads(row.case_document)
            data["household"] = orjson.loads(self._vault.open(row.sealed_household))
        return Notification(
            id=row.id,
            event_type=EventType(row.event_type),
            subject=row.subject,
            time=row.time,
            data=data,
        )
