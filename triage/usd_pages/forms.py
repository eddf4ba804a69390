"""The case page's forms: what a person typed, checked by the API's own request models, as the
use cases' inputs; anything refused becomes messages in plain words, never a 500.

The domain's rules (no contact attempt in the future, no contact data in a summary, capacity)
are checked where the API has them checked: in the use cases. `refused` turns their refusals
into the same kind of messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from shared.web.pages.i18n import LOCAL
from triage.casework_service import NewContactAttempt, NewHousingPlan
from triage.domain.errors import RefusedInput
from triage.schemas import ContactAttemptIn, HousingPlanIn, OutcomeIn
from triage.shelter_schemas import BookingIn
from triage.shelter_service import NewBooking

FORMS = ("contact", "plan", "booking", "outcome")
_FIELD_KEYS = {"facility": "unit", "until_date": "until", "from_": "from"}
"""Fields the form shows under another name (the booking's one select holds facility and unit)."""
_FIELDS = frozenset(
    {"id", "channel", "reached", "at", "kind", "summary", "starts_on", "unit", "from", "until"}
    | {"outcome"}
)
"""Fields with a message of their own (`usd.error.<field>`); anything else is `usd.error.form`."""


def _message(field_name: str) -> Message:
    key = _FIELD_KEYS.get(field_name, field_name)
    return Message(f"usd.error.{key if key in _FIELDS else 'form'}")


@dataclass(frozen=True)
class Message:
    key: str
    values: dict[str, str] = field(default_factory=dict)


class FormRefused(Exception):
    """What is wrong with a form, as messages; `form` names which one."""

    def __init__(self, form: str, messages: list[Message]) -> None:
        super().__init__(form)
        self.form, self.messages = form, messages


def _text(form: Mapping[str, Any], name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _checked(form_name: str, model: type[BaseModel], raw: dict[str, Any]) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        fields = dict.fromkeys(str(e["loc"][0]) if e["loc"] else "" for e in exc.errors())
        raise FormRefused(form_name, [_message(f) for f in fields]) from None


def _local_moment(text: str | None) -> datetime | str | None:
    """`datetime-local` input is the municipality's time; what does not parse is passed on for
    the model to refuse."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)


def contact_attempt(form: Mapping[str, Any]) -> NewContactAttempt:
    """The form carries an attempt id made when the page was shown: sent twice (a double
    click, the back button), it is recorded once, as the API does with a repeated id."""
    reached = {"yes": True, "no": False}.get(_text(form, "reached") or "")
    raw = {
        "id": _text(form, "id"),
        "channel": _text(form, "channel"),
        "reached": reached,
        "at": _local_moment(_text(form, "at")),
    }
    posted: ContactAttemptIn = _checked("contact", ContactAttemptIn, raw)
    attempt_id = str(posted.id) if posted.id else None
    return NewContactAttempt(posted.channel, posted.reached, posted.at, attempt_id)


def housing_plan(form: Mapping[str, Any]) -> NewHousingPlan:
    raw = {
        "kind": _text(form, "kind"),
        "summary": _text(form, "summary"),
        "starts_on": _text(form, "starts_on"),
    }
    plan: HousingPlanIn = _checked("plan", HousingPlanIn, raw)
    return NewHousingPlan(plan.kind, plan.summary, plan.starts_on)


def booking(case_id: str, form: Mapping[str, Any]) -> NewBooking:
    facility, _, unit = (_text(form, "place") or "").partition(":")
    raw = {
        "case_id": case_id,
        "facility": facility or None,
        "unit": unit or None,
        "from": _text(form, "from"),
        "until": _text(form, "until"),
    }
    wanted: BookingIn = _checked("booking", BookingIn, raw)
    return NewBooking(case_id, wanted.facility, wanted.unit, wanted.from_, wanted.until)


def outcome(form: Mapping[str, Any]) -> OutcomeIn:
    checked: OutcomeIn = _checked("outcome", OutcomeIn, {"outcome": _text(form, "outcome")})
    return checked


def refused(form_name: str, exc: RefusedInput) -> FormRefused:
    """A use case's refusal of what was typed, as the message for its field."""
    if exc.field == "at":
        return FormRefused(form_name, [Message("usd.error.at_future")])
    if exc.field == "summary" and "contact data" in str(exc):
        return FormRefused(form_name, [Message("usd.error.summary_contact")])
    return FormRefused(form_name, [_message(exc.field)])
