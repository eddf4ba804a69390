"""Response shapes of the ingest API, named by role."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.web.problems import FieldError


class SignalLinks(BaseModel):
    self: str


class SignalAccepted(BaseModel):
    id: str
    status: Literal["accepted"] = "accepted"
    received_at: datetime
    links: SignalLinks


class BatchIn(BaseModel):
    signals: list[Any] = Field(
        min_length=1, max_length=1000, description="1 to 1000 signals, each as in POST /v1/signals."
    )


class BatchItemResult(BaseModel):
    id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    errors: list[FieldError] = Field(default_factory=list)


class BatchResult(BaseModel):
    results: list[BatchItemResult]


class SignalStatusOut(BaseModel):
    """The only feedback a creditor may get (DDAS): never score, team, notes or outcome."""

    id: str
    type: str
    received_at: datetime
    status: Literal["accepted", "picked_up", "not_picked_up"]
