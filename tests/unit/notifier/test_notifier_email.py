"""The team mailbox e-mail: only urgent changes, only for a team with a mailbox, and never with
household data. Composed in memory; sending to SMTP is in tests/integration/notifier."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_string, policy
from uuid import uuid4

import pytest

from notifier.channels.email import TeamMailboxes, compose_team_email, parse_team_emails
from notifier.domain.case_summary import CaseSummary, is_urgent_for_team
from shared.case_document import CaseDocument
from shared.events import CaseChanged
from shared.vocabulary import ChangeKind, Priority

PII = ("J. de Vries", "+31612345678", "j.devries@example.nl", "1988-04-01", "1402AB", "Bussum")
MAILBOXES = TeamMailboxes(
    parse_team_emails("crisis=crisis@usd.example.nl, schuldhulp = sh@usd.example.nl,broken="),
    "vroegsignaal@gemeente.example",
    "https://vs.example.nl/",
)


def case_change(change: ChangeKind = "opened", priority: Priority = "critical") -> CaseChanged:
    case_id = str(uuid4())
    case = CaseDocument.model_validate(
        {
            "id": case_id,
            "status": "open",
            "risk_score": 85,
            "priority": priority,
            "reasons": [
                {"code": "EVICTION_ORDER", "points": 60, "text": "Eviction order issued"},
                {"code": "MINORS_PRESENT", "points": 25, "text": "Minors in the household"},
            ],
            "team": "crisis",
            "respond_before": "2026-11-03T16:00:00+00:00",
            "policy_version": "2026.1",
            "opened_at": "2026-11-02T09:00:00+00:00",
            "signals": [],
        }
    )
    return CaseChanged(
        change=change,
        case_id=case_id,
        household_pseudonym="p" * 64,
        case=case,
        sealed_household="sealed: " + " ".join(PII),
        signal_refs=[],
        signal_status="accepted",
    )


@pytest.mark.parametrize(
    ("change", "priority", "urgent"),
    [
        ("escalated", "medium", True),
        ("opened", "critical", True),
        ("updated", "critical", True),
        ("opened", "high", False),
        ("closed", "low", False),
    ],
)
def test_a_team_is_mailed_about_escalations_and_critical_cases(
    change: ChangeKind, priority: Priority, urgent: bool
) -> None:
    assert is_urgent_for_team(change, priority) is urgent


def test_the_team_gets_the_case_and_no_household_data() -> None:
    change = case_change()

    email = MAILBOXES.email("n-1", change)

    assert email is not None and email.recipient == "crisis@usd.example.nl"
    mail = message_from_string(email.message, policy=policy.default)
    text = mail["Subject"] + "\n" + mail.get_content()
    assert mail["To"] == "crisis@usd.example.nl"
    assert mail["From"] == "vroegsignaal@gemeente.example"
    for expected in (
        change.case_id,
        "critical",
        "2026-11-03 17:00+01:00",  # the deadline in Dutch local time
        f"https://vs.example.nl/v1/cases/{change.case_id}",
        "EVICTION_ORDER",
    ):
        assert expected in text
    for personal in PII:
        assert personal not in email.message


def test_a_team_without_a_mailbox_is_not_mailed() -> None:
    change = case_change()
    elsewhere = TeamMailboxes({"schuldhulp": "sh@usd.example.nl"}, "a@b.example", "https://x/")

    assert elsewhere.email("n-2", change) is None
    assert parse_team_emails(
        "crisis=crisis@usd.example.nl, schuldhulp = sh@usd.example.nl,broken="
    ) == {
        "crisis": "crisis@usd.example.nl",
        "schuldhulp": "sh@usd.example.nl",
    }


def test_raw_case_data_is_refused() -> None:
    raw = case_change().case.model_dump(mode="json")

    with pytest.raises(TypeError, match="CaseSummary"):
        compose_team_email(raw, "https://usd.example.nl/", "a@b.example", "c@d.example")  # type: ignore[arg-type]


def test_a_summary_refuses_reasons_given_as_raw_dicts() -> None:
    with pytest.raises(TypeError, match="Reason"):
        CaseSummary(
            case_id=str(uuid4()),
            priority="critical",
            respond_before=datetime(2026, 11, 3, 16, tzinfo=UTC),
            reasons=({"code": "EVICTION_ORDER", "points": 60, "text": "x"},),  # type: ignore[arg-type]
            team="crisis",
            change="opened",
        )
