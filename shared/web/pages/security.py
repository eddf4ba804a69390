"""Browser-facing protections: security headers on every HTML answer, and the same-origin test
that forms which change something must pass (CONTRACT §9)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
"""Files from this origin only: no inline script or style, nothing from another host."""
HTML_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    # `same-origin`, not `no-referrer`: with no-referrer a browser sends `Origin: null` on
    # form posts, and the origin test below needs the real origin.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class PageHeaders:
    """Adds `HTML_HEADERS` to every `text/html` response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in HTML_HEADERS.items():
                        headers.setdefault(name, value)
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def is_same_origin(request: Request) -> bool:
    """A state-changing form post came from one of our own pages.

    Browsers send `Origin` on every POST; older ones at least `Sec-Fetch-Site`. A request with
    neither is refused too: a form that changes something is only ever posted by a browser.
    """
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == own_origin(request)
    return request.headers.get("sec-fetch-site") == "same-origin"
