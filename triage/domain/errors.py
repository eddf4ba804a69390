"""Errors the triage domain raises; adapters translate them into problem responses."""


class DomainError(Exception):
    """Base for every rule the triage domain refuses to break."""


class PolicyError(DomainError):
    """The scoring policy file is missing, malformed or violates its own invariants."""


class CaseError(DomainError):
    """An operation is not allowed in the case's current state (e.g. closing a closed case)."""


class InvalidSignalError(DomainError, ValueError):
    """A signal reached the domain with facts the boundary should have refused."""


class RefusedInput(DomainError, ValueError):
    """A request the USD sent that cannot be true (e.g. a contact attempt dated in the future);
    `field` names what is wrong, so the API answers 422 pointing at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
