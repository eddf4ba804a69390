"""The building blocks the USD pages will use: language choice, numbers and times, the
priority badge, countdowns and charts, rendered as a reader sees them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.web.pages import docs
from shared.web.pages.charts import Chart, Series, keep_largest, nice_max, stacked_bars
from shared.web.pages.i18n import from_accept_language
from shared.web.pages.messages import MESSAGES
from shared.web.pages.templating import Pages
from tests.conftest import SettingsFactory
from tests.harness import running

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def render(source: str, lang: str = "nl", **context: object) -> str:
    pages = Pages()
    pages.add("pages", "shared.web.pages", MESSAGES)
    template = pages.env.from_string('{% import "components.html" as c with context %}' + source)
    return template.render(t=pages.catalog.translator(lang), **context)


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("", "nl"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE,en;q=0.5", "en"),
        ("en;q=0.5,nl", "nl"),
        ("fr", "nl"),
        ("en;q=0.8,nl;q=0.8", "nl"),
    ],
)
def test_accept_language_picks_dutch_unless_english_ranks_higher(header: str, lang: str) -> None:
    assert from_accept_language(header) == lang


def test_badges_and_countdowns_read_in_the_readers_language() -> None:
    badge = '{{ c.priority_badge("critical") }}'
    assert ">Kritiek<" in render(badge) and ">Critical<" in render(badge, "en")
    countdown = "{{ c.countdown(deadline, now) }}"
    soon = render(countdown, deadline=NOW + timedelta(hours=2, minutes=5), now=NOW)
    assert "nog 2 u 5 min" in soon and 'class="countdown soon"' in soon
    late = render(countdown, "en", deadline=NOW - timedelta(days=3, hours=4), now=NOW)
    assert "3 d 4 h overdue" in late and "overdue" in late.split(">")[0]
    days = "{{ c.days_left(day, today) }}"
    assert "nog 12 dagen" in render(days, day=date(2026, 12, 13), today=date(2026, 12, 1))
    assert "today" in render(days, "en", day=date(2026, 12, 1), today=date(2026, 12, 1))


def test_numbers_use_the_languages_separators() -> None:
    assert render("{{ t.number(1234567) }}") == "1.234.567"
    assert render("{{ t.number(1234567) }}", "en") == "1,234,567"


def test_a_chart_stacks_each_day_and_lists_its_numbers() -> None:
    days = [date(2026, 11, 30), date(2026, 12, 1)]
    series = [Series("a", "A", [1, 3]), Series("b", "B", [0, 2])]
    chart = stacked_bars(Chart("x", "X", "d", "t"), days, series, str, str, "Day")
    assert nice_max(5) == 10 and nice_max(3) == 4 and nice_max(40) == 40
    assert [(b.name, b.count) for b in chart.bars] == [("a", 1), ("a", 3), ("b", 2)]
    a_today, b_today = chart.bars[1], chart.bars[2]
    assert b_today.y + b_today.height == pytest.approx(a_today.y)  # b sits on top of a
    assert chart.table_rows == [["2026-11-30", "1", "0"], ["2026-12-01", "3", "2"]]
    many = [Series(str(n), str(n), [n]) for n in range(12)]
    kept = keep_largest(many, "other")
    assert len(kept) == 8 and kept[-1].counts == [sum(range(5))]


async def test_docs_say_what_to_run_when_swagger_ui_is_missing(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(docs, "SWAGGER_UI", ("vendor/swagger-ui/not-fetched.js",))
    async with running(make_settings(), workers=False) as vs:
        page = await vs.client.get("/docs")
        assert page.status_code == 503 and "make assets" in page.text


def test_a_page_package_without_a_translation_is_refused() -> None:
    with pytest.raises(ValueError, match="without a translation"):
        Pages().add("x", "shared.ops", {"nl": {"only.dutch": "x"}, "en": {}})
