"""The household's contact data per corporation: the one place triage opens and seals it.

Each corporation's latest household (with contacts) is kept sealed as it came; the case shows
them merged, each contact with its source, so corporation B's signal never replaces A's contacts.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.case_document import CaseHousehold, SourcedContact
from shared.crypto import PiiVault
from shared.household import Household


def open_case_household(
    vault: PiiVault, sealed_by_source: Mapping[str, str], latest_source: str
) -> CaseHousehold:
    """Contacts in the order the corporations first signalled; the rest from the latest one."""
    households = {
        source: Household.model_validate_json(vault.open(sealed))
        for source, sealed in sealed_by_source.items()
    }
    latest = households[latest_source]
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
