"""What triage's routes depend on, and how the use cases' refusals become problem documents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends

from shared.audit import Actor
from shared.web.auth import Principal
from shared.web.deps import EngineDep, provided
from shared.web.problems import FieldError, Problem, ProblemError
from triage import service
from triage.domain.errors import CaseError, RefusedInput
from triage.domain.policy_model import ScoringPolicy
from triage.repository import StaleCase, transactions

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (401, 403, 404, 409, 422)
}


async def _case_transactions(engine: EngineDep) -> service.Transaction:
    return transactions(engine)


CasesDep = Annotated[service.Transaction, Depends(_case_transactions)]
PolicyDep = Annotated[ScoringPolicy, Depends(provided("triage_policy"))]
"""The scoring policy the process runs (VS_POLICY_FILE), provided by the composition root."""


def actor_of(principal: Principal) -> Actor:
    """The audit log's name for whoever holds the key."""
    return Actor.for_key(principal.key_id, principal.source)


@contextmanager
def case_problems(case_id: str) -> Iterator[None]:
    """The use cases' refusals as problem documents."""
    try:
        yield
    except service.CaseNotFound:
        raise ProblemError(404, f"No case {case_id}.") from None
    except RefusedInput as exc:
        raise ProblemError(422, str(exc), [FieldError(field=exc.field, message=str(exc))]) from None
    except CaseError as exc:
        raise ProblemError(409, str(exc)) from None
    except StaleCase:
        raise ProblemError(409, f"Case {case_id} changed meanwhile; read it and retry.") from None
