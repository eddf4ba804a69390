"""DDAS vroegsignalering v1.2 code words and our mapping to them (VNG Uitwisselmodel).

Why: the national monitor counts Eindresultaat codes, contact kinds and dagdelen; we keep our own
words and translate at the edge, one table each way (research notes §3.5, §3.6, §3.8).

The 16 Eindresultaat codes and the word each maps to are the table
`EINDRESULTAAT_TO_OUTCOME` below (code -> word); `eindresultaat_for` gives the default code for a
word (word -> code). `not_reached` becomes "Geen reactie na eerder contact" when any attempt
reached the resident, else "Definitief geen contact kunnen krijgen".
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

from shared.vocabulary import ContactChannel, UsdOutcome

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")

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

CONTACT_KIND: Final[dict[ContactChannel, str]] = {
    "letter": "Brief",
    "phone": "Telefoon",
    "email": "Mail",
    "sms": "SMS/Whatsapp",
    "home_visit": "Huisbezoek",
    "other": "Overige",
}

Dagdeel = Literal["Ochtend", "Middag", "Avond"]


def eindresultaat_for(outcome: UsdOutcome, *, ever_reached: bool) -> str:
    """The default code for a word; `not_reached` depends on whether contact was ever made."""
    if outcome == "not_reached":
        return (
            "Geen reactie na eerder contact"
            if ever_reached
            else "Definitief geen contact kunnen krijgen"
        )
    return OUTCOME_TO_EINDRESULTAAT[outcome]


def dagdeel(at: datetime) -> Dagdeel:
    """Part of day in Europe/Amsterdam: before 12 Ochtend, before 18 Middag, else Avond."""
    hour = at.astimezone(AMSTERDAM).hour
    if hour < 12:
        return "Ochtend"
    return "Middag" if hour < 18 else "Avond"
