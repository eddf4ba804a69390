"""The USD's pages (CONTRACT §9): `/usd`, the worklist, and `/usd/cases/{id}`, the case page.

Thin like the API beside them: the same use cases (`triage.service`, `casework_service`,
`shelter_service`), the same request models (through `forms`), the same audited read of contact
data. Reading needs a `cases:read` session; each form needs `cases:write`, the same origin and
the session's CSRF token, and answers with a redirect back to the case (POST-redirect-GET) or,
when something was refused, the case page with the reasons in plain words (422).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.case_document import CaseDocument, CaseHousehold
from shared.vocabulary import (
    CONTACT_CHANNELS,
    HOUSING_PLAN_KINDS,
    PRIORITIES,
    USD_OUTCOMES,
    Priority,
    Reason,
)
from shared.web.deps import VaultDep, WakeRelayDep
from shared.web.pages.i18n import LOCAL, Translator
from shared.web.pages.sessions import Session
from shared.web.pages.signin import PageRefused, PagesDep, form_from, signed_in
from shared.web.pages.templating import PageLink, Pages
from triage import casework_service, service, shelter_service
from triage.domain.errors import CaseError, RefusedInput
from triage.domain.policy_model import ScoringPolicy
from triage.domain.shelter import ShelterCatalog
from triage.household_contacts import UnreadableHousehold
from triage.repository import StaleCase
from triage.shelter_api import CatalogDep, ShelterDep
from triage.shelter_repository import BookingTaken
from triage.usd_pages import forms
from triage.usd_pages.forms import FormRefused, Message
from triage.usd_pages.messages import MESSAGES, REASONS_NL
from triage.web_deps import CasesDep, PolicyDep, actor_of
from triage.work_queue import BadCursor, QueueFilter

router = APIRouter(include_in_schema=False)
CaseViewer = Annotated[Session, Depends(signed_in("cases:read"))]
CaseChanger = Annotated[Session, Depends(form_from("cases:write"))]
ContactShower = Annotated[Session, Depends(form_from("cases:read"))]
PAGE_SIZE = 50


@dataclass(frozen=True)
class CaseDesk:
    """What every case page and form works with: the request, the pages, and the case stores."""

    request: Request
    pages: Pages
    cases: service.Transaction
    shelter: shelter_service.ShelterTransaction
    catalog: ShelterCatalog
    wake: Callable[[], None]
    """Tells the relay that a change waits in the outbox."""


def case_desk(
    request: Request,
    pages: PagesDep,
    cases: CasesDep,
    shelter: ShelterDep,
    catalog: CatalogDep,
    wake: WakeRelayDep,
) -> CaseDesk:
    return CaseDesk(request, pages, cases, shelter, catalog, wake)


DeskDep = Annotated[CaseDesk, Depends(case_desk)]


def register(pages: Pages) -> None:
    link = PageLink("/usd", "usd.nav", "usd.blurb", "cases:read")
    pages.add("usd", "triage.usd_pages", MESSAGES, link)


def reason_text(t: Translator) -> Callable[[Reason], str]:
    """A reason in the reader's words: Dutch by code, English as the scoring wrote it."""

    def text(reason: Reason) -> str:
        return REASONS_NL.get(reason.code, reason.text) if t.lang == "nl" else reason.text

    return text


def teams_of(policy: ScoringPolicy, chosen: str | None) -> list[str]:
    teams = list(dict.fromkeys(rule.team for rule in policy.routing))
    return [*teams, chosen] if chosen and chosen not in teams else teams


