"""The only feedback a corporation gets about its signal (DDAS: was it picked up or not).

Never the score, team, notes or outcome (CONTRACT §2): just one of three words.
"""

from __future__ import annotations

from typing import Final

from shared.vocabulary import Outcome, SignalStatus
from triage.domain.case import Case

# Picked up (opgepakt): the USD dealt with the household, whatever the household decided.
# Not picked up: nobody was reached or helped, the corporation resolved it first, or it repeated
# an earlier signal (DDAS "niet opgepakt: herhaalde melding", CONTRACT §3).
PICKED_UP_OUTCOMES: Final[frozenset[Outcome]] = frozenset(
    {"help_accepted", "help_declined", "already_in_care"}
)
NOT_PICKED_UP_OUTCOMES: Final[frozenset[Outcome]] = frozenset(
    {"not_reached", "not_resident", "closed_other", "resolved", "repeated_signal"}
)


def signal_status_for_corporation(case: Case) -> SignalStatus:
    """Status of every signal grouped into `case`: accepted while open, then by outcome."""
    if case.status != "closed":
        return "accepted"
    return "picked_up" if case.outcome in PICKED_UP_OUTCOMES else "not_picked_up"
