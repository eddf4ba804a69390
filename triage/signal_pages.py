"""A case's signals a page at a time (GET /v1/cases/{id}/signals): the case document itself
carries only the most recent ones, so its size stays bounded (CONTRACT §4)."""

from __future__ import annotations

import base64

from pydantic import BaseModel, Field

from shared.case_document import CaseSignal
from triage.work_queue import BadCursor

_PREFIX = "s1:"


class SignalPage(BaseModel):
    """One page of a case's signals, oldest first."""

    items: list[CaseSignal]
    total: int = Field(ge=0, description="How many signals the case holds in all.")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")

    @staticmethod
    def cursor_at(position: int) -> str:
        return base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode()

    @staticmethod
    def start_of(cursor: str | None) -> int:
        """The position a cursor points at; BadCursor for one this API never gave out."""
        if cursor is None:
            return 0
        try:
            text = base64.urlsafe_b64decode(cursor.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            raise BadCursor("cursor is not one this API gave out") from None
        digits = text.removeprefix(_PREFIX)
        if (
            not text.startswith(_PREFIX)
            or not (digits.isascii() and digits.isdigit())
            or len(digits) > 9
        ):
            raise BadCursor("cursor is not one this API gave out")
        return int(digits)
