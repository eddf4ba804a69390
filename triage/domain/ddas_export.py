"""The month's DDAS Uitwisselmodel v1.2 (VNG vroegsignalering): Vroegsignalen, Vroegsignaalzaken
and their Contactpogingen, for the national monitor (CONTRACT §11).

What goes in, and why no more: without a BSN the model identifies the resident by postcode and
house number (its `client` requires them), so those go in and nothing else about the household:
no names, phone numbers, e-mail addresses, dates of birth or counts. Our signal types that are
payment arrears or their end (rent_arrears, eviction_order, eviction_executed) are
Vroegsignalen with signaalpartner `Huur`; nuisance, pollution and drugs are not arrears and stay
out, as does `resolved` (it withdraws a signal). A signal belongs to the month triage recorded
it in; a case to every month it got a signal, a contact attempt or its end. Statuses and
results are as they stand at `now`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from triage.domain.case import Case
from triage.domain.ddas import case_result, contact_kind, dagdeel
from triage.domain.deadlines import local_date
from triage.domain.feedback import PICKED_UP_OUTCOMES
from triage.domain.recorded_signals import recorded_signals
from triage.domain.report_month import ReportMonth
from triage.domain.signals import SignalFact

DDAS_SIGNAL_TYPES: Final = frozenset({"rent_arrears", "eviction_order", "eviction_executed"})
CRISIS_TYPES: Final = frozenset({"eviction_order", "eviction_executed"})
SUPPLIER_CODE: Final = "VROEGSIGNAAL"
"""codeGegevensleverancier: the software that made the file."""
SIGNAAL_STATUSES: Final = frozenset(
    {
        "Inwoner al bekend bij schuldhulpverlening",
        "Inwoner is overleden",
        "Niet opgepakt: andere reden",
        "Niet opgepakt: herhaalde melding",
        "Niet opgepakt: onterecht signaal",
        "Persoon is geen inwoner (meer) in de gemeente",
    }
)
"""Eindresultaten that are also a signal's status (EnumSignaalstatus) as they are."""


@dataclass(frozen=True)
class ClientAddress:
    """What the model's `client` asks for when there is no BSN."""

    postcode: str
    house_number: int
    addition: str | None = None

    def client(self) -> dict[str, str]:
        client = {"postcode": self.postcode.replace(" ", "").upper()}
        client["huisnummer"] = str(self.house_number)
        if self.addition:
            client["huisnummertoevoeging"] = self.addition
        return client


@dataclass(frozen=True)
class ExportedCase:
    """A case with every signal as sent, and its address (None: it can no longer be opened,
    e.g. erased: its signals are left out, since the model cannot take them without one)."""

    case: Case
    signals: Sequence[SignalFact]
    address: ClientAddress | None


@dataclass(frozen=True)
class DdasExport:
    document: dict[str, Any]
    signals: int
    cases: int
    left_out: int
    """Signals of the month left out because their address could not be opened."""


def needs_address(case: Case, month: ReportMonth) -> bool:
    """Whether the case has a Vroegsignaal of the month (only then is its address opened)."""
    return any(s.type in DDAS_SIGNAL_TYPES and month.holds(s.at) for s in recorded_signals(case))


