"""What an audit entry's `details` may hold: a few small facts, never personal data.

The log is kept longer than the cases it points at (it outlives their purge), so a name, phone
number, e-mail address or free text in it would escape erasure. Refused here, at the door.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Final, TypeAlias

import orjson

JsonValue: TypeAlias = (
    "str | int | float | bool | Sequence[JsonValue] | Mapping[str, JsonValue] | None"
)
AuditDetails: TypeAlias = Mapping[str, JsonValue]

MAX_DETAILS_BYTES: Final = 2048
MAX_TEXT: Final = 200
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
# Keys that name personal data or free text (a summary may name people): never in the log.
PERSONAL_KEYS: Final = frozenset(
    {
        "name",
        "names",
        "phone",
        "email",
        "e_mail",
        "date_of_birth",
        "birth_date",
        "contacts",
        "household",
        "address",
        "street",
        "postcode",
        "house_number",
        "tenant_reference",
        "summary",
        "text",
        "note",
        "notes",
        "comment",
    }
)
_PHONE = re.compile(r"\+?[\d\s().-]{9,20}")


def check_details(details: AuditDetails) -> None:
    """Raises ValueError when `details` is not a small JSON object free of personal data."""
    if not isinstance(details, Mapping):
        raise ValueError("audit details are a JSON object")
    _check_value(dict(details), "details")
    try:
        size = len(orjson.dumps(dict(details)))
    except TypeError as exc:  # e.g. an integer beyond 64 bits
        raise ValueError(f"audit details are not plain JSON: {exc}") from exc
    if size > MAX_DETAILS_BYTES:
        raise ValueError(f"audit details hold at most {MAX_DETAILS_BYTES} bytes, not {size}")


def _check_value(value: object, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not _KEY.fullmatch(key):
                raise ValueError(f"{where}: key {key!r} must be snake_case, at most 40 characters")
            if key in PERSONAL_KEYS:
                raise ValueError(f"{where}.{key}: personal data or free text has no place here")
            _check_value(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_value(item, f"{where}[{index}]")
    elif isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: {value} is not a JSON number")
    elif value is not None and not isinstance(value, bool | int | float):
        raise ValueError(f"{where}: {type(value).__name__} is not a JSON value")


def _check_text(value: str, where: str) -> None:
    if len(value) > MAX_TEXT:
        raise ValueError(f"{where}: at most {MAX_TEXT} characters (an id or a code, not text)")
    if "@" in value:
        raise ValueError(f"{where}: looks like an e-mail address")
    if _PHONE.fullmatch(value) and sum(c.isdigit() for c in value) >= 9:
        raise ValueError(f"{where}: looks like a phone number")
