"""The household's contact data per corporation: the one place triage opens and seals it.

Each corporation's latest household (with contacts) is kept sealed, bound to the case and that
corporation; the case shows them merged, each contact with its source, so corporation B's signal
never replaces A's contacts. Everything is sealed with the household's own data key (`KeySet`):
purging the household destroys it. Households are handled as the JSON ingest validated (no
re-validation on the hot path); the reader gets them as a typed `CaseHousehold`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag

from shared.case_document import CaseHousehold
from shared.envelope import KeySet
from shared.events import case_binding
from triage.domain.errors import DomainError

log = logging.getLogger(__name__)
OpenedHousehold = dict[str, Any]
"""A `shared.household.Household` as JSON: personal data, kept in memory only."""


class UnreadableHousehold(DomainError):
    """A sealed household this process cannot open (another key, erased, or damaged): the signal
    is refused rather than filed without its household."""


def source_binding(case_id: str, source: str) -> str:
    """What a corporation's household kept on the case is bound to."""
    return f"{case_binding(case_id)}:source:{source}"


def open_household(keys: KeySet, sealed: str, bound_to: str) -> OpenedHousehold:
    try:
        household = orjson.loads(keys.open(sealed, bound_to))
    except (InvalidTag, KeyError, ValueError) as exc:  # KeyError: a key not held (or erased)
        raise UnreadableHousehold("the sealed household cannot be opened") from exc
    if not isinstance(household, dict) or not isinstance(household.get("address"), dict):
        raise UnreadableHousehold("the sealed household is not a household")
    return household


def seal_source_household(
    keys: KeySet, pseudonym: str, case_id: str, source: str, household: OpenedHousehold
) -> str:
    """A corporation's household as the case keeps it."""
    return keys.seal(pseudonym, orjson.dumps(household), source_binding(case_id, source))


def merged_household(
    keys: KeySet,
    case_id: str,
    sealed_by_source: Mapping[str, str],
    latest_source: str,
    opened: Mapping[str, OpenedHousehold] | None = None,
) -> OpenedHousehold:
    """Contacts in the order the corporations first signalled, each with its source; address,
    tenant reference and counts from the latest one. `opened`: households opened already.

    A corporation's household that cannot be opened any more is left out (logged by source);
    when none can be opened, UnreadableHousehold.
    """
    households: dict[str, OpenedHousehold] = {}
    for source, sealed in sealed_by_source.items():
        try:
            known = (opened or {}).get(source)
            households[source] = (
                known
                if known is not None
                else open_household(keys, sealed, source_binding(case_id, source))
            )
        except UnreadableHousehold:
            log.warning(
                "household of source %s cannot be opened; its contacts are left out", source
            )
    if not households:
        raise UnreadableHousehold("no sealed household of the case can be opened")
    latest = households.get(latest_source) or next(reversed(households.values()))
    return {
        "address": latest["address"],
        "tenant_reference": latest.get("tenant_reference"),
        "contacts": [
            {**contact, "source": source}
            for source, household in households.items()
            for contact in household.get("contacts") or []
        ],
        "minors": latest.get("minors"),
        "adults": latest.get("adults"),
    }


def open_case_household(
    keys: KeySet, case_id: str, sealed_by_source: Mapping[str, str], latest_source: str
) -> CaseHousehold:
    """The merged household for an (audited) reader."""
    merged = merged_household(keys, case_id, sealed_by_source, latest_source)
    return CaseHousehold.model_validate(merged)


def seal_case_household(
    keys: KeySet,
    pseudonym: str,
    case_id: str,
    sealed_by_source: Mapping[str, str],
    latest_source: str,
    opened: Mapping[str, OpenedHousehold] | None = None,
) -> str:
    """The merged household, sealed for the case events (the notifier opens it for the USD)."""
    merged = merged_household(keys, case_id, sealed_by_source, latest_source, opened)
    return keys.seal(pseudonym, orjson.dumps(merged), case_binding(case_id))
