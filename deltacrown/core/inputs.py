"""Strict inputs, in one place: bounded integer ids in paths, strict and bounded integers and
clean strings in every schema, and a JSON nesting limit checked before anything parses a body.

* Path ids: `IdConverter` replaces Werkzeug's `int` converter, so `<int:id>` never matches a
  value beyond a PostgreSQL INTEGER (2^31 - 1): such a path is a 404, never a database error.
* Schema fields (`harden_field`, applied by `core.api.BaseSchema` to every field it binds):
  integers in a JSON body must be JSON integers (`1.5` and `"5"` are refused) within the
  32-bit range of an INTEGER column, unless the field declares both bounds of its own `Range`
  (a BIGINT column), which then stay within 64 bits. Query strings and forms are text: their
  digits are read as integers first (`integers_from_text`), then the same rules apply. Dates
  and datetimes fall in the years `FIRST_YEAR` to `LAST_YEAR`, so a day or a time zone added
  on the way to a query never leaves Python's calendar (0001 to 9999).
* Strings anywhere in an input (`control_character_errors`) carry no NUL, no other control
  character (tab, line feed and carriage return are allowed) and no lone UTF-16 surrogate.
* JSON nesting (`json_too_deep`) is measured on the raw text with linear-time scans, so a
  deeply nested body is refused before a recursive parser could overflow on it.
"""

from __future__ import annotations

import copy
import operator
import re
from collections.abc import Iterable, Mapping
from itertools import accumulate
from typing import Any

import marshmallow as ma
from webargs.fields import DelimitedFieldMixin
from werkzeug.routing import IntegerConverter, Map, ValidationError

INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
DEFAULT_MAX_JSON_DEPTH = 32
FIRST_YEAR = 1900
LAST_YEAR = 9998

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
CONTROL_MESSAGE = "Control characters (other than tab and line breaks) are not allowed."
_TEXT_INTEGER = re.compile(r"[+-]?[0-9]{1,20}")


# ----- path ids ------------------------------------------------------------------------------
class IdConverter(IntegerConverter):
    """`<int:...>` limited to a PostgreSQL INTEGER: a larger number matches no route (404)."""

    def __init__(
        self,
        map: Map,  # noqa: A002 - Werkzeug's parameter name
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002
        max: int | None = INT32_MAX,  # noqa: A002
        signed: bool = False,
    ) -> None:
        bounded = INT32_MAX if max is None or max > INT32_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bounded, signed=signed)

    def to_python(self, value: str) -> Any:
        if len(value.lstrip("-")) > len(str(INT32_MAX)):  # never hand int() a huge string
            raise ValidationError()
        return super().to_python(value)


def is_id(value: int) -> bool:
    """Within the range of an INTEGER id column (a larger one names nothing)."""
    return 0 < value <= INT32_MAX


_ID_DIGITS = re.compile(r"[0-9]{1,19}")


def id_from_text(text: str, maximum: int = INT32_MAX) -> int | None:
    """The id a form's or a URL's text names, 1 to `maximum` (an INTEGER column's by default),
    or None for any other text."""
    if _ID_DIGITS.fullmatch(text) is None:
        return None
    value = int(text)
    return value if 1 <= value <= maximum else None


# ----- schema fields -------------------------------------------------------------------------
def _range_bounds(field: ma.fields.Field) -> tuple[Any, Any]:
    """The tightest explicit bounds of a field's `Range` validators (None: unbounded)."""
    low: Any = None
    high: Any = None
    for validator in field.validators:
        if isinstance(validator, ma.validate.Range):
            if validator.min is not None:
                low = validator.min if low is None else max(low, validator.min)
            if validator.max is not None:
                high = validator.max if high is None else min(high, validator.max)
    return low, high


def harden_field(field: ma.fields.Field, *, text_only: bool = False) -> None:
    """Make one bound field strict: bounded strict integers (recursively through lists,
    tuples and dict values). `text_only`: the field only ever reads text (a DelimitedList's
    items), so its integers stay lenient about their type and only get bounds.

    A bound field is a shallow copy of the schema class's field (marshmallow), made again for
    every schema instance (webargs makes one per request): its validator list and its inner
    fields are the class's own, so they are replaced, never changed in place."""
    if isinstance(field, ma.fields.DateTime | ma.fields.Date) and not field.dump_only:
        field.validators = [*field.validators, _within_calendar]
    if isinstance(field, ma.fields.Integer) and not field.dump_only:
        low, high = _range_bounds(field)
        explicit = low is not None and high is not None
        floor, ceiling = (INT64_MIN, INT64_MAX) if explicit else (INT32_MIN, INT32_MAX)
        field.validators = [*field.validators, ma.validate.Range(min=floor, max=ceiling)]
        if not text_only:
            field.strict = True
    delimited = text_only or isinstance(field, DelimitedFieldMixin)
    for inner in _own_inner_fields(field):
        harden_field(inner, text_only=delimited)


