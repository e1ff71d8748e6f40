"""Pagination: page numbers for collections (flask-smorest's X-Pagination) and opaque cursors
for append-only feeds (X-Next-Cursor)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from deltacrown.core.api import BaseSchema
from deltacrown.core.db import db
from deltacrown.core.errors import ValidationError

MAX_PAGE_SIZE = 100


def paginate_select(query: sa.Select[Any], pagination_parameters: Any) -> list[Any]:
    """Run one page of a Select and record the total for the X-Pagination header."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    pagination_parameters.item_count = total or 0
    page = pagination_parameters.page
    size = pagination_parameters.page_size
    return list(db.session.scalars(query.limit(size).offset((page - 1) * size)))


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
    if type(value) is not int or value < 1:
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
