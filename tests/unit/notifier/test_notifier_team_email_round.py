"""Team e-mail rounds on a fake database and a fake SMTP relay: sent, retried, dead."""

from __future__ import annotations

from datetime import timedelta

from notifier.domain.delivery import AttemptResult, DeliveryStatus, RetryPolicy
from notifier.service import send_team_emails
from tests.unit.notifier.fakes import Clock, FakeDatabase, TopOfRange

POLICY = RetryPolicy(max_attempts=3, base_delay=timedelta(seconds=1))


class FakeSmtp:
    """Answers from a script, then `250 OK`; keeps what it was handed."""

    def __init__(self, *failures: str) -> None:
        self.failures, self.handed = list(failures), []

    async def send(self, raw: str) -> AttemptResult:
        self.handed.append(raw)
        if self.failures:
            return AttemptResult(status_code=None, error=self.failures.pop(0))
        return AttemptResult(status_code=250)


async def test_a_team_email_is_retried_until_the_relay_takes_it() -> None:
    db, clock = FakeDatabase(messages={"n-1": "Subject: case\n\nbody\n"}), Clock()
    smtp = FakeSmtp("SMTP SMTPServerDisconnected")

    assert (
        await send_team_emails(db, smtp, POLICY, batch_size=5, clock=clock, rng=TopOfRange()) == 1
    )
    assert (db.states["n-1"].status, db.states["n-1"].last_error) == (
        "pending",
        "SMTP SMTPServerDisconnected",
    )
    assert (
        await send_team_emails(db, smtp, POLICY, batch_size=5, clock=clock, rng=TopOfRange()) == 0
    )
    clock.advance(1)
    assert (
        await send_team_emails(db, smtp, POLICY, batch_size=5, clock=clock, rng=TopOfRange()) == 1
    )

    assert (db.states["n-1"].status, db.states["n-1"].attempts) == (DeliveryStatus.DELIVERED, 2)
    assert smtp.handed == ["Subject: case\n\nbody\n"] * 2


async def test_a_team_email_that_keeps_failing_is_a_dead_letter() -> None:
    db, clock = FakeDatabase(messages={"n-2": "Subject: case\n\nbody\n"}), Clock()
    smtp = FakeSmtp(*["SMTP ConnectionRefusedError"] * 5)

    for _ in range(POLICY.max_attempts):
        await send_team_emails(db, smtp, POLICY, batch_size=5, clock=clock, rng=TopOfRange())
        clock.advance(60)

    assert (db.states["n-2"].status, db.states["n-2"].attempts) == (DeliveryStatus.DEAD, 3)
    assert len(smtp.handed) == 3
