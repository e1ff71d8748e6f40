"""CSV responses for list endpoints that opt in: `Accept: text/csv` streams every matching row.

A view opts in with `@csv_export(columns, filename=...)`, placed between `@blp.response` and
`@blp.paginate`, and ends with `return page_or_export(query, pagination_parameters)`:

    @blp.response(200, StaffUserSchema(many=True))
    @csv_export(USER_COLUMNS, filename="users.csv")
    @blp.paginate()
    def get(self, args, pagination_parameters):
        return page_or_export(queries.list_users(**args), pagination_parameters)

JSON callers get one page as usual. A caller that prefers `text/csv` gets a streamed download
of ALL matching rows (not one page), bypassing schema dumping and `X-Pagination`: UTF-8 with a
BOM (so spreadsheet programs read it as UTF-8), a header row, the view's fixed column order,
ISO 8601 `Z` timestamps, `true`/`false`, empty cells for None, and cells that a spreadsheet
would run as a formula prefixed with `'`. An unpaginated list view may simply return its rows
or Select; the decorator is then placed directly on the function.

The columns are the whole contract: a view lists only what its callers may see (a staff-only
export may include e-mail addresses; a public one must not).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Response, g, request, stream_with_context

from deltacrown.core.db import db
from deltacrown.core.pagination import paginate_select
from deltacrown.core.time import isoformat

CSV_MIMETYPE = "text/csv"
BOM = "\ufeff"
YIELD_PER = 500  # rows fetched per round trip while streaming
FLUSH_EVERY = 200  # rows per chunk sent to the client
# A cell starting with one of these is a formula to Excel/LibreOffice (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_EXPORTING = "csv_exporting"


@dataclass(frozen=True)
class Column:
    """One CSV column: its header and how to read it from a row (default: the attribute)."""

    name: str
    value: Callable[[Any], Any] | None = None

    def get(self, row: Any) -> Any:
        return self.value(row) if self.value is not None else getattr(row, self.name)


def format_cell(value: Any) -> str:
    """A value as CSV text: ISO 8601 Z times, true/false, empty None, formula-safe strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return isoformat(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _rows(source: Any) -> Iterable[Any]:
    """Rows of a Select (streamed `YIELD_PER` at a time) or of any iterable."""
    if not isinstance(source, sa.Select):
        return source
    result = db.session.execute(source.execution_options(yield_per=YIELD_PER))
    descriptions = source.column_descriptions
    if len(descriptions) == 1 and descriptions[0].get("entity") is not None:
        return result.scalars()
    return result


def iter_csv(source: Any, columns: Sequence[Column]) -> Iterator[str]:
    """The CSV text in chunks: BOM and header first, then `FLUSH_EVERY` rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.name for column in columns])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(_rows(source), start=1):
        writer.writerow([format_cell(column.get(row)) for column in columns])
        if count % FLUSH_EVERY == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_response(source: Any, columns: Sequence[Column | str], filename: str) -> Response:
    """A streamed `text/csv` attachment of every row of `source` (a Select or an iterable).

    The rows are read while the body is sent, after the request's unit of work has committed,
    in the request's app context (`stream_with_context`).
    """
    cols = _columns(columns)
    response = Response(stream_with_context(iter_csv(source, cols)), mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept")
    return response


def wants_csv() -> bool:
    """The caller prefers CSV to JSON (`Accept: text/csv`; `*/*` or no Accept means JSON)."""
    best = request.accept_mimetypes.best_match(["application/json", CSV_MIMETYPE])
    return best == CSV_MIMETYPE


class _ExportAll(Exception):
    """Carries a paginated view's full query past `@blp.paginate` to `csv_export`."""

    def __init__(self, query: Any) -> None:
        super().__init__("csv export")
        self.query = query


def page_or_export(query: sa.Select[Any] | list[Any], pagination_parameters: Any) -> list[Any]:
    """One page of `query` for JSON; when `csv_export` is answering with CSV, every row.
    `query` may also be a list already computed (a small aggregate report): it is sliced."""
    if g.get(_EXPORTING):
        raise _ExportAll(query)
    if isinstance(query, list):
        size = pagination_parameters.page_size
        start = (pagination_parameters.page - 1) * size
        pagination_parameters.item_count = len(query)
        return query[start : start + size]
    return paginate_select(query, pagination_parameters)


def _columns(columns: Sequence[Column | str]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(c) for c in columns]


def csv_export(
    columns: Sequence[Column | str], *, filename: str, status: int = 200
) -> Callable[[Any], Any]:
    """Let a list view answer `Accept: text/csv` with every matching row, and document it."""
    cols = _columns(columns)
    header = ",".join(c.name for c in cols)

    def decorator(func: Any) -> Any:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not wants_csv():
                return func(*args, **kwargs)
            setattr(g, _EXPORTING, True)
            try:
                result = func(*args, **kwargs)
            except _ExportAll as export:
                result = export.query
            finally:
                g.pop(_EXPORTING, None)
            if isinstance(result, Response):
                return result
            return csv_response(result, cols, filename)

        wrapper._apidoc = deepcopy(getattr(func, "_apidoc", {}))  # type: ignore[attr-defined]
        csv_doc = {
            "description": (
                f"Send `Accept: {CSV_MIMETYPE}` to download every matching row (not one page) "
                f"as UTF-8 CSV with a BOM, columns: {header}."
            ),
            "content": {CSV_MIMETYPE: {"schema": {"type": "string"}, "example": header + "\r\n"}},
        }
        manual = wrapper._apidoc.setdefault("manual_doc", {})  # type: ignore[attr-defined]
        manual.setdefault("responses", {})[status] = csv_doc
        return wrapper

    return decorator
