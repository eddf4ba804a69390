"""The USD's case work, one use case each: contact attempts (contactpoging), housing plans
(woonplan) and the outcome (resultaat). Each loads the case, lets it decide and saves it with
its event and its audit entry in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from shared.audit import Actor
from shared.audit.details import AuditDetails
from shared.case_document import CaseDocument
from shared.vocabulary import HousingPlanKind
from triage.case_events import case_events
from triage.case_file import case_document
from triage.domain.case_records import ContactAttempt
from triage.domain.ddas import channel_for, outcome_for
from triage.domain.housing import HousingPlan, refuse_implausible_day
from triage.domain.policy_model import ScoringPolicy
from triage.service import Transaction, for_change


@dataclass(frozen=True)
class NewContactAttempt:
    """A contact attempt as the USD posts it; without an id it gets a new one."""

    channel: str
    """Our channel or a DDAS contactsoort (`triage.domain.ddas.channel_for`)."""
    reached: bool
    at: datetime
    attempt_id: str | None = None
    dagdeel: str | None = None


async def record_contact_attempt(
    begin: Transaction, case_id: str, posted: NewContactAttempt, actor: Actor, now: datetime
) -> tuple[CaseDocument, bool]:
    """Records the attempt; returns the case and whether it was a replay (same id, nothing new)."""
    channel, kind = channel_for(posted.channel)
    attempt = ContactAttempt(
        posted.attempt_id or str(uuid.uuid4()),
        channel,
        posted.reached,
        posted.at,
        kind,
        posted.dagdeel,
    )
    async with begin() as cases:
        file = await for_change(cases, case_id)
        change = file.case.record_contact_attempt(attempt, now)
        if change.cause == "duplicate_attempt":
            return case_document(file, now), True
        await cases.save([file], case_events(file, change))
        details: AuditDetails = {
            "attempt_id": attempt.id,
            "channel": attempt.channel,
            "reached": attempt.reached,
        }
        await cases.audit(actor, "contact_attempt.recorded", case_id, details)
    return case_document(file, now), False


@dataclass(frozen=True)
class NewHousingPlan:
    """A housing plan as the USD posts it (CONTRACT §8)."""

    kind: HousingPlanKind
    summary: str | None = None
    starts_on: date | None = None


async def record_housing_plan(
    begin: Transaction,
    case_id: str,
    posted: NewHousingPlan,
    actor: Actor,
    policy: ScoringPolicy,
    now: datetime,
) -> CaseDocument:
    """The plan stands from now; the case is re-assessed (NO_HOUSING_PLAN goes)."""
    refuse_implausible_day("starts_on", posted.starts_on, now.date())
    plan = HousingPlan(
        str(uuid.uuid4()), posted.kind, now, actor_name(actor), posted.summary, posted.starts_on
    )
    async with begin() as cases:
        file = await for_change(cases, case_id)
        change = file.case.record_housing_plan(plan, policy, now)
        await cases.save([file], case_events(file, change))
        details = {"plan_id": plan.id, "kind": plan.kind}
        await cases.audit(actor, "housing_plan.recorded", case_id, details)
    return case_document(file, now)


async def close_case(
    begin: Transaction, case_id: str, posted: str, actor: Actor, now: datetime
) -> CaseDocument:
    """`posted`: our outcome word or a DDAS Eindresultaat code (kept beside the word)."""
    outcome, code = outcome_for(posted)
    async with begin() as cases:
        file = await for_change(cases, case_id)
        change = file.case.close(outcome, now, code)
        await cases.save([file], case_events(file, change))
        await cases.audit(actor, "case.outcome_recorded", case_id, {"outcome": outcome})
    return case_document(file, now)


def actor_name(actor: Actor) -> str:
    """Who recorded something, as the case shows it: the key's source (or `system`, `cli`)."""
    return actor.source or actor.kind
