"""Webhook channel to the USD: a CloudEvent in structured JSON mode, signed per Standard Webhooks.

The channel makes one attempt and reports what happened; retry decisions live in
`notifier.domain.delivery`, and the delivery round (`notifier.service`) drives both. The
household is opened only here, in memory just before the POST, and only for the full payload
(`VS_WEBHOOK_PAYLOAD=full`, the default); at rest it stays sealed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import httpx
import orjson
from standardwebhooks import Webhook

from notifier.channels.cloudevent import encode_event
from notifier.domain.delivery import AttemptResult
from notifier.domain.notification import (
    Notification,
    StoredNotification,
    case_link,
    change_of,
    minimal_data,
)
from notifier.metrics import alert_unsendable
from shared.crypto import PiiVault
from shared.envelope import KeySet, keys_for_tokens
from shared.events import case_binding
from shared.keys import is_usable_webhook_secret
from shared.logs import log_context

log = logging.getLogger(__name__)

LEASE_MARGIN = timedelta(seconds=30)
"""For the claim, payload building and scheduling around the attempts themselves."""


def endpoint_key(url: str) -> str:
    """Endpoints are known by a hash: a URL may carry a token that has no place in the database."""
    return hashlib.sha256(url.encode()).hexdigest()


USER_AGENT = "vroegsignaal-notifier"
DEFAULT_TIMEOUT = httpx.Timeout(10.0)


class WebhookSender:
    """Posts notifications to the USD webhook over a long-lived transport (a `LaneTransport`
    in production, an `httpx.MockTransport` in tests). It posts through the transport itself:
    httpx's client layer (URL merging, cookies, auth and redirect handling) adds nothing a
    webhook needs and cost a fifth of each POST's CPU."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        url: str,
        secret: str,
        source: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        if not is_usable_webhook_secret(secret):
            raise ValueError("webhook secret must be whsec_ + base64 of 24 to 64 bytes")
        if not source:
            raise ValueError("CloudEvent source must not be empty")
        self._transport = transport
        self.url = url
        self._target = httpx.URL(url)
        self._extensions = {"timeout": timeout.as_dict()}
        self._webhook = Webhook(secret)
        self._source = source
        self._clock = clock

    def signed_request(self, notification: Notification) -> tuple[dict[str, str], bytes]:
        """Headers and body for one attempt; a fresh timestamp, the same webhook-id every time."""
        headers, body = encode_event(notification, self._source)
        seconds = math.floor(self._clock().timestamp())
        signature = self._webhook.sign(
            msg_id=notification.id,
            timestamp=datetime.fromtimestamp(seconds, UTC),
            data=body.decode("utf-8"),
        )
        headers |= {
            "webhook-id": notification.id,
            "webhook-timestamp": str(seconds),
            "webhook-signature": signature,
        }
        return headers, body

    async def send(self, notification: Notification) -> AttemptResult:
        """One attempt. Transport failures come back as results; only programming errors raise."""
        return await self.post(*self.signed_request(notification))

    async def post(self, headers: dict[str, str], body: bytes) -> AttemptResult:
        """POSTs a signed request; transport failures come back as results."""
        headers = {"user-agent": USER_AGENT, **headers}
        request = httpx.Request(
            "POST", self._target, headers=headers, content=body, extensions=self._extensions
        )
        try:
            response = await self._transport.handle_async_request(request)
            await response.aread()
        except httpx.TimeoutException:
            return AttemptResult(status_code=None, error="timeout")
        except httpx.TransportError as exc:
            return AttemptResult(status_code=None, error=type(exc).__name__)
        error = None if response.is_success else f"HTTP {response.status_code}"
        return AttemptResult(
            status_code=response.status_code,
            retry_after=response.headers.get("retry-after"),
            error=error,
        )


