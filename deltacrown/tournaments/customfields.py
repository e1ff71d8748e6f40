"""Custom registration fields as pure logic (no database): checking a field's definition,
`validate_field_value(field, value)` for one answer and `validate_answers(fields, answers)` for
a whole registration (the registration domain calls it).

Types and constraints (DOMAIN.md "CustomField"):

| type     | value                        | min / max              | other            |
| -------- | ---------------------------- | ---------------------- | ---------------- |
| text     | string (trimmed)             | length (integers >= 0) | regex (fullmatch)|
| number   | number or numeric string     | value                  |                  |
| dropdown | one of `choices`             | -                      | choices required |
| checkbox | true / false (required: true)| -                      |                  |
| url      | http(s) URL                  | -                      |                  |
| date     | "YYYY-MM-DD"                 | date range             |                  |

An empty answer (missing, null or blank text) is an error only when the field is required; it
is left out of the cleaned answers. A required checkbox must be ticked (consent boxes).

Organizers' patterns run on RE2 (`google-re2`), whose matching time is linear in the answer:
Python's backtracking `re` takes exponential time on patterns such as `(a+)+$`, and any player
may create a tournament. Patterns RE2 cannot run (backreferences, lookaround, repetition
counts over 1000, programs over `REGEX_MAX_MEMORY`) are refused when the field is defined.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol
from urllib.parse import urlsplit

import re2

from deltacrown.tournaments.errors import InvalidAnswersError

log = logging.getLogger(__name__)

FIELD_TYPES = ("text", "number", "dropdown", "checkbox", "url", "date")
BOUNDED_TYPES = ("text", "number", "date")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER_RE = re.compile(r"^-?\d{1,15}(\.\d{1,10})?$")
MAX_TEXT_LENGTH = 2000
MAX_REGEX_LENGTH = 200  # the column's width
REGEX_MAX_MEMORY = 1 << 20  # bytes RE2 may spend on one compiled pattern
MAX_CHOICES = 100
MAX_CHOICE_LENGTH = 100


class FieldValueError(ValueError):
    """One answer breaks its field's rules; the message is for the player."""


class FieldLike(Protocol):
    """What validation needs of a field (the model and `FieldSpec` both fit)."""

    key: str
    type: Any
    required: bool
    regex: str | None
    choices: list[str] | None

    @property
    def min(self) -> Any: ...

    @property
    def max(self) -> Any: ...


@dataclass(frozen=True)
class FieldSpec:
    """A field definition as plain data (tests, templates)."""

    key: str
    type: str
    label: str = ""
    required: bool = False
    min: Any = None
    max: Any = None
    regex: str | None = None
    choices: list[str] | None = None
    order: int = 0

    @classmethod
    def of(
        cls, key: str, field_type: str, *, min: Any = None, max: Any = None, **kwargs: Any
    ) -> FieldSpec:
        """A spec from API-shaped bounds (`min=3`, `min="2000-01-01"`), parsed for the type."""
        return cls(
            key=key,
            type=field_type,
            min=parse_bound(field_type, min),
            max=parse_bound(field_type, max),
            **kwargs,
        )


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Any:
    """The RE2 program for an organizer's pattern; raises `re2.error` when RE2 cannot run it."""
    options = re2.Options()
    options.max_mem = REGEX_MAX_MEMORY
    options.log_errors = False
    return re2.compile(pattern, options)


def regex_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be a field's regex, or None when it can."""
    if len(pattern) > MAX_REGEX_LENGTH:
        return f"At most {MAX_REGEX_LENGTH} characters."
    try:
        compile_pattern(pattern)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return (
            f"Not a pattern this server runs ({reason}); backreferences and lookaround are not "
            "supported, repetition counts stop at 1000."
        )
    return None


def _type_name(field_type: Any) -> str:
    return str(getattr(field_type, "value", field_type))


# ----- bounds: typed values <-> stored text --------------------------------------------------
def parse_bound(field_type: str, raw: Any) -> int | Decimal | date | None:
    """A min/max for `field_type` (length, number or date); ValueError when it does not fit."""
    if raw is None:
        return None
    if field_type == "text":
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise ValueError("Text bounds are lengths: integers of 0 or more.")
        return raw
    if field_type == "number":
        return _to_decimal(raw)
    if field_type == "date":
        return _to_date(raw)
    raise ValueError(f"A {field_type} field has no min or max.")


