"""Request guards before any parsing: bodies over 1 MiB get 413, non-JSON API bodies 415, a
path with NUL in it (`%00`) 404 (no resource is named so; PostgreSQL text cannot hold it).

Pages (paths outside `/v1/`) may post HTML forms (`application/x-www-form-urlencoded`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.web.problems import problem_response

MAX_BODY = 1024 * 1024
FORM = b"application/x-www-form-urlencoded"


class _TooLarge(Exception):
    pass


class BodyLimits:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "\x00" in scope["path"]:
            await problem_response(404, "Not found.")(scope, receive, send)
            return
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await problem_response(413, "The body is larger than 1 MiB; split the batch.")(
                scope, receive, send
            )
            return
        media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        bodiless = length in (None, b"0") and b"transfer-encoding" not in headers
        form = media == FORM and not scope["path"].startswith("/v1/")
        if (
            not bodiless
            and not form
            and media != b"application/json"
            and not media.endswith(b"+json")
        ):
            await problem_response(415, "Send `Content-Type: application/json`.")(
                scope, receive, send
            )
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await problem_response(413, "The body is larger than 1 MiB; split the batch.")(
                    scope, receive, send
                )
