"""Replaying a case's decisions (CONTRACT §10): each assessment recomputed from its kept inputs
under the policy version it names, so anyone can check that a score follows from the policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from triage.domain.assessment import Assessment
from triage.domain.decisions import Decision, replay
from triage.domain.errors import PolicyError
from triage.domain.policy import ScoringPolicy, policy_from_text
from triage.policy_repository import kept_policy_texts
from triage.repository import SqlCaseRepository
from triage.service import CaseNotFound


@dataclass(frozen=True)
class Replayed:
    """A decision and what its inputs give now; `replayed` None: its policy version is not kept."""

    decision: Decision
    replayed: Assessment | None

    @property
    def identical(self) -> bool:
        return self.replayed is not None and self.replayed.score == self.decision.assessment.score


def replay_decisions(
    decisions: list[Decision], policies: Mapping[str, ScoringPolicy]
) -> list[Replayed]:
    """Pure: each decision under the policy of its version (None when that is not at hand)."""
    out = []
    for decision in decisions:
        policy = policies.get(decision.assessment.policy_version)
        out.append(Replayed(decision, replay(policy, decision.inputs) if policy else None))
    return out


async def replay_case(engine: AsyncEngine, case_id: str, active: ScoringPolicy) -> list[Replayed]:
    """The case's decisions replayed under the kept policy versions (the active one too)."""
    async with engine.connect() as conn:
        repository = SqlCaseRepository(conn)
        if await repository.get(case_id) is None:
            raise CaseNotFound(case_id)
        decisions = await repository.decisions_of(case_id)
        texts = await kept_policy_texts(conn)
    policies: dict[str, ScoringPolicy] = {}
    for version, text in texts.items():
        try:
            policies[version] = policy_from_text(text, f"kept policy {version}")
        except PolicyError:
            continue  # unreadable: its decisions show as not replayable
    policies.setdefault(active.version, active)
    return replay_decisions(decisions, policies)