@router.get("/usd", response_class=HTMLResponse)
async def worklist(
    request: Request,
    pages: PagesDep,
    cases: CasesDep,
    policy: PolicyDep,
    session: CaseViewer,
    team: str | None = None,
    priority: str | None = None,
    cursor: str | None = None,
) -> Response:
    chosen_team = (team or "").strip()[:100] or None
    chosen: Priority | None = next((p for p in PRIORITIES if p == priority), None)
    try:
        page = await service.list_cases(
            cases, QueueFilter("open", chosen, chosen_team, cursor, PAGE_SIZE)
        )
    except BadCursor:  # a hand-edited link: the first page
        page = await service.list_cases(cases, QueueFilter("open", chosen, chosen_team))
    more = None
    if page.next_cursor:
        query = {"team": chosen_team or "", "priority": chosen or "", "cursor": page.next_cursor}
        more = "/usd?" + urlencode({k: v for k, v in query.items() if v})
    now = datetime.now(UTC)
    t = pages.translator(request)
    return pages.render(
        request,
        "usd.html",
        session=session,
        cases=page.items,
        more=more,
        teams=teams_of(policy, chosen_team),
        team=chosen_team,
        priority=chosen,
        priorities=PRIORITIES,
        now=now,
        today=now.astimezone(LOCAL).date(),
        reason_text=reason_text(t),
    )


