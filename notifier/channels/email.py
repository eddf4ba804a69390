"""Team mailbox channel: a short, data-poor heads-up that points at the case in the USD.

Composing takes a `CaseSummary` only, so household data cannot reach an e-mail by accident.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email import message_from_string
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from zoneinfo import ZoneInfo

from notifier.domain.case_summary import CaseSummary, summarise_case
from notifier.domain.delivery import AttemptResult
from notifier.domain.notification import TeamEmail, case_link
from shared.events import CaseChanged
from shared.settings import Settings
from shared.vocabulary import ChangeKind

log = logging.getLogger(__name__)

_LOCAL_TIME = ZoneInfo("Europe/Amsterdam")

_CHANGE_LABELS: dict[ChangeKind, str] = {
    "opened": "New case",
    "escalated": "Case escalated",
    "updated": "Case updated",
    "closed": "Case closed",
}
_SENT = AttemptResult(status_code=250)
"""SMTP's `250 OK` is a 2yz positive completion, which the delivery policy counts as delivered."""


@dataclass(frozen=True, slots=True)
class TeamMailboxes:
    """Who is mailed, from where, and where the link points (VS_TEAM_EMAILS, VS_SMTP_SENDER)."""

    addresses: dict[str, str]
    sender: str
    public_base_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> TeamMailboxes:
        return cls(
            parse_team_emails(settings.team_emails),
            settings.smtp_sender,
            settings.public_base_url,
        )

    def email(self, notification_id: str, change: CaseChanged) -> TeamEmail | None:
        """The e-mail about `change` for its case's team; None when the team has no mailbox."""
        recipient = self.addresses.get(change.case.team)
        if recipient is None:
            return None
        try:
            summary = summarise_case(change.case_id, change.case, change.change)
        except ValueError as exc:
            log.warning("no team e-mail for case %s: %s", change.case_id, exc)
            return None
        link = case_link(self.public_base_url, change.case_id)
        message = compose_team_email(summary, link, self.sender, recipient)
        return TeamEmail(notification_id, recipient, message.as_string())


def parse_team_emails(value: str) -> dict[str, str]:
    """`VS_TEAM_EMAILS`: `team=address,team=address`."""
    pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
    return {team.strip(): address.strip() for team, address in pairs if address.strip()}


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


class SmtpSender:
    """Hands stored team e-mails to the SMTP relay of the settings, one attempt at a time."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, raw: str) -> AttemptResult:
        """One attempt; SMTP and connection failures come back as results."""
        message = message_from_string(raw, _class=EmailMessage, policy=email_policy.default)
        s = self._settings
        try:
            await send_email(
                message,
                host=s.smtp_host or "",
                port=s.smtp_port,
                starttls=s.smtp_starttls,
                username=s.smtp_username,
                password=s.smtp_password,
            )
        except (OSError, ValueError, smtplib.SMTPException) as exc:
            log.warning("team e-mail not sent: %s", type(exc).__name__)
            return AttemptResult(status_code=None, error=f"SMTP {type(exc).__name__}")
        return _SENT


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
