"""DDAS vroegsignalering v1.2 code words and our mapping to them (VNG Uitwisselmodel).

Why: the national monitor counts Eindresultaat codes, contact kinds and dagdelen; we keep our own
words and translate at the edge, one table each way (research notes §3.5, §3.6, §3.8).

The 16 Eindresultaat codes and the word each maps to are the table
`EINDRESULTAAT_TO_OUTCOME` below (code -> word); `eindresultaat_for` gives the default code for a
word (word -> code). `not_reached` becomes "Geen reactie na eerder contact" when any attempt
reached the resident, else "Definitief geen contact kunnen krijgen". A case closed with a code
keeps that code, so the export gives back exactly what the USD chose.

Contact kinds (contactsoort): six are our channels (`CONTACT_KIND`); the other four are kept as
the USD posted them on a channel of ours (`DDAS_ONLY_KINDS`): Kaartje (a card through the door)
is a `letter`, Administratief, Afspraak op locatie and Onbekend are `other`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal, get_args
from zoneinfo import ZoneInfo

from shared.vocabulary import CONTACT_CHANNELS, USD_OUTCOMES, ContactChannel, UsdOutcome
from triage.domain.case_state import CaseState

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")

Eindresultaat = Literal[
    "(Budget)advies en/of quick fix",
    "Vervolghulp en/of verwijzing",
    "Vervolghulp en/of verwijzing financieel",
    "Vervolghulp en/of verwijzing niet financieel",
    "Verwijzing zonder tussenkomst inwoner",
    "Inwoner regelt het zelf/hoeft geen hulp vanuit vroegsignalering",
    "Inwoner heeft zelf al betaald/betalingsregeling getroffen",
    "Definitief geen contact kunnen krijgen",
    "Geen reactie na eerder contact",
    "Inwoner al bekend bij schuldhulpverlening",
    "Inwoner heeft al een ander lopend traject",
    "Niet opgepakt: herhaalde melding",
    "Persoon is geen inwoner (meer) in de gemeente",
    "Niet opgepakt: andere reden",
    "Niet opgepakt: onterecht signaal",
    "Inwoner is overleden",
]
"""DDAS v1.2 EnumEindresultaat: the resultaat of a Vroegsignaalzaak."""
EINDRESULTATEN: Final[tuple[Eindresultaat, ...]] = get_args(Eindresultaat)

ContactKind = Literal[
    "Administratief",
    "Afspraak op locatie",
    "Brief",
    "Huisbezoek",
    "Kaartje",
    "Mail",
    "Onbekend",
    "Overige",
    "SMS/Whatsapp",
    "Telefoon",
]
"""DDAS v1.2 EnumContactsoort."""
CONTACT_KINDS: Final[tuple[ContactKind, ...]] = get_args(ContactKind)

EINDRESULTAAT_TO_OUTCOME: Final[dict[str, UsdOutcome]] = {
    "(Budget)advies en/of quick fix": "help_accepted",
    "Vervolghulp en/of verwijzing": "help_accepted",
    "Vervolghulp en/of verwijzing financieel": "help_accepted",
    "Vervolghulp en/of verwijzing niet financieel": "help_accepted",
    "Verwijzing zonder tussenkomst inwoner": "help_accepted",
    "Inwoner regelt het zelf/hoeft geen hulp vanuit vroegsignalering": "help_declined",
    "Inwoner heeft zelf al betaald/betalingsregeling getroffen": "help_declined",
    "Definitief geen contact kunnen krijgen": "not_reached",
    "Geen reactie na eerder contact": "not_reached",
    "Inwoner al bekend bij schuldhulpverlening": "already_in_care",
    "Inwoner heeft al een ander lopend traject": "already_in_care",
    "Niet opgepakt: herhaalde melding": "repeated_signal",
    "Persoon is geen inwoner (meer) in de gemeente": "not_resident",
    "Niet opgepakt: andere reden": "closed_other",
    "Niet opgepakt: onterecht signaal": "closed_other",
    "Inwoner is overleden": "closed_other",
}

OUTCOME_TO_EINDRESULTAAT: Final[dict[UsdOutcome, str]] = {
    "help_accepted": "Vervolghulp en/of verwijzing",
    "help_declined": "Inwoner regelt het zelf/hoeft geen hulp vanuit vroegsignalering",
    "already_in_care": "Inwoner heeft al een ander lopend traject",
    "repeated_signal": "Niet opgepakt: herhaalde melding",
    "not_resident": "Persoon is geen inwoner (meer) in de gemeente",
    "closed_other": "Niet opgepakt: andere reden",
}

CONTACT_KIND: Final[dict[ContactChannel, ContactKind]] = {
    "letter": "Brief",
    "phone": "Telefoon",
    "email": "Mail",
    "sms": "SMS/Whatsapp",
    "home_visit": "Huisbezoek",
    "other": "Overige",
}

DDAS_ONLY_KINDS: Final[dict[ContactKind, ContactChannel]] = {
    "Kaartje": "letter",
    "Administratief": "other",
    "Afspraak op locatie": "other",
    "Onbekend": "other",
}
KIND_TO_CHANNEL: Final[dict[ContactKind, ContactChannel]] = {
    **{kind: channel for channel, kind in CONTACT_KIND.items()},
    **DDAS_ONLY_KINDS,
}

Dagdeel = Literal["Ochtend", "Middag", "Avond"]
DAGDELEN: Final[tuple[Dagdeel, ...]] = get_args(Dagdeel)


def outcome_for(posted: str) -> tuple[UsdOutcome, str | None]:
    """Our word for a posted outcome, and the DDAS code when a code was posted.

    Raises KeyError for anything that is neither (the boundary refuses it first)."""
    if posted in EINDRESULTAAT_TO_OUTCOME:
        return EINDRESULTAAT_TO_OUTCOME[posted], posted
    if posted in USD_OUTCOMES:
        return posted, None
    raise KeyError(posted)


def channel_for(posted: str) -> tuple[ContactChannel, str | None]:
    """Our channel for a posted channel or DDAS contactsoort, and the kind when one was posted."""
    if posted in KIND_TO_CHANNEL:
        return KIND_TO_CHANNEL[posted], posted
    if posted in CONTACT_CHANNELS:
        return posted, None
    raise KeyError(posted)


def contact_kind(channel: ContactChannel, posted_kind: str | None) -> ContactKind:
    """The DDAS contactsoort of an attempt: as posted, else our channel's."""
    if posted_kind in CONTACT_KINDS:
        return posted_kind
    return CONTACT_KIND[channel]