async def _case_page(
    desk: CaseDesk,
    session: Session,
    case_id: str,
    *,
    status: int = 200,
    document: CaseDocument | None = None,
    household: CaseHousehold | None = None,
    unreadable: bool = False,
    refused: FormRefused | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    request, pages, catalog = desk.request, desk.pages, desk.catalog
    now = datetime.now(UTC)
    if document is None:
        try:
            document = await service.case_without_contacts(desk.cases, case_id, now)
        except service.CaseNotFound:
            raise PageRefused(404, "case_not_found", session) from None
    t = pages.translator(request)
    done = request.query_params.get("done")
    return pages.render(
        request,
        "usd_case.html",
        status=status,
        session=session,
        case=document,
        household=household,
        unreadable=unreadable,
        units=await shelter_service.availability(desk.shelter, catalog),
        facility_names={f.id: f.name for f in catalog.facilities},
        can_write="cases:write" in session.principal.scopes,
        done=done if done in ("contact", "plan", "booking", "release", "outcome") else None,
        refused=refused,
        invalid={m.key.removeprefix("usd.error.") for m in refused.messages} if refused else set(),
        values=values or {},
        now=now,
        today=now.astimezone(LOCAL).date(),
        local_now=now.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M"),
        attempt_id=str(uuid.uuid4()),
        reason_text=reason_text(t),
        channels=CONTACT_CHANNELS,
        plan_kinds=HOUSING_PLAN_KINDS,
        outcomes=USD_OUTCOMES,
    )


@router.get("/usd/cases/{case_id}", response_class=HTMLResponse)
async def case_page(case_id: str, desk: DeskDep, session: CaseViewer) -> Response:
    return await _case_page(desk, session, case_id)


@router.post("/usd/cases/{case_id}/contact-data", response_class=HTMLResponse)
async def show_contact_data(
    case_id: str, desk: DeskDep, vault: VaultDep, session: ContactShower
) -> Response:
    """The "show" action: the API's audited read, so every showing is in the same log."""
    reader = session.principal
    try:
        full = await service.read_case(
            desk.cases, vault, case_id, actor_of(reader), datetime.now(UTC), via="page"
        )
    except service.CaseNotFound:
        raise PageRefused(404, "case_not_found", session) from None
    except UnreadableHousehold:
        return await _case_page(desk, session, case_id, unreadable=True)
    return await _case_page(desk, session, case_id, document=full, household=full.household)


Change = Callable[[Mapping[str, Any]], Awaitable[object]]


async def _change(
    desk: CaseDesk,
    session: Session,
    case_id: str,
    form_name: str,
    change: Change,
) -> Response:
    """Runs one form's change; back to the case on success, the refusal shown otherwise."""
    form = await desk.request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        try:
            await change(values)
        except RefusedInput as exc:
            raise forms.refused(form_name, exc) from None
        except BookingTaken:
            raise FormRefused(form_name, [Message("usd.error.booked")]) from None
        except StaleCase:
            raise FormRefused(form_name, [Message("usd.error.stale")]) from None
        except CaseError as exc:
            raise FormRefused(form_name, [_case_error(exc)]) from None
    except service.CaseNotFound:
        raise PageRefused(404, "case_not_found", session) from None
    except FormRefused as refused:
        return await _case_page(desk, session, case_id, status=422, refused=refused, values=values)
    desk.wake()
    return RedirectResponse(f"/usd/cases/{case_id}?done={form_name}#done", 303)


def _case_error(exc: CaseError) -> Message:
    text = str(exc)
    if "is closed" in text:
        return Message("usd.error.closed")
    if "holds shelter booking" in text:
        return Message("usd.error.booked")
    return Message("usd.error.state")


@router.post("/usd/cases/{case_id}/contact-attempts")
async def post_contact_attempt(
    case_id: str,
    desk: DeskDep,
    session: CaseChanger,
) -> Response:
    async def change(form: Mapping[str, Any]) -> object:
        posted = forms.contact_attempt(form)
        return await casework_service.record_contact_attempt(
            desk.cases, case_id, posted, actor_of(session.principal), datetime.now(UTC)
        )

    return await _change(desk, session, case_id, "contact", change)


@router.post("/usd/cases/{case_id}/housing-plan")
async def post_housing_plan(
    case_id: str,
    desk: DeskDep,
    policy: PolicyDep,
    session: CaseChanger,
) -> Response:
    async def change(form: Mapping[str, Any]) -> object:
        posted = forms.housing_plan(form)
        return await casework_service.record_housing_plan(
            desk.cases, case_id, posted, actor_of(session.principal), policy, datetime.now(UTC)
        )

    return await _change(desk, session, case_id, "plan", change)


@router.post("/usd/cases/{case_id}/shelter-bookings")
async def post_booking(
    case_id: str,
    desk: DeskDep,
    policy: PolicyDep,
    session: CaseChanger,
) -> Response:
    async def change(form: Mapping[str, Any]) -> object:
        wanted = forms.booking(case_id, form)
        try:
            return await shelter_service.book(
                desk.shelter,
                desk.catalog,
                policy,
                wanted,
                actor_of(session.principal),
                datetime.now(UTC),
            )
        except shelter_service.NoRoom as full:
            messages = _no_room(desk.pages.translator(desk.request), desk.catalog, wanted, full)
            raise FormRefused("booking", messages) from None

    return await _change(desk, session, case_id, "booking", change)


def _no_room(
    t: Translator,
    catalog: ShelterCatalog,
    wanted: shelter_service.NewBooking,
    full: shelter_service.NoRoom,
) -> list[Message]:
    names = {f.id: f.name for f in catalog.facilities}
    where = {"unit": t(f"unit.{wanted.unit}"), "facility": names[wanted.facility]}
    messages = [Message("usd.error.full", where)]
    if full.alternatives:
        places = ", ".join(f"{names[f]} ({t(f'unit.{u}')})" for f, u in full.alternatives)
        messages.append(Message("usd.error.alternatives", {"places": places}))
    return messages


@router.post("/usd/cases/{case_id}/shelter-bookings/{booking_id}/release")
async def post_release(
    case_id: str,
    booking_id: str,
    desk: DeskDep,
    session: CaseChanger,
) -> Response:
    async def change(_: Mapping[str, Any]) -> object:
        document = await service.case_without_contacts(desk.cases, case_id, datetime.now(UTC))
        if document.shelter_booking is None or document.shelter_booking.id != booking_id:
            raise FormRefused("release", [Message("usd.error.booking")])
        try:
            return await shelter_service.release(
                desk.shelter, booking_id, actor_of(session.principal), datetime.now(UTC)
            )
        except shelter_service.BookingNotFound:
            raise FormRefused("release", [Message("usd.error.booking")]) from None

    return await _change(desk, session, case_id, "release", change)


@router.post("/usd/cases/{case_id}/outcome")
async def post_outcome(
    case_id: str,
    desk: DeskDep,
    session: CaseChanger,
) -> Response:
    async def change(form: Mapping[str, Any]) -> object:
        body = forms.outcome(form)
        return await casework_service.close_case(
            desk.cases, case_id, body.outcome, actor_of(session.principal), datetime.now(UTC)
        )

    return await _change(desk, session, case_id, "outcome", change)
