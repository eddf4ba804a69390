"""`vroegsignaal dlq list|replay`: the notifier's dead-letter store for ops (no personal data).

`list` shows the webhook dead letters, then the team e-mails that ran out of retries; `replay`
is for webhooks (a dead team e-mail is a heads-up whose case already reached the USD).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from notifier.domain.notification import DeadLetter
from notifier.service import dead_letters, replay_dead_letters
from services.schema import upgrade
from shared.db import create_engine
from shared.settings import Settings

_COLUMNS = ("ID", "TYPE", "CASE ID", "ATTEMPTS", "LAST ERROR", "DEAD SINCE")


def _cells(letter: DeadLetter) -> tuple[str, ...]:
    since = letter.since.astimezone(UTC).isoformat(timespec="seconds") if letter.since else "-"
    error = letter.last_error or "-"
    if letter.status != "dead":
        error = f"{error} [{letter.status}]"
    return (
        letter.id,
        letter.event_type.removeprefix("nl.vroegsignaal."),
        letter.case_id,
        str(letter.attempts),
        error,
        since,
    )


def format_table(letters: list[DeadLetter]) -> str:
    rows = [_COLUMNS, *(_cells(letter) for letter in letters)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


async def list_dead_letters(settings: Settings) -> int:
    """Prints the webhook dead letters and the dead team e-mails as tables; exit code 0."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade(settings.resolved_database_url)
    engine = create_engine(settings.resolved_database_url)
    try:
        async with engine.connect() as conn:
            letters = await dead_letters(conn)
            emails = await dead_letters(conn, channel="team_email")
    finally:
        await engine.dispose()
    print(format_table(letters))
    print(f"{len(letters)} dead letter(s)")
    print()
    print("Team e-mails")
    print(format_table(emails))
    print(f"{len(emails)} dead team e-mail(s)")
    return 0


async def replay(settings: Settings, notification_id: str | None, replay_all: bool) -> int:
    """Back to pending under the same webhook-id with a fresh budget; re-enables the endpoint.

    Exit code 0 when something was replayed (or `--all` found nothing), 1 for an unknown id,
    2 when neither or both of an id and `--all` are given.
    """
    if (notification_id is None) == (not replay_all):
        print("vroegsignaal: give a notification id or --all", file=sys.stderr)
        return 2
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade(settings.resolved_database_url)
    engine = create_engine(settings.resolved_database_url)
    try:
        async with engine.begin() as conn:
            ids = None if replay_all else [notification_id or ""]
            replayed = await replay_dead_letters(conn, ids, datetime.now(UTC))
    finally:
        await engine.dispose()
    if notification_id is not None and not replayed:
        print(f"vroegsignaal: no dead letter {notification_id}", file=sys.stderr)
        return 1
    for replayed_id in replayed:
        print(f"replayed {replayed_id}")
    print(f"{len(replayed)} notification(s) back to pending; the webhook endpoint is enabled")
    return 0