def eindresultaat_for(outcome: UsdOutcome, *, ever_reached: bool) -> str:
    """The default code for a word; `not_reached` depends on whether contact was ever made."""
    if outcome == "not_reached":
        return (
            "Geen reactie na eerder contact"
            if ever_reached
            else "Definitief geen contact kunnen krijgen"
        )
    return OUTCOME_TO_EINDRESULTAAT[outcome]


def case_result(case: CaseState) -> str | None:
    """A closed case's Eindresultaat: the code posted, else its outcome's.

    A case that closed because the corporation withdrew every signal (`resolved`) ends as
    "Inwoner heeft zelf al betaald/betalingsregeling getroffen" when the last withdrawal said
    paid or payment_arrangement, else "Niet opgepakt: andere reden"."""
    if case.status != "closed" or case.outcome is None:
        return None
    if case.ddas_result is not None:
        return case.ddas_result
    if case.outcome == "resolved":
        reasons = [h.detail.get("reason") for h in case.history if h.kind == "signal_resolved"]
        if reasons and reasons[-1] in ("paid", "payment_arrangement"):
            return "Inwoner heeft zelf al betaald/betalingsregeling getroffen"
        return "Niet opgepakt: andere reden"
    reached = any(a.reached for a in case.contact_attempts)
    return eindresultaat_for(case.outcome, ever_reached=reached)


def dagdeel(at: datetime) -> Dagdeel:
    """Part of day in Europe/Amsterdam: before 12 Ochtend, before 18 Middag, else Avond."""
    hour = at.astimezone(AMSTERDAM).hour
    if hour < 12:
        return "Ochtend"
    return "Middag" if hour < 18 else "Avond"
