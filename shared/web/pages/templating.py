"""Server-rendered pages: one Jinja2 environment over every page package's templates.

A page package (`shared.web.pages`, `shared.ops`, later the USD's) has `templates/` and
`static/` beside its modules; `Pages.add` registers both, static files under `/static/<name>/`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from starlette.requests import Request
from starlette.staticfiles import StaticFiles

from shared.web.pages.i18n import COOKIE, LANGS, Catalog, Translator, negotiate
from shared.web.pages.sessions import Session


@cache
def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "missing"


@dataclass(frozen=True)
class PageLink:
    """A page in the menu and on `/`: its path, the message keys of its name and blurb, and
    the scope a key needs to see it."""

    path: str
    name: str
    blurb: str
    scope: str | None = None


class Pages:
    def __init__(self) -> None:
        self.catalog = Catalog()
        self.links: list[PageLink] = []
        self._static: dict[str, Path] = {}
        self._loaders: list[BaseLoader] = []
        self._loader = ChoiceLoader(self._loaders)
        self.env = Environment(
            loader=self._loader,
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["asset"] = self.asset

    def add(
        self,
        name: str,
        package: str,
        messages: Mapping[str, Mapping[str, str]] | None = None,
        link: PageLink | None = None,
    ) -> None:
        """Registers a page package's templates, static files (`/static/<name>/`), messages
        and menu entry."""
        root = Path(str(files(package)))
        if (root / "templates").is_dir():
            self._loaders.append(FileSystemLoader(root / "templates"))
        if (root / "static").is_dir():
            self._static[name] = root / "static"
        if messages:
            self.catalog.add(messages)
        if link:
            self.links.append(link)

    def mount(self, app: FastAPI) -> None:
        for name, directory in self._static.items():
            app.mount(f"/static/{name}", StaticFiles(directory=directory), name=f"static-{name}")

    def static_file(self, name: str, path: str) -> Path:
        return self._static[name] / path

    def asset(self, name: str, path: str) -> str:
        """The URL of a static file with its content's fingerprint, so caches never go stale."""
        return f"/static/{name}/{path}?v={_fingerprint(self.static_file(name, path))}"

    def translator(self, request: Request) -> Translator:
        """The reader's language, for a page that prepares text before `render`."""
        return self.catalog.translator(negotiate(request)[0])

    def render(
        self,
        request: Request,
        template: str,
        *,
        status: int = 200,
        session: Session | None = None,
        headers: Mapping[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        lang, chosen = negotiate(request)
        other = next(x for x in LANGS if x != lang)
        switch = request.url.include_query_params(lang=other)
        html = self.env.get_template(template).render(
            request=request,
            lang=lang,
            other_lang=other,
            switch_url=f"{switch.path}?{switch.query}",
            t=self.catalog.translator(lang),
            session=session,
            path=request.url.path,
            nav_links=self.links,
            **context,
        )
        response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
        if chosen:
            response.set_cookie(
                COOKIE, lang, max_age=365 * 86400, samesite="strict", httponly=True, path="/"
            )
        return response
