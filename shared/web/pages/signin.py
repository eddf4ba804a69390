"""Signing in to the pages with an API key, and the dependencies pages use (CONTRACT §9).

The key is posted once, in a form with one password field, and exchanged for a session
cookie (`HttpOnly`, `SameSite=Strict`, `Secure` over https); it never appears in a URL.
Pages declare what they need as `Annotated` dependencies:

    OpsViewer = Annotated[Session, Depends(signed_in("ops:read"))]       # GET pages
    OpsChanger = Annotated[Session, Depends(form_from("ops:write"))]      # POST forms

`form_from` refuses a post from another origin and one without the session's CSRF token.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from shared.web.auth import KeyStoreDep
from shared.web.deps import provided
from shared.web.pages.security import is_same_origin
from shared.web.pages.sessions import LIFETIME, Session, SessionStore
from shared.web.pages.templating import Pages

COOKIE = "vs_session"
PagesDep = Annotated[Pages, Depends(provided("pages"))]
SessionStoreDep = Annotated[SessionStore, Depends(provided("sessions"))]


class SignInRequired(Exception):
    """No (live) session: the browser is sent to the sign-in form, and back afterwards."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class PageRefused(Exception):
    """A page answer other than the page: `reason` names the message shown (403, 404 …)."""

    def __init__(self, status: int, reason: str, session: Session | None = None, **values: str):
        super().__init__(reason)
        self.status, self.reason, self.session, self.values = status, reason, session, values


async def current_session(request: Request, store: SessionStoreDep) -> Session | None:
    token = request.cookies.get(COOKIE)
    return await store.find(token) if token else None


CurrentSession = Annotated[Session | None, Depends(current_session)]


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _came_from(request: Request) -> str:
    """The page a form was posted from (a path of this site), to return to after signing in."""
    referer = urlsplit(request.headers.get("referer", ""))
    return referer.path or "/" if referer.netloc == request.url.netloc else "/"


def signed_in(scope: str) -> Callable[[Request, Session | None], Awaitable[Session]]:
    """A page that shows data: a live session whose key has `scope`."""

    async def dependency(request: Request, session: CurrentSession) -> Session:
        if session is None:
            raise SignInRequired(_here(request))
        if scope not in session.principal.scopes:
            raise PageRefused(403, "missing_scope", session, scope=scope)
        return session

    return dependency


def form_from(scope: str | None) -> Callable[[Request, Session | None], Awaitable[Session]]:
    """A form that changes something: same origin, the session's CSRF token, and `scope`."""

    async def dependency(request: Request, session: CurrentSession) -> Session:
        if not is_same_origin(request):
            raise PageRefused(403, "cross_site", session)
        if session is None:
            raise SignInRequired(_came_from(request))
        token = (await request.form()).get("csrf_token")
        if not isinstance(token, str) or not secrets.compare_digest(token, session.csrf_token):
            raise PageRefused(403, "cross_site", session)
        if scope is not None and scope not in session.principal.scopes:
            raise PageRefused(403, "missing_scope", session, scope=scope)
        return session

    return dependency


def safe_next(target: str | None) -> str:
    """Only a path of this site: `next` must never send a person elsewhere."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def install_sign_in(app: FastAPI) -> None:
    """The sign-in and sign-out routes and the answers to `SignInRequired` / `PageRefused`."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if "text/event-stream" in request.headers.get("accept", ""):
            return Response("Sign in first.", 401, media_type="text/plain")
        return RedirectResponse(f"/signin?next={quote(exc.back_to, safe='')}", 303)

    @app.exception_handler(PageRefused)
    async def _refused(request: Request, exc: PageRefused) -> Response:
        pages: Pages = request.app.state.pages
        return pages.render(
            request,
            "error.html",
            status=exc.status,
            session=exc.session,
            reason=exc.reason,
            values=exc.values,
        )

    @app.get("/signin", include_in_schema=False)
    async def sign_in_form(
        request: Request, pages: PagesDep, session: CurrentSession, next: str = "/"
    ) -> Response:
        return pages.render(
            request, "signin.html", session=session, next=safe_next(next), error=None
        )

    @app.post("/signin", include_in_schema=False)
    async def sign_in(
        request: Request,
        pages: PagesDep,
        keys: KeyStoreDep,
        sessions: SessionStoreDep,
        key: Annotated[str, Form(max_length=200)] = "",
        next: Annotated[str, Form(max_length=2000)] = "/",
    ) -> Response:
        if not is_same_origin(request):
            raise PageRefused(403, "cross_site")
        principal = await keys.principal(key.strip()) if key.strip() else None
        if principal is None:
            error = "key_unknown" if key.strip() else "key_missing"
            return pages.render(
                request, "signin.html", status=401, session=None, next=safe_next(next), error=error
            )
        response = RedirectResponse(safe_next(next), 303)
        response.set_cookie(
            COOKIE,
            await sessions.start(principal),
            max_age=int(LIFETIME.total_seconds()),
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @app.post("/signout", include_in_schema=False)
    async def sign_out(
        sessions: SessionStoreDep, session: Annotated[Session, Depends(form_from(None))]
    ) -> Response:
        await sessions.end(session)
        response = RedirectResponse("/signin?signed_out=1", 303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response