def uitwisselmodel(
    month: ReportMonth,
    cases: Iterable[ExportedCase],
    municipality_code: str,
    municipality_name: str | None,
    now: datetime,
) -> DdasExport:
    """Pure: one delivery (levering) for the municipality over `month`."""
    signals: list[dict[str, Any]] = []
    zaken: list[dict[str, Any]] = []
    left_out = 0
    for exported in cases:
        case = exported.case
        facts = {f.signal_id: f for f in exported.signals}
        recorded = [
            s for s in recorded_signals(case) if s.type in DDAS_SIGNAL_TYPES and s.at < month.end
        ]
        if not recorded:
            continue
        of_month = [s for s in recorded if month.holds(s.at)]
        if exported.address is None:
            left_out += len(of_month)
        else:
            for s in of_month:
                fact = facts.get(s.signal_id)
                if fact is not None:
                    signals.append(_vroegsignaal(case, fact, exported.address))
        attempts = [a for a in case.contact_attempts if month.holds(a.at)]
        closed_in_month = case.closed_at is not None and month.holds(case.closed_at)
        if of_month or attempts or closed_in_month:
            zaken.append(_zaak(case, [s.signal_id for s in recorded], month))
    levering: dict[str, Any] = {
        "teller": 1,
        "gemeentecode": _gemeentecode(municipality_code),
        "aanleverendeOrganisatie": {"naam": municipality_name} if municipality_name else {},
        "vroegsignalen": signals,
        "vroegsignaalzaken": zaken,
    }
    document = {
        "startdatumLevering": month.first_day.isoformat(),
        "einddatumLevering": month.last_day.isoformat(),
        "aanleverdatumEnTijd": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "codeGegevensleverancier": SUPPLIER_CODE,
        "leveringen": [levering],
    }
    return DdasExport(document, len(signals), len(zaken), left_out)


def _vroegsignaal(case: Case, fact: SignalFact, address: ClientAddress) -> dict[str, Any]:
    signal: dict[str, Any] = {
        "ID": fact.signal_id,
        "crisissignaal": fact.type in CRISIS_TYPES,
        "signaaldatum": local_date(fact.occurred_at).isoformat(),
        "status": _status(case, fact.signal_id),
        "signaalpartner": {"type": "Huur"},
        "client": address.client(),
    }
    amount = fact.amount("amount_eur") if fact.type == "rent_arrears" else None
    if amount is not None:
        signal["bedrag"] = int(Decimal(str(amount)).quantize(Decimal(1), ROUND_HALF_UP))
    since = fact.text("arrears_since") if fact.type == "rent_arrears" else None
    if since:
        signal["ontstaansdatum"] = since
    return signal


def _status(case: Case, signal_id: str) -> str:
    """EnumSignaalstatus: a repeat is "herhaalde melding"; else the case's state decides."""
    repeated = any(
        h.kind == "signal_repeated"
        and h.detail.get("signal_id") == signal_id
        and h.detail.get("cause") == "repeated_signal"
        for h in case.history
    )
    if repeated:
        return "Niet opgepakt: herhaalde melding"
    if case.status != "closed":
        return "Opgepakt" if case.contact_attempts else "Nog niet opgepakt"
    result = case_result(case)
    if result in SIGNAAL_STATUSES:
        return str(result)
    return "Opgepakt" if case.outcome in PICKED_UP_OUTCOMES else "Niet opgepakt: andere reden"


def _zaak(case: Case, signal_ids: list[str], month: ReportMonth) -> dict[str, Any]:
    zaak: dict[str, Any] = {"vroegsignalen": [{"ID": i} for i in dict.fromkeys(signal_ids)]}
    first = min((a.at for a in case.contact_attempts if a.at < month.end), default=None)
    if first is not None:
        zaak["datumOpgepakt"] = local_date(first).isoformat()
    if case.closed_at is not None and case.closed_at < month.end:
        result = case_result(case)
        if result is not None:
            zaak["resultaat"] = result
    zaak["contactpogingen"] = [
        {
            "soort": contact_kind(a.channel, a.kind),
            "bereikt": a.reached,
            "datum": local_date(a.at).isoformat(),
            "dagdeel": a.dagdeel or dagdeel(a.at),
        }
        for a in sorted(case.contact_attempts, key=lambda a: a.at)
        if month.holds(a.at)
    ]
    return zaak


def _gemeentecode(code: str) -> str:
    """The CBS gemeentecode as four digits (`518` is `0518`); other forms as given."""
    code = code.strip()
    return code.zfill(4) if code.isdigit() else code
