"""The team mailbox e-mail, delivered to a real SMTP server, carries no household data."""

from __future__ import annotations

from datetime import datetime
from email import message_from_bytes, policy
from uuid import uuid4

import pytest

from notifier.channels.email import compose_team_email, send_email
from notifier.domain.case_summary import CaseSummary
from shared.vocabulary import ChangeKind, Reason


def make_case() -> dict:
    """A case as triage serves it, household contact data included."""
    return {
        "id": str(uuid4()),
        "priority": "critical",
        "team": "crisis",
        "respond_before": "2026-11-03T16:00:00+00:00",
        "reasons": [
            {"code": "EVICTION_ORDER", "points": 60, "text": "Eviction order issued"},
            {"code": "MINORS_PRESENT", "points": 25, "text": "Minors in the household"},
        ],
        "household": {
            "address": {"postcode": "1402AB", "house_number": 12, "city": "Bussum"},
            "contacts": [
                {
                    "name": "J. de Vries",
                    "phone": "+31612345678",
                    "email": "j.devries@example.nl",
                    "date_of_birth": "1988-04-01",
                }
            ],
        },
    }


def summarise(case: dict, change: ChangeKind) -> CaseSummary:
    return CaseSummary(
        case_id=case["id"],
        priority=case["priority"],
        respond_before=datetime.fromisoformat(case["respond_before"]),
        reasons=tuple(Reason(**r) for r in case["reasons"]),
        team=case["team"],
        change=change,
    )


async def test_the_team_gets_the_case_and_no_household_data(smtp_server, eventually):
    case = make_case()
    link = f"https://usd.example.nl/cases/{case['id']}"
    message = compose_team_email(
        summarise(case, "opened"), link, "vroegsignaal@gemeente.example", "crisis@g.example"
    )

    await send_email(message, host=smtp_server.host, port=smtp_server.port, starttls=False)

    def received_one() -> None:
        assert len(smtp_server.handler.messages) == 1

    await eventually(received_one)
    raw = smtp_server.handler.messages[0]
    mail = message_from_bytes(raw, policy=policy.default)
    text = mail["Subject"] + "\n" + mail.get_content()
    assert case["id"] in mail["Subject"]
    for expected in (case["id"], "critical", "2026-11-03 17:00+01:00", link, "EVICTION_ORDER"):
        assert expected in text
    contact = case["household"]["contacts"][0]
    for personal in [*contact.values(), "1402AB", "Bussum"]:
        assert personal.encode() not in raw
        assert personal not in text
    assert mail["To"] == "crisis@g.example"


async def test_credentials_are_never_sent_in_the_clear(smtp_server):
    message = compose_team_email(
        summarise(make_case(), "updated"),
        "https://x.example/",
        "a@b.example",
        "c@d.example",
    )

    with pytest.raises(ValueError, match="STARTTLS"):
        await send_email(
            message,
            host=smtp_server.host,
            port=smtp_server.port,
            starttls=False,
            username="user",
            password="pw",
        )
    assert smtp_server.handler.messages == []