def bound_to_text(value: int | Decimal | date | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def bound_from_text(field_type: str, text: str | None) -> int | Decimal | date | None:
    if text is None:
        return None
    if field_type == "text":
        return int(text)
    if field_type == "date":
        return date.fromisoformat(text)
    return Decimal(text)


def bound_to_json(value: int | Decimal | date | None) -> int | float | str | None:
    """How the API shows a bound: a number, or an ISO date."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return int(value) if value == value.to_integral_value() else float(value)


# ----- definitions ---------------------------------------------------------------------------
def definition_errors(
    *,
    field_type: str,
    min_value: Any = None,
    max_value: Any = None,
    regex: str | None = None,
    choices: list[str] | None = None,
) -> dict[str, list[str]]:
    """What is wrong with a field definition; min/max are raw API values."""
    errors: dict[str, list[str]] = {}
    if field_type not in FIELD_TYPES:
        return {"type": ["One of " + ", ".join(FIELD_TYPES) + "."]}
    bounds: dict[str, Any] = {}
    for name, raw in (("min", min_value), ("max", max_value)):
        try:
            bounds[name] = parse_bound(field_type, raw)
        except ValueError as exc:
            errors[name] = [str(exc)]
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None and low > high:
        errors.setdefault("max", []).append("Must not be less than min.")
    if regex is not None:
        if field_type != "text":
            errors["regex"] = ["Only text fields take a regex."]
        elif (problem := regex_problem(regex)) is not None:
            errors["regex"] = [problem]
    if field_type == "dropdown":
        if not choices:
            errors["choices"] = ["A dropdown needs at least one choice."]
        elif len(choices) > MAX_CHOICES:
            errors["choices"] = [f"At most {MAX_CHOICES} choices."]
        elif any(
            not isinstance(c, str) or not c.strip() or len(c) > MAX_CHOICE_LENGTH for c in choices
        ):
            errors["choices"] = [f"Choices are non-blank strings of at most {MAX_CHOICE_LENGTH}."]
        elif len(set(choices)) != len(choices):
            errors["choices"] = ["Choices must be different from each other."]
    elif choices is not None:
        errors["choices"] = ["Only dropdown fields take choices."]
    return errors


# ----- values --------------------------------------------------------------------------------
def _to_decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError("Must be a number.")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueError("Must be a finite number.")
        return Decimal(str(raw))
    if isinstance(raw, str) and NUMBER_RE.match(raw.strip()):
        try:
            return Decimal(raw.strip())
        except InvalidOperation as exc:  # pragma: no cover - the regex rules this out
            raise ValueError("Must be a number.") from exc
    raise ValueError("Must be a number.")


def _to_date(raw: Any) -> date:
    if isinstance(raw, str) and DATE_RE.match(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise ValueError("Must be a date as YYYY-MM-DD.")


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_text(field: FieldLike, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldValueError("Must be text.")
    text = value.strip()
    low, high = field.min, field.max
    if len(text) > MAX_TEXT_LENGTH:
        raise FieldValueError(f"At most {MAX_TEXT_LENGTH} characters.")
    if low is not None and len(text) < low:
        raise FieldValueError(f"At least {low} characters.")
    if high is not None and len(text) > high:
        raise FieldValueError(f"At most {high} characters.")
    if field.regex and not _matches(field.regex, text):
        raise FieldValueError("Does not have the expected format.")
    return text


def _matches(pattern: str, text: str) -> bool:
    try:
        program = compile_pattern(pattern)
    except re2.error:
        # Stored before patterns were checked with RE2: the format cannot be enforced without
        # risking a backtracking engine, so the answer stands and the organizer is told by log.
        log.warning("custom field pattern %r is not RE2-compatible; not enforced", pattern)
        return True
    return program.fullmatch(text) is not None


def _check_number(field: FieldLike, value: Any) -> int | float:
    try:
        number = _to_decimal(value)
    except ValueError as exc:
        raise FieldValueError(str(exc)) from exc
    low, high = field.min, field.max
    if low is not None and number < low:
        raise FieldValueError(f"At least {bound_to_json(low)}.")
    if high is not None and number > high:
        raise FieldValueError(f"At most {bound_to_json(high)}.")
    return int(number) if number == number.to_integral_value() else float(number)


def _check_dropdown(field: FieldLike, value: Any) -> str:
    if not isinstance(value, str) or value not in (field.choices or []):
        raise FieldValueError("Choose one of: " + ", ".join(field.choices or []) + ".")
    return value


def _check_checkbox(field: FieldLike, value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldValueError("Must be true or false.")
    if field.required and value is not True:
        raise FieldValueError("Must be ticked.")
    return value


def _check_url(field: FieldLike, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldValueError("Must be a URL.")
    text = value.strip()
    parts = urlsplit(text)
    if (
        len(text) > MAX_TEXT_LENGTH
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in text)
    ):
        raise FieldValueError("Must be an http or https URL.")
    return text


def _check_date(field: FieldLike, value: Any) -> str:
    try:
        day = _to_date(value)
    except ValueError as exc:
        raise FieldValueError(str(exc)) from exc
    low, high = field.min, field.max
    if low is not None and day < low:
        raise FieldValueError(f"On or after {low.isoformat()}.")
    if high is not None and day > high:
        raise FieldValueError(f"On or before {high.isoformat()}.")
    return day.isoformat()


_CHECKS = {
    "text": _check_text,
    "number": _check_number,
    "dropdown": _check_dropdown,
    "checkbox": _check_checkbox,
    "url": _check_url,
    "date": _check_date,
}


def validate_field_value(field: FieldLike, value: Any) -> Any:
    """The cleaned answer for one field (None when empty and optional).

    Raises FieldValueError with a message for the player.
    """
    if _is_empty(value):
        if field.required:
            raise FieldValueError("This field is required.")
        return None
    return _CHECKS[_type_name(field.type)](field, value)


def validate_answers(fields: Iterable[FieldLike], answers: Any) -> dict[str, Any]:
    """Cleaned `{key: value}` for a registration's answers.

    Unknown keys and broken or missing required answers raise InvalidAnswersError (422) with
    one entry per key in `errors`.
    """

    if answers is None:
        answers = {}
    if not isinstance(answers, Mapping):
        raise InvalidAnswersError(
            "Answers are an object of field key to value.",
            errors={"answers": ["Must be an object."]},
        )
    by_key = {field.key: field for field in fields}
    errors: dict[str, list[str]] = {
        str(key): ["Unknown field."] for key in answers if key not in by_key
    }
    cleaned: dict[str, Any] = {}
    for key, field in by_key.items():
        try:
            value = validate_field_value(field, answers.get(key))
        except FieldValueError as exc:
            errors[key] = [str(exc)]
            continue
        if value is not None:
            cleaned[key] = value
    if errors:
        raise InvalidAnswersError("Some answers are missing or invalid; see errors.", errors=errors)
    return cleaned
