"""Team mailbox channel: a short, data-poor heads-up that points at the case in the USD.

Takes a `CaseSummary` only, so household data cannot reach an e-mail by accident.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from zoneinfo import ZoneInfo

from notifier.domain.case_summary import CaseSummary
from notifier.domain.notification import EventType

_LOCAL_TIME = ZoneInfo("Europe/Amsterdam")

_CHANGE_LABELS = {
    EventType.OPENED: "New case",
    EventType.ESCALATED: "Case escalated",
    EventType.UPDATED: "Case updated",
    EventType.CLOSED: "Case closed",
}


def format_deadline(moment: datetime) -> str:
    """The deadline as the team reads it: Dutch local time, to the minute, with offset."""
    return moment.astimezone(_LOCAL_TIME).isoformat(sep=" ", timespec="minutes")


def compose_team_email(
    case_summary: CaseSummary, link: str, sender: str, recipient: str
) -> EmailMessage:
    """A plain-text e-mail for a team mailbox about one case change."""
    if not isinstance(case_summary, CaseSummary):
        raise TypeError("compose_team_email takes a CaseSummary, not raw case data")
    summary = case_summary
    label = _CHANGE_LABELS[summary.change]
    deadline = format_deadline(summary.respond_before)
    reasons = [f"  - {r.code} ({r.points:+d}): {r.text}" for r in summary.reasons]
    body = "\n".join(
        [
            f"{label} for team {summary.team}.",
            "",
            f"Case:            {summary.case_id}",
            f"Priority:        {summary.priority}",
            f"Respond before:  {deadline}",
            "Reasons:",
            *(reasons or ["  (none)"]),
            "",
            f"Open the case: {link}",
            "",
            "This message holds no household data; contact details are in the case file.",
        ]
    )
    message = EmailMessage()
    message["Subject"] = (
        f"[Vroegsignaal] {label}: {summary.case_id} ({summary.priority}, before {deadline})"
    )
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body + "\n")
    return message


async def send_email(
    message: EmailMessage,
    *,
    host: str,
    port: int,
    starttls: bool,
    username: str | None = None,
    password: str | None = None,
    timeout: float = 10.0,  # noqa: ASYNC109 - socket timeout; cancelling cannot stop the thread
) -> None:
    """Hand the message to an SMTP relay; blocking smtplib runs in a worker thread."""
    if username is not None and not starttls:
        raise ValueError("refusing to send SMTP credentials without STARTTLS")
    if (username is None) != (password is None):
        raise ValueError("give both username and password, or neither")
    await asyncio.to_thread(
        _send_blocking, message, host, port, starttls, username, password, timeout
    )


def _send_blocking(
    message: EmailMessage,
    host: str,
    port: int,
    starttls: bool,
    username: str | None,
    password: str | None,
    timeout: float,
) -> None:
    with smtplib.SMTP(host, port, timeout=timeout) as smtp:
        if starttls:
            smtp.starttls(context=ssl.create_default_context())
        if username is not None and password is not None:
            smtp.login(username, password)
        smtp.send_message(message)


def _domain_of(address: str) -> str | None:
    _, _, domain = address.rpartition("@")
    return domain.strip("> ") or None
