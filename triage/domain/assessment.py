"""The outcome of scoring a case: score, priority, team and the reasons that explain each point."""

from __future__ import annotations

from dataclasses import dataclass

from shared.vocabulary import Priority, Reason


@dataclass(frozen=True)
class Assessment:
    """Risk assessment (risicoweging) of a case under one policy version.

    Invariant: the reasons' points sum exactly to `score` (CONTRACT §3 property 4).
    """

    score: int
    priority: Priority
    reasons: tuple[Reason, ...]
    team: str
    policy_version: str

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)
