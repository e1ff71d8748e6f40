"""Pagination: page numbers for collections (flask-smorest's X-Pagination) and opaque cursors
for append-only feeds (X-Next-Cursor)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from deltacrown.core import explain
from deltacrown.core.api import BaseSchema
from deltacrown.core.db import db
from deltacrown.core.errors import ValidationError
from deltacrown.core.inputs import INT64_MAX

MAX_PAGE_SIZE = 100


# Up to this many rows a list's total is exact; above it, on PostgreSQL, the total is the
# planner's estimate and the X-Pagination object says so (`"total_estimated": true`).
EXACT_COUNT_LIMIT = 10_000


def paginate_select(
    query: sa.Select[Any],
    pagination_parameters: Any,
    *,
    exact_limit: int | None = None,
    options: Sequence[Any] = (),
    max_depth: int | None = None,
) -> list[Any]:
    """Run one page of a Select and record the total for the X-Pagination header.

    The total costs nothing when the first page is not full; otherwise it is exact up to
    `exact_limit` (EXACT_COUNT_LIMIT) rows and, on PostgreSQL, the planner's estimate above it
    (an exact count of a large table grows with the table; the page does not). `options`:
    loader options for the page's rows only (the total's statements load no rows).
    `max_depth`: pages by number reach that many rows at most (a page further down would
    read and skip every row before it); a page beyond is a ValidationError on `page`."""
    page = pagination_parameters.page
    size = pagination_parameters.page_size
    if max_depth is not None and page * size > max_depth:
        raise ValidationError(
            f"Pages by number reach the first {max_depth:,} items; narrow the filters, or "
            "page by cursor where the list offers one.",
            errors={"page": [f"At most {max_depth // size:,} with page_size {size}."]},
        )
    rows = query.options(*options) if options else query
    items = list(db.session.scalars(rows.limit(size).offset((page - 1) * size)))
    if page == 1 and len(items) < size:
        pagination_parameters.item_count = len(items)
        return items
    total, estimated = count_rows(query, exact_limit=exact_limit)
    pagination_parameters.item_count = total
    pagination_parameters.total_estimated = estimated
    return items


def count_rows(query: sa.Select[Any], *, exact_limit: int | None = None) -> tuple[int, bool]:
    """How many rows `query` returns, and whether that is an estimate (see paginate_select)."""
    limit = EXACT_COUNT_LIMIT if exact_limit is None else exact_limit
    rows = query.order_by(None).with_only_columns(sa.literal(1), maintain_column_froms=True)
    estimate = explain.estimated_rows(rows)
    if estimate is None:  # no planner to ask (SQLite, the embedded database): count
        exact = db.session.scalar(sa.select(sa.func.count()).select_from(rows.subquery()))
        return int(exact or 0), False
    if estimate <= 2 * limit:
        bounded = rows.limit(limit + 1).subquery()
        counted = int(db.session.scalar(sa.select(sa.func.count()).select_from(bounded)) or 0)
        if counted <= limit:
            return counted, False
    return max(estimate, limit + 1), True


# ----- cursors for append-only feeds ---------------------------------------------------------
# Newest first, by id: a cursor names the last id seen, so rows inserted meanwhile (with larger
# ids) never shift the next page.
DEFAULT_CURSOR_LIMIT = 50
MAX_CURSOR_LIMIT = 200
NEXT_CURSOR_HEADER = "X-Next-Cursor"
# For `@blp.response(..., headers=CURSOR_RESPONSE_HEADERS)`.
CURSOR_RESPONSE_HEADERS = {
    NEXT_CURSOR_HEADER: {
        "description": "Pass as `?cursor=` for the next (older) page; absent on the last page.",
        "schema": {"type": "string"},
    }
}


class InvalidCursorError(ValidationError):
    code, title = "invalid_cursor", "Invalid cursor"


class CursorArgs(BaseSchema):
    """`?cursor=&limit=`; a feed's query schema subclasses it to add filters."""

    cursor = ma.fields.String(
        metadata={"description": "The `X-Next-Cursor` of the previous page."},
    )
    limit = ma.fields.Integer(
        load_default=DEFAULT_CURSOR_LIMIT,
        validate=ma.validate.Range(min=1, max=MAX_CURSOR_LIMIT),
        metadata={"description": f"Items per page (at most {MAX_CURSOR_LIMIT})."},
    )


