"""Audit details hold codes and counts, never personal data or free text (pure)."""

from __future__ import annotations

import pytest

from shared.audit.details import check_details


@pytest.mark.parametrize(
    "details",
    [
        {"name": "J. de Vries"},
        {"email": "x"},
        {"date_of_birth": "1988-04-01"},
        {"summary": "Blijft wonen met betalingsregeling"},
        {"household": {"minors": 2}},
        {"counts": {"phone": 1}},
        {"via": "j.devries@example.nl"},
        {"ref": "+31612345678"},
        {"ref": "06-1234 5678"},
        {"refs": ["ok", "0612345678"]},
        {"reason": "x" * 201},
        {"Name": "code"},
        {"ratio": float("nan")},
        {"big": 2**70},
        {"blob": b"bytes"},
        {"codes": ["a" * 150] * 20},
    ],
)
def test_personal_data_free_text_and_odd_values_are_refused(details: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        check_details(details)  # type: ignore[arg-type]


def test_codes_ids_dates_and_counts_are_fine() -> None:
    check_details(
        {
            "source": "woonstichting-gooi",
            "scopes": ["cases:read", "signals:write"],
            "removed": {"cases": 3, "signals": 12},
            "since": "2026-11-02",
            "booking_id": "6f1c2b1e-6a55-4f0e-9a57-2a4f7f9d1c11",
            "kind": "shelter",
            "dry_run": False,
            "share": 0.25,
            "endpoint": None,
        }
    )
