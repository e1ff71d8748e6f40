"""What Flask-Admin lists take from their URL: filters for our column types (enums by stored
value, aware-UTC times, integers within 64 bits) and `ListArguments`, which keeps the page,
the search, the filter values and a row's id within what the database can take.

A value a filter cannot take is ignored, as Flask-Admin ignores every invalid filter value
(`validate` is false when `clean` raises ValueError), instead of reaching the database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import flash
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.model import filters as model_filters

from deltacrown.core import admin_format
from deltacrown.core.inputs import (
    CONTROL_CHARACTERS,
    INT32_MAX,
    INT64_MAX,
    INT64_MIN,
    has_control_characters,
    id_from_text,
)


class _KnownValues:
    """Filter values outside the enum are ignored (Flask-Admin skips invalid filters)."""

    options: Any
    multiple = False

    def validate(self, value: Any) -> bool:
        allowed = {str(option) for option, _ in self.options or ()}
        values = str(value).split(",") if self.multiple else [str(value)]
        return all(item.strip() in allowed for item in values)


class _EnumEqual(_KnownValues, sqla_filters.FilterEqual):
    pass


class _EnumNotEqual(_KnownValues, sqla_filters.FilterNotEqual):
    pass


class _EnumInList(_KnownValues, sqla_filters.FilterInList):
    multiple = True


class _EnumNotInList(_KnownValues, sqla_filters.FilterNotInList):
    multiple = True


class _AsUTC:
    """Flask-Admin parses naive datetimes; our columns take aware UTC values only."""

    def clean(self, value: str) -> Any:
        result = super().clean(value)  # type: ignore[misc]
        if isinstance(result, list):
            return [item.replace(tzinfo=UTC) for item in result]
        return result.replace(tzinfo=UTC) if isinstance(result, datetime) else result


class AfterFilter(_AsUTC, sqla_filters.DateTimeGreaterFilter):
    pass


class BeforeFilter(_AsUTC, sqla_filters.DateTimeSmallerFilter):
    pass


class BetweenFilter(_AsUTC, sqla_filters.DateTimeBetweenFilter):
    pass


def date_filters(column: Any, label: str) -> list[Any]:
    """After / before / between filters on an aware-UTC time column."""
    return [AfterFilter(column, label), BeforeFilter(column, label), BetweenFilter(column, label)]


class _Within64Bits:
    """An integer no database column holds (SQLite's driver cannot even bind it) names no row:
    the value is refused like any other that is no integer."""

    def clean(self, value: str) -> Any:
        result = super().clean(value)  # type: ignore[misc]
        for number in result if isinstance(result, list) else [result]:
            if not INT64_MIN <= number <= INT64_MAX:
                raise ValueError(value)
        return result


class IntEqual(_Within64Bits, sqla_filters.IntEqualFilter):
    pass


class _IntNotEqual(_Within64Bits, sqla_filters.IntNotEqualFilter):
    pass


class _IntGreater(_Within64Bits, sqla_filters.IntGreaterFilter):
    pass


class _IntSmaller(_Within64Bits, sqla_filters.IntSmallerFilter):
    pass


class _IntInList(_Within64Bits, sqla_filters.IntInListFilter):
    pass


class _IntNotInList(_Within64Bits, sqla_filters.IntNotInListFilter):
    pass


class ValueEnumFilterConverter(sqla_filters.FilterConverter):
    """Enum filters by stored value: Flask-Admin's own look members up by *name*, and our
    enums are stored by value (`draft`, not `DRAFT`), which made its filters answer 500.
    Time columns (`UTCDateTime`) get after / before / between filters taking UTC values;
    integer columns, filters refusing a value beyond 64 bits."""

    int_filters = (
        IntEqual,
        _IntNotEqual,
        _IntGreater,
        _IntSmaller,
        sqla_filters.FilterEmpty,
        _IntInList,
        _IntNotInList,
    )

    @model_filters.convert("utcdatetime")
    def conv_utc_datetime(self, column: Any, name: str, **kwargs: Any) -> list[Any]:
        return [AfterFilter(column, name), BeforeFilter(column, name), BetweenFilter(column, name)]

    @model_filters.convert("enum")
    def conv_enum(self, column: Any, name: str, options: Any = None, **kwargs: Any) -> list[Any]:
        if not options:
            enum_class = getattr(column.type, "enum_class", None)
            values = [m.value for m in enum_class] if enum_class else list(column.type.enums)
            options = [(v, admin_format.label(v)) for v in values]
        kinds = (_EnumEqual, _EnumNotEqual, _EnumInList, _EnumNotInList)
        return [kind(column, name, options, **kwargs) for kind in kinds]


def is_row_id(model: Any, value: Any) -> bool:
    """Whether `value` (a URL's or a form's text) can name a row of `model`: any value for a
    model whose key is not one integer column, else the digits of a positive id its column
    holds (an INTEGER's 32 bits, a BIGINT's 64)."""
    keys = sa.inspect(model).primary_key
    if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
        return True
    maximum = INT64_MAX if isinstance(keys[0].type, sa.BigInteger) else INT32_MAX
    return id_from_text(str(value), maximum) is not None


class ListArguments:
    """For a ModelView: a negative page is the first page, control characters (NUL among
    them, which PostgreSQL text cannot hold) are left out of the search, a filter value
    carrying one is ignored like any invalid value, and an id no row can have finds no row
    (Flask-Admin then says the record does not exist)."""

    model: Any

    def _get_list_extra_args(self) -> Any:
        args = super()._get_list_extra_args()  # type: ignore[misc]
        args.page = max(args.page or 0, 0)
        if args.search:
            args.search = CONTROL_CHARACTERS.sub("", args.search)
        return args

    def _get_list_filter_args(self) -> Any:
        filters = super()._get_list_filter_args()  # type: ignore[misc]
        if not filters:
            return filters
        kept = [f for f in filters if not has_control_characters(str(f[2]))]
        if len(kept) < len(filters):
            flash("A filter value with control characters was ignored.", "error")
        return kept

    def get_one(self, id: Any) -> Any:
        if not is_row_id(self.model, id):
            return None
        return super().get_one(id)  # type: ignore[misc]