def encode_cursor(last_id: int) -> str:
    raw = json.dumps({"id": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The last id a cursor names; InvalidCursorError (422) for anything we did not issue."""
    try:
        if len(cursor) > 200:
            raise ValueError(cursor)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)["id"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        value = None
    if type(value) is not int or not 1 <= value <= INT64_MAX:
        raise InvalidCursorError(
            "The cursor is not one this API issued; start again without it.",
            errors={"cursor": ["Invalid cursor."]},
        )
    return value


def cursor_page(
    query: sa.Select[Any], id_column: Any, args: Mapping[str, Any]
) -> tuple[list[Any], str | None]:
    """One page of `query`, newest first by `id_column`, and the cursor of the next page."""
    limit = int(args.get("limit") or DEFAULT_CURSOR_LIMIT)
    query = query.order_by(None).order_by(id_column.desc())
    if args.get("cursor"):
        query = query.where(id_column < decode_cursor(args["cursor"]))
    rows = list(db.session.scalars(query.limit(limit + 1)))
    items = rows[:limit]
    next_cursor = encode_cursor(getattr(items[-1], id_column.key)) if len(rows) > limit else None
    return items, next_cursor


def with_next_cursor(items: list[Any], next_cursor: str | None) -> tuple[list[Any], dict[str, str]]:
    """A view's return value: the items, plus the X-Next-Cursor header when there is more."""
    return items, ({NEXT_CURSOR_HEADER: next_cursor} if next_cursor else {})


# ----- keyset cursors for ordered lists ------------------------------------------------------
# A list in a fixed ordering (`start_at`, `-created_at` ...) pages by the last row's sort key
# and id: the next page starts right after it, read from an index, however deep the reader
# goes (an offset makes the database walk past every row before the page).
def _cursor_value(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def encode_keyset_cursor(ordering: str, key: Any, last_id: int) -> str:
    payload = {"o": ordering, "k": _cursor_value(key), "id": last_id}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_keyset_cursor(
    cursor: str, ordering: str, parse_key: Callable[[str], Any]
) -> tuple[Any, int]:
    """The sort key and id a cursor names; InvalidCursorError (422) for a cursor this API did
    not issue, or issued for another ordering."""
    try:
        if len(cursor) > 500:
            raise ValueError(cursor)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        last_id, key = payload["id"], payload["k"]
        if payload["o"] != ordering or type(last_id) is not int or not 1 <= last_id <= INT64_MAX:
            raise ValueError(cursor)
        if not isinstance(key, str):
            raise TypeError(key)
        return parse_key(key), last_id
    except (ValueError, TypeError, KeyError, ArithmeticError, binascii.Error) as exc:
        raise InvalidCursorError(
            "The cursor is not one this API issued for this ordering; start again without it.",
            errors={"cursor": ["Invalid cursor."]},
        ) from exc


def keyset_page(
    query: sa.Select[Any],
    *,
    key: Any,
    id_column: Any,
    descending: bool,
    ordering: str,
    parse_key: Callable[[str], Any],
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    """One page of `query` (over one entity) ordered by (`key`, `id_column`), ascending or
    descending, after the row `cursor` names (from the start without one), and the cursor of
    the next page (None on the last)."""
    key_label = key.label("keyset_key")
    key_type = getattr(key, "type", None)
    after = sa.tuple_(key, id_column)
    if cursor:
        last_key, last_id = decode_keyset_cursor(cursor, ordering, parse_key)
        bound = sa.tuple_(sa.literal(last_key, type_=key_type), sa.literal(last_id))
        query = query.where(after < bound if descending else after > bound)
    order = (key.desc(), id_column.desc()) if descending else (key.asc(), id_column.asc())
    query = query.order_by(None).order_by(*order).add_columns(key_label).limit(limit + 1)
    rows = db.session.execute(query).all()
    items = [row[0] for row in rows[:limit]]
    if len(rows) <= limit:
        return items, None
    last = rows[limit - 1]
    return items, encode_keyset_cursor(ordering, last[1], getattr(last[0], id_column.key))
