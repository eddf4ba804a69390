"""Languages of the pages: Dutch by default, English on request (CONTRACT §9).

`?lang=en` chooses and is remembered in a cookie; without either, Accept-Language decides
between the two, and Dutch wins a tie or an unknown header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import get_args
from zoneinfo import ZoneInfo

from starlette.requests import Request

from shared.vocabulary import Lang

LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT: Lang = "nl"
COOKIE = "vs_lang"
LOCAL = ZoneInfo("Europe/Amsterdam")
"""Times on pages are the municipality's."""
_MONTHS = {
    "nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def _as_lang(value: str | None) -> Lang | None:
    for lang in LANGS:
        if value == lang:
            return lang
    return None


def from_accept_language(header: str) -> Lang:
    """The supported language the header ranks highest (`en-GB;q=0.8` counts as `en`)."""
    best: tuple[float, Lang] = (0.0, DEFAULT)
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        lang = _as_lang(tag.strip().lower()[:2])
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        if lang and (q > best[0] or (q == best[0] and lang == DEFAULT)):
            best = (q, lang)
    return best[1]


def negotiate(request: Request) -> tuple[Lang, bool]:
    """The page's language, and whether it was chosen now (so the cookie should remember it)."""
    chosen = _as_lang(request.query_params.get("lang"))
    if chosen:
        return chosen, True
    remembered = _as_lang(request.cookies.get(COOKIE))
    if remembered:
        return remembered, False
    return from_accept_language(request.headers.get("accept-language", "")), False


@dataclass
class Catalog:
    """Messages per language; each page package adds its own (`catalog.add(MESSAGES)`)."""

    messages: dict[str, dict[str, str]] = field(default_factory=lambda: {k: {} for k in LANGS})

    def add(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        missing = set(messages["nl"]) ^ set(messages["en"])
        if missing:
            raise ValueError(f"messages without a translation: {sorted(missing)}")
        for lang in LANGS:
            known = self.messages[lang]
            clashes = sorted(k for k, v in messages[lang].items() if known.get(k, v) != v)
            if clashes:
                raise ValueError(f"{lang} messages defined again with another text: {clashes}")
            known.update(messages[lang])

    def translator(self, lang: Lang) -> Translator:
        return Translator(lang, self.messages[lang])


@dataclass(frozen=True)
class Translator:
    """What templates call: `t("key", n=3)`, `number(1234)`, `when(dt)`."""

    lang: Lang
    messages: Mapping[str, str]

    def __call__(self, key: str, **values: object) -> str:
        text = self.messages.get(key)
        if text is None:
            raise KeyError(f"no {self.lang} message {key!r}")
        return text.format(**values) if values else text

    def number(self, value: int | float) -> str:
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
        return text.translate(str.maketrans(",.", ".,")) if self.lang == "nl" else text

    def when(self, value: datetime | None, with_date: bool = True) -> str:
        if value is None:
            return "–"
        local = value.astimezone(LOCAL)
        clock = f"{local:%H:%M}"
        if not with_date:
            return f"{local:%H:%M:%S}"
        return f"{local.day} {_MONTHS[self.lang][local.month - 1]} {local.year} {clock}"

    def day(self, value: datetime) -> str:
        return f"{value.day} {_MONTHS[self.lang][value.month - 1]}"

    def duration(self, seconds: float) -> str:
        """`2 u 5 min` / `2 h 5 min`, `3 d 4 u` / `3 d 4 h`: short enough for a table cell."""
        minutes = int(abs(seconds) // 60)
        days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
        h = "u" if self.lang == "nl" else "h"
        if days:
            return f"{days} d {hours} {h}"
        if hours:
            return f"{hours} {h} {mins} min"
        return f"{mins} min"
