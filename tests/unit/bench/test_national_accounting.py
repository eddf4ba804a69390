"""The national bench puts every accepted signal in one account; only a proven one explains a
missing webhook, anything else is a loss."""

from __future__ import annotations

from tests.bench.national_accounting import ACCOUNTS, LOSSES, Ledger, account_signals


def _ledger(**changes: object) -> Ledger:
    base: dict[str, object] = {
        "stored": frozenset({"a", "b", "c", "d", "e", "f"}),
        "triaged": frozenset({"a", "b", "c", "d", "e"}),
        "parked": frozenset({"e"}),
        "filed": {"a": "opened", "b": "signal_repeated", "c": "signal_added"},
        "types": {"a": "nuisance", "b": "rent_arrears", "c": "rent_arrears", "d": "resolved"},
        "notifications": 1,
        "webhooks": {"delivered": 1},
    }
    return Ledger(**(base | changes))  # type: ignore[arg-type]


def test_each_accepted_signal_lands_in_exactly_one_account() -> None:
    accounts = account_signals(["a", "b", "c", "d", "e", "f", "g"], {"a"}, _ledger())

    assert set(accounts) == set(ACCOUNTS)
    assert {name: ids for name, ids in accounts.items() if ids} == {
        "delivered": ["a"],
        "repeat": ["b"],  # its case recorded it as a repeat: nothing to announce
        "undelivered": ["c"],  # it changed its case, yet no webhook named it
        "resolved_without_case": ["d"],
        "parked": ["e"],
        "untriaged": ["f"],  # stored, never taken in by triage
        "unstored": ["g"],
    }


def test_a_named_signal_is_delivered_whatever_its_case_recorded() -> None:
    accounts = account_signals(["b"], {"b"}, _ledger())

    assert accounts["delivered"] == ["b"]
    assert accounts["repeat"] == []


def test_a_resolved_signal_triage_never_took_in_is_a_loss_not_a_resolution() -> None:
    ledger = _ledger(triaged=frozenset({"a"}))

    accounts = account_signals(["d"], set(), ledger)

    assert accounts["untriaged"] == ["d"]
    assert "untriaged" in LOSSES
