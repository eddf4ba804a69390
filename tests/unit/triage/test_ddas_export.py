"""The DDAS Uitwisselmodel v1.2 export, pure: valid against our transcription of the schema,
carrying postcode and house number and nothing else about the household."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.unit.triage.triage_factories import POLICY, make_signal
from triage.domain.case import Case, open_case
from triage.domain.case_records import ContactAttempt
from triage.domain.ddas import (
    EINDRESULTATEN,
    channel_for,
    eindresultaat_for,
    outcome_for,
)
from triage.domain.ddas_export import ClientAddress, ExportedCase, uitwisselmodel
from triage.domain.report_month import ReportMonth
from triage.domain.signals import Household, SignalFact

SCHEMA = json.loads(
    (Path("triage/standards/ddas_uitwisselmodel_v1_2.schema.json")).read_text(encoding="utf-8")
)
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
NOVEMBER = ReportMonth(2026, 11)
AT = datetime(2026, 11, 10, 8, 30, tzinfo=UTC)  # 09:30 in Amsterdam: Ochtend
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
ADDRESS = ClientAddress("1402 ab", 12, "A")


def valid(document: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    assert errors == []


def new_case(*signals: SignalFact, minors: int | None = 2) -> tuple[Case, list[SignalFact]]:
    first, *rest = signals
    case, _ = open_case(
        str(uuid.uuid4()),
        uuid.uuid4().hex,
        Household(minors, 1, "1402"),
        first,
        POLICY,
        first.occurred_at,
    )
    for signal in rest:
        case.apply_signal(signal, case.household, POLICY, signal.occurred_at)
    return case, list(signals)


def arrears(amount: float, at: datetime = AT, **details: Any) -> SignalFact:
    return make_signal("rent_arrears", {"amount_eur": amount, **details}, at=at)


def export(*cases: tuple[Case, list[SignalFact]], address: ClientAddress | None = ADDRESS) -> Any:
    exported = [ExportedCase(case, signals, address) for case, signals in cases]
    return uitwisselmodel(NOVEMBER, exported, "1942", "Gooise Meren", NOW)


def test_an_empty_month_is_a_valid_delivery_for_the_municipality() -> None:
    result = export()
    valid(result.document)
    assert result.document["startdatumLevering"] == "2026-11-01"
    assert result.document["einddatumLevering"] == "2026-11-30"
    assert result.document["aanleverdatumEnTijd"] == "2026-12-02T09:00:00Z"
    [levering] = result.document["leveringen"]
    assert levering["gemeentecode"] == "1942"
    assert levering["aanleverendeOrganisatie"] == {"naam": "Gooise Meren"}
    assert (levering["vroegsignalen"], levering["vroegsignaalzaken"]) == ([], [])


def test_signals_cases_and_attempts_of_the_month_with_only_postcode_and_house_number() -> None:
    signal = arrears(1380.5, arrears_since="2026-09-01")
    case, signals = new_case(signal)
    card = ContactAttempt("a1", "letter", False, AT + timedelta(hours=1), "Kaartje")
    evening = ContactAttempt("a2", "phone", True, datetime(2026, 11, 11, 18, 30, tzinfo=UTC))
    case.record_contact_attempt(card, NOW)
    case.record_contact_attempt(evening, NOW)
    case.close("help_accepted", datetime(2026, 11, 20, tzinfo=UTC), "Vervolghulp en/of verwijzing")
    nuisance, _ = new_case(make_signal("nuisance", {"category": "noise", "severity": "low"}, at=AT))
    result = export((case, signals), (nuisance, [make_signal("nuisance", at=AT)]))
    valid(result.document)
    [levering] = result.document["leveringen"]
    [vroegsignaal] = levering["vroegsignalen"]  # nuisance is not arrears: not a Vroegsignaal
    assert vroegsignaal == {
        "ID": signal.signal_id,
        "crisissignaal": False,
        "signaaldatum": "2026-11-10",
        "status": "Opgepakt",
        "signaalpartner": {"type": "Huur"},
        "client": {"postcode": "1402AB", "huisnummer": "12", "huisnummertoevoeging": "A"},
        "bedrag": 1381,
        "ontstaansdatum": "2026-09-01",
    }
    [zaak] = levering["vroegsignaalzaken"]
    assert zaak == {
        "vroegsignalen": [{"ID": signal.signal_id}],
        "datumOpgepakt": "2026-11-10",
        "resultaat": "Vervolghulp en/of verwijzing",
        "contactpogingen": [
            {"soort": "Kaartje", "bereikt": False, "datum": "2026-11-10", "dagdeel": "Ochtend"},
            {"soort": "Telefoon", "bereikt": True, "datum": "2026-11-11", "dagdeel": "Avond"},
        ],
    }
    assert (result.signals, result.cases, result.left_out) == (1, 1, 0)


def test_evictions_are_crisis_signals_and_repeats_read_herhaalde_melding() -> None:
    first = arrears(900.0)
    repeat = arrears(900.0, at=AT + timedelta(days=2))
    order = make_signal(
        "eviction_order",
        {"judgment_date": "2026-11-05", "eviction_date": "2026-12-20", "reason": "arrears"},
        at=AT + timedelta(days=3),
    )
    result = export(new_case(first, repeat, order))
    valid(result.document)
    statuses = {s["ID"]: s for s in result.document["leveringen"][0]["vroegsignalen"]}
    assert statuses[first.signal_id]["status"] == "Nog niet opgepakt"
    assert statuses[repeat.signal_id]["status"] == "Niet opgepakt: herhaalde melding"
    assert statuses[order.signal_id]["crisissignaal"] is True
    assert "bedrag" not in statuses[order.signal_id]


def test_a_case_whose_address_cannot_be_opened_leaves_its_signals_out_and_says_so() -> None:
    result = export(new_case(arrears(500.0)), address=None)
    valid(result.document)
    assert result.document["leveringen"][0]["vroegsignalen"] == []
    assert (result.signals, result.cases, result.left_out) == (0, 1, 1)


def test_signals_of_another_month_are_not_in_this_one() -> None:
    october = arrears(500.0, at=datetime(2026, 10, 30, tzinfo=UTC))
    case, signals = new_case(october)
    case.record_contact_attempt(ContactAttempt("x", "phone", True, AT), NOW)
    result = export((case, signals))
    valid(result.document)
    [levering] = result.document["leveringen"]
    assert levering["vroegsignalen"] == []
    assert levering["vroegsignaalzaken"][0]["vroegsignalen"] == [{"ID": october.signal_id}]


@pytest.mark.parametrize("code", EINDRESULTATEN)
def test_each_eindresultaat_is_accepted_as_an_outcome_and_exported_as_posted(code: str) -> None:
    word, kept = outcome_for(code)
    assert kept == code
    case, signals = new_case(arrears(700.0))
    case.close(word, AT + timedelta(days=1), kept)
    result = export((case, signals))
    valid(result.document)
    assert result.document["leveringen"][0]["vroegsignaalzaken"][0]["resultaat"] == code


def test_our_words_stay_valid_and_map_to_a_code_both_ways() -> None:
    assert outcome_for("help_accepted") == ("help_accepted", None)
    assert outcome_for(eindresultaat_for("help_declined", ever_reached=True))[0] == "help_declined"
    assert channel_for("phone") == ("phone", None)
    assert channel_for("Kaartje") == ("letter", "Kaartje")
    assert channel_for("Afspraak op locatie") == ("other", "Afspraak op locatie")
    assert channel_for("Telefoon") == ("phone", "Telefoon")
    with pytest.raises(KeyError):
        outcome_for("gave_up")


def test_a_case_the_corporation_resolved_ends_as_paid_or_another_reason() -> None:
    for reason, expected in (
        ("payment_arrangement", "Inwoner heeft zelf al betaald/betalingsregeling getroffen"),
        ("moved", "Niet opgepakt: andere reden"),
    ):
        first = arrears(800.0)
        withdrawn = make_signal(
            "resolved",
            {"resolves": "rent_arrears", "reason": reason},
            at=AT + timedelta(days=1),
        )
        case, signals = new_case(first, withdrawn)
        assert (case.status, case.outcome) == ("closed", "resolved")
        result = export((case, signals))
        valid(result.document)
        [zaak] = result.document["leveringen"][0]["vroegsignaalzaken"]
        assert zaak["resultaat"] == expected
        [signal] = result.document["leveringen"][0]["vroegsignalen"]  # `resolved` is not one
        assert signal["ID"] == first.signal_id
