"""Validation of every signal type, and of each sample the contract says must be refused."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from shared.web.problems import field_errors
from signal_ingest.domain.intake import body_hash
from signal_ingest.domain.signal import parse_signal
from signal_ingest.schemas import EXAMPLE_SIGNAL
from tests.conftest import SAMPLES

VALID = [json.loads(line) for line in (SAMPLES / "signals.jsonl").read_text().splitlines()]
INVALID = [
    json.loads(line) for line in (SAMPLES / "invalid-signals.jsonl").read_text().splitlines()
]


def fields_failing(raw: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        parse_signal(raw)
    return {e.field for e in field_errors(caught.value.errors())}


@pytest.mark.parametrize("raw", VALID, ids=[s["type"] + "-" + s["id"][:8] for s in VALID])
def test_every_sample_signal_is_accepted(raw: dict[str, Any]) -> None:
    signal = parse_signal(raw)
    assert str(signal.id) == raw["id"]
    assert signal.household.address.postcode == raw["household"]["address"]["postcode"].replace(
        " ", ""
    )


@pytest.mark.parametrize("case", INVALID, ids=[c["expect_error_on"] for c in INVALID])
def test_invalid_samples_name_every_failing_field(case: dict[str, Any]) -> None:
    expected = {f.strip() for f in case["expect_error_on"].split(";")}
    assert expected <= fields_failing(case["signal"])


def signal(type_: str, details: dict[str, Any], **household: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "occurred_at": "2026-11-02T09:00:00+01:00",
        "household": {"address": {"postcode": "1402ab", "house_number": 12}, **household},
        "details": details,
    }


@pytest.mark.parametrize(
    ("type_", "details"),
    [
        ("rent_arrears", {"amount_eur": 10}),
        ("nuisance", {"category": "aggression", "severity": "high"}),
        ("pollution", {"severity": "low"}),
        ("drugs", {"category": "drug_dealing", "stage": "closure_ordered"}),
        (
            "eviction_order",
            {"judgment_date": "2026-11-05", "eviction_date": None, "reason": "fraud"},
        ),
        ("eviction_executed", {"executed_on": "2026-11-21"}),
        ("resolved", {"resolves": "nuisance", "reason": "moved"}),
    ],
)
def test_each_type_accepts_its_details(type_: str, details: dict[str, Any]) -> None:
    assert parse_signal(signal(type_, details)).type == type_


@pytest.mark.parametrize(
    ("type_", "details", "field"),
    [
        ("rent_arrears", {}, "details.amount_eur"),
        ("rent_arrears", {"amount_eur": 5, "monthly_rent_eur": 0}, "details.monthly_rent_eur"),
        ("nuisance", {"category": "noise", "severity": "extreme"}, "details.severity"),
        ("pollution", {}, "details.severity"),
        ("drugs", {"category": "cannabis_cultivation", "stage": "raid"}, "details.stage"),
        (
            "eviction_order",
            {"judgment_date": "5 nov", "reason": "arrears"},
            "details.judgment_date",
        ),
        ("eviction_executed", {}, "details.executed_on"),
        ("resolved", {"resolves": "resolved", "reason": "paid"}, "details.resolves"),
        ("rent_arrears", {"amount_eur": 5, "note": "x"}, "details.note"),
    ],
)
def test_each_type_refuses_bad_details(type_: str, details: dict[str, Any], field: str) -> None:
    assert field in fields_failing(signal(type_, details))


def test_postcode_is_normalised_and_minors_unknown_is_not_zero() -> None:
    parsed = parse_signal(signal("pollution", {"severity": "low"}))
    assert parsed.household.address.postcode == "1402AB"
    assert parsed.household.minors is None


def test_occurred_at_needs_a_timezone() -> None:
    raw = signal("pollution", {"severity": "low"})
    raw["occurred_at"] = "2026-11-02T09:00:00"
    assert "occurred_at" in fields_failing(raw)


def test_contact_email_and_phone_are_checked() -> None:
    raw = signal(
        "pollution",
        {"severity": "low"},
        contacts=[{"name": "X", "email": "not-an-email", "phone": "call me"}],
    )
    assert {"household.contacts.0.email", "household.contacts.0.phone"} <= fields_failing(raw)


def test_the_body_hash_of_stored_signals_does_not_change() -> None:
    """Replays are recognised by this hash, and stored signals keep the one they were given: a
    new formula would answer a corporation's retry of an older signal with 409."""
    shuffled = json.loads(json.dumps(dict(reversed(list(EXAMPLE_SIGNAL.items()))), indent=3))
    digest = "e2f8a4ad3b26750f91ccf78e990b2926f16e201f475813f93f7b328527927a3d"
    assert body_hash(parse_signal(EXAMPLE_SIGNAL)) == digest
    assert body_hash(parse_signal(shuffled)) == digest  # key order and spacing do not count
