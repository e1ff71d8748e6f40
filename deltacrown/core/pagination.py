"""Pagination: page numbers for collections (flask-smorest's X-Pagination) and opaque cursors
for append-only feeds (X-Next-Cursor)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

MAX_PAGE_SIZE = 100


def paginate_select(query: sa.Select[Any], pagination_parameters: Any) -> list[Any]:
    """Run one page of a Select and record the total for the X-Pagination header."""
    from deltacrown.extensions import db

    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    pagination_parameters.item_count = total or 0
    page = pagination_parameters.page
    size = pagination_parameters.page_size
    return list(db.session.scalars(query.limit(size).offset((page - 1) * size)))
