"""The household's contact data per corporation: the one place triage opens and seals it.

Each corporation's latest household (with contacts) is kept sealed as it came; the case shows
them merged, each contact with its source, so corporation B's signal never replaces A's contacts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from pydantic import ValidationError

from shared.case_document import CaseHousehold, SourcedContact
from shared.crypto import PiiVault
from shared.household import Household
from triage.domain.errors import DomainError

log = logging.getLogger(__name__)


class UnreadableHousehold(DomainError):
    """A sealed household this process cannot open (another key, or damaged): the signal is
    refused rather than filed without its household."""


def open_household(vault: PiiVault, sealed: str) -> Household:
    try:
        return Household.model_validate_json(vault.open(sealed))
    except (InvalidTag, ValueError, ValidationError) as exc:
        raise UnreadableHousehold("the sealed household cannot be opened") from exc


def open_case_household(
    vault: PiiVault, sealed_by_source: Mapping[str, str], latest_source: str
) -> CaseHousehold:
    """Contacts in the order the corporations first signalled; the rest from the latest one.

    A corporation's household that cannot be opened any more is left out (and logged by source);
    when none can be opened, UnreadableHousehold.
    """
    households: dict[str, Household] = {}
    for source, sealed in sealed_by_source.items():
        try:
            households[source] = open_household(vault, sealed)
        except UnreadableHousehold:
            log.warning(
                "household of source %s cannot be opened; its contacts are left out", source
            )
    if not households:
        raise UnreadableHousehold("no sealed household of the case can be opened")
    latest = households.get(latest_source) or next(reversed(households.values()))
    return CaseHousehold(
        address=latest.address,
        tenant_reference=latest.tenant_reference,
        contacts=[
            SourcedContact(**contact.model_dump(), source=source)
            for source, household in households.items()
            for contact in household.contacts
        ],
        minors=latest.minors,
        adults=latest.adults,
    )


def seal_case_household(
    vault: PiiVault, sealed_by_source: Mapping[str, str], latest_source: str
) -> str:
    """The merged household, sealed for the case events (the notifier opens it for the USD)."""
    merged = open_case_household(vault, sealed_by_source, latest_source)
    return vault.seal(merged.model_dump_json().encode())