class PayloadBuilder:
    """Builds the webhook's `Notification` from a stored one; the household is opened only here."""

    def __init__(self, vault: PiiVault, mode: str, public_base_url: str) -> None:
        if mode not in ("full", "minimal"):
            raise ValueError(f"unknown webhook payload mode {mode!r}")
        self._vault, self._mode, self._base = vault, mode, public_base_url

    @property
    def carries_contact_data(self) -> bool:
        """A full payload hands the household's contact data to the USD: audited per delivery."""
        return self._mode == "full"

    async def keys(self, stored: Sequence[StoredNotification]) -> KeySet | None:
        """The household keys opening `stored` needs, in one load (None: minimal payloads open
        nothing). Loaded per round, never kept: a key erased since is gone at the next round."""
        if self._mode == "minimal":
            return None
        return await keys_for_tokens(self._vault.households, [s.sealed_household for s in stored])

    async def notification(
        self, stored: StoredNotification, keys: KeySet | None = None
    ) -> Notification:
        """Raises if the household cannot be opened (its key erased: MissingHouseholdKey) or
        the stored type is not a case change. `keys` from `keys` for the round, else loaded."""
        if self._mode == "minimal":
            data = minimal_data(stored.subject, case_link(self._base, stored.subject))
        else:
            data = orjson.loads(stored.case_document)
            token = stored.sealed_household
            if keys is None:
                keys = await keys_for_tokens(self._vault.households, [token])
            data["household"] = orjson.loads(keys.open(token, case_binding(stored.subject)))
        return Notification(
            id=stored.id,
            change=change_of(stored.event_type),
            subject=stored.subject,
            time=stored.time,
            data=data,
        )


class WebhookChannel:
    """The USD webhook as a delivery round uses it: build, sign and post, each attempt bounded.

    `attempt_timeout_s` bounds one POST (connect, write, read and the waits in between: httpx's
    timeouts are per operation), and at most `concurrency` are in flight, so a claim of N
    deliveries is posted within `lease(N)` however slowly the USD answers.
    """

    def __init__(
        self,
        sender: WebhookSender,
        payloads: PayloadBuilder,
        *,
        concurrency: int = 8,
        attempt_timeout_s: float = 25.0,
    ) -> None:
        if concurrency < 1 or attempt_timeout_s <= 0:
            raise ValueError("need concurrency >= 1 and a positive attempt timeout")
        self.endpoint = endpoint_key(sender.url)
        self.concurrency = concurrency
        self._sender, self._payloads = sender, payloads
        self._attempt_timeout_s = attempt_timeout_s
        self._slots = asyncio.Semaphore(concurrency)

    @property
    def carries_contact_data(self) -> bool:
        """Whether a delivered webhook showed contact data (`webhook.contact_data_sent`)."""
        return self._payloads.carries_contact_data

    def lease(self, claimed: int) -> timedelta:
        """How long a claim of `claimed` deliveries is held: every attempt fits in it."""
        rounds = math.ceil(claimed / self.concurrency)
        return timedelta(seconds=rounds * self._attempt_timeout_s) + LEASE_MARGIN

    async def attempts(self, stored: Sequence[StoredNotification]) -> list[AttemptResult]:
        """One attempt each, concurrently, the round's household keys loaded in one query (a
        load per notification cost a connection and a round trip each). A failed load makes
        each of them unsendable, as it would have alone."""
        keys: KeySet | Exception | None
        try:
            keys = await self._payloads.keys(stored)
        except Exception as exc:
            keys = exc
        return list(await asyncio.gather(*(self.attempt(s, keys) for s in stored)))

    async def attempt(
        self, stored: StoredNotification, keys: KeySet | Exception | None = None
    ) -> AttemptResult:
        """One attempt, logged with its correlation ids (the signal id, the case event id)."""
        with log_context(signal_id=stored.correlation_id, event_id=stored.id):
            result = await self._attempt(stored, keys)
            log.info("webhook %s: %s", stored.id, result.error or "delivered")
        return result

    async def _attempt(
        self, stored: StoredNotification, keys: KeySet | Exception | None
    ) -> AttemptResult:
        """A request that cannot be built (bad data, a bug) is unsendable: a dead letter with
        its reason and an alert, never an exception that stops the round."""
        try:
            if isinstance(keys, Exception):
                raise keys
            notification = await self._payloads.notification(stored, keys)
            headers, body = self._sender.signed_request(notification)
        except Exception as exc:
            alert_unsendable(stored.id, exc)
            return AttemptResult(None, error=f"unsendable: {type(exc).__name__}", unsendable=True)
        async with self._slots:
            try:
                async with asyncio.timeout(self._attempt_timeout_s):
                    return await self._sender.post(headers, body)
            except TimeoutError:
                return AttemptResult(status_code=None, error="timeout")
            except Exception as exc:
                alert_unsendable(stored.id, exc)
                reason = f"unsendable: {type(exc).__name__}"
                return AttemptResult(None, error=reason, unsendable=True)
