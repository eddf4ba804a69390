"""`/` (which pages there are) and `/docs`: Swagger UI served from this service (CONTRACT §9).

Swagger UI's files come from the npm registry at install time (`make assets`, into a
git-ignored folder) and are never loaded from a CDN. Without them `/docs` says what to run.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import Response

from shared.web.pages.signin import CurrentSession, PagesDep
from shared.web.pages.templating import Pages

log = logging.getLogger(__name__)
SWAGGER_UI = ("vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css")
FETCH_HINT = "run `make assets` (deploy/assets/fetch.sh) to fetch them from the npm registry"


def missing_assets(pages: Pages) -> list[str]:
    return [p for p in SWAGGER_UI if not pages.static_file("pages", p).is_file()]


def install_docs(app: FastAPI, pages: Pages) -> None:
    """Adds `/` and `/docs`; logs once at start-up when Swagger UI's files are missing."""
    missing = missing_assets(pages)
    if missing:
        log.error("Swagger UI files missing (%s): %s", ", ".join(missing), FETCH_HINT)

    @app.get("/", include_in_schema=False)
    async def index(request: Request, pages: PagesDep, session: CurrentSession) -> Response:
        return pages.render(request, "index.html", session=session, links=pages.links)

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request, pages: PagesDep, session: CurrentSession) -> Response:
        if missing_assets(pages):
            return pages.render(
                request,
                "error.html",
                status=503,
                session=session,
                reason="docs_assets_missing",
                values={"hint": FETCH_HINT},
            )
        return pages.render(request, "docs.html", session=session, spec_url=app.openapi_url)