def _within_calendar(value: Any) -> None:
    """A date or datetime in the years `FIRST_YEAR` to `LAST_YEAR` (its own time zone's)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ma.ValidationError(f"Must be in the years {FIRST_YEAR} to {LAST_YEAR}.")


def _own_inner_fields(field: ma.fields.Field) -> Iterable[ma.fields.Field]:
    """The field's inner fields, each replaced by a copy of its own first."""
    if isinstance(field, ma.fields.List):
        field.inner = copy.copy(field.inner)
        yield field.inner
    elif isinstance(field, ma.fields.Tuple):
        field.tuple_fields = [copy.copy(inner) for inner in field.tuple_fields]
        yield from field.tuple_fields
    elif isinstance(field, ma.fields.Mapping) and field.value_field is not None:
        field.value_field = copy.copy(field.value_field)
        yield field.value_field


def integers_from_text(fields: Mapping[str, ma.fields.Field], data: Mapping[str, Any]) -> Any:
    """Query strings and forms carry text: read the integer fields' digits as integers, so the
    strict integer fields accept `?page=2` (anything else is left for the field to refuse)."""
    converted = {key: data[key] for key in data}
    for name, field in fields.items():
        key = field.data_key or name
        if key not in converted:
            continue
        if isinstance(field, ma.fields.Integer):
            converted[key] = _text_to_int(converted[key])
        elif isinstance(field, ma.fields.List) and isinstance(field.inner, ma.fields.Integer):
            value = converted[key]
            if isinstance(value, list):
                converted[key] = [_text_to_int(item) for item in value]
    return converted


def _text_to_int(value: Any) -> Any:
    if isinstance(value, str) and _TEXT_INTEGER.fullmatch(value):
        return int(value)
    return value


# ----- strings -------------------------------------------------------------------------------
def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def control_character_errors(data: Any) -> dict[str, list[str]]:
    """Per top-level key, the inputs whose strings (values or keys, at any depth) carry a
    control character; `_schema` when the input itself is such a string."""
    if isinstance(data, str):
        return {"_schema": [CONTROL_MESSAGE]} if has_control_characters(data) else {}
    if not isinstance(data, Mapping):
        return {"_schema": [CONTROL_MESSAGE]} if _dirty(data) else {}
    errors: dict[str, list[str]] = {}
    for key in data:
        if isinstance(key, str) and has_control_characters(key):
            errors["_schema"] = [CONTROL_MESSAGE]
        elif _dirty(data[key]):
            errors[str(key)] = [CONTROL_MESSAGE]
    return errors


def _dirty(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_control_characters(item):
                return True
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                if isinstance(key, str) and has_control_characters(key):
                    return True
                stack.append(inner)
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


# ----- JSON nesting --------------------------------------------------------------------------
# A JSON string, or an unterminated one up to the end (so a scan never backtracks over it).
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST_PAIR = re.compile(rb"\[\]|\{\}")
_OPEN_AS_TWO = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def json_too_deep(raw: bytes | str, limit: int = DEFAULT_MAX_JSON_DEPTH) -> bool:
    """True when the JSON text nests arrays and objects deeper than `limit`.

    Strings are cut out, everything but brackets dropped, and each pass removes the innermost
    pairs: a text of depth d is empty after d passes. What cannot pair up (malformed text,
    such as ten thousand `[` alone, which a recursive parser would still descend into) is
    measured exactly."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    skeleton = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    for passes in range(limit + 1):
        if not skeleton:
            return False
        skeleton, removed = _INNERMOST_PAIR.subn(b"", skeleton)
        if not removed:
            return passes + _prefix_depth(skeleton) > limit
    return True


def _prefix_depth(skeleton: bytes) -> int:
    """The deepest opening count over the prefixes of a bracket-only text (C-level loops)."""
    doubled = skeleton.translate(_OPEN_AS_TWO)  # opening 2, closing 0: sum - position = depth
    return max(map(operator.sub, accumulate(doubled), range(1, len(doubled) + 1)), default=0)


class IdOrSlug(ma.fields.Field):
    """An integer id or a slug string (`"valorant"` or `3`)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int | str:
        if isinstance(value, int) and not isinstance(value, bool) and is_id(value):
            return value
        if isinstance(value, str) and 0 < len(value.strip()) <= 64:
            text = value.strip()
            if text.isascii() and text.isdigit():
                if is_id(int(text)):
                    return int(text)
            else:
                return text.lower()
        raise ma.ValidationError("Give an id (integer) or a slug (string).")

    def _jsonschema_type_mapping(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "integer"}, {"type": "string"}]}
