"""The query planner's view of a Select: `EXPLAIN (FORMAT JSON)` on PostgreSQL.

`plan(query)` returns the plan tree (the `Plan` object of PostgreSQL's JSON output) and
`estimated_rows(query)` the planner's row estimate, which a list uses for its total once an
exact count would cost more than the page (see `core.pagination`). The EXPLAIN tests in
tests/performance read the same plan to prove a list reads an index, not the whole table.
On other databases both answer None.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.visitors import InternalTraversal

from deltacrown.core.db import db


class Explain(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON) <statement>`, the statement's parameters bound as usual."""

    # Cached like any statement (by the explained statement's structure): compiling a list's
    # Select costs more than the EXPLAIN itself.
    inherit_cache = True
    _traverse_internals = [
        ("statement", InternalTraversal.dp_clauseelement),
        ("analyze", InternalTraversal.dp_boolean),
    ]

    def __init__(self, statement: Any, *, analyze: bool = False) -> None:
        self.statement = statement
        self.analyze = analyze

    @property
    def _all_selected_columns(self) -> list[Any]:
        # What a cached result maps its columns by: the plan is read by position.
        return []


@compiles(Explain, "postgresql")
def _compile_explain(element: Explain, compiler: Any, **kw: Any) -> str:
    options = "ANALYZE, FORMAT JSON" if element.analyze else "FORMAT JSON"
    return f"EXPLAIN ({options}) " + compiler.process(element.statement, **kw)


def plan(query: sa.Select[Any], *, analyze: bool = False) -> dict[str, Any] | None:
    """The plan tree PostgreSQL would run `query` with (None on other databases)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    document = db.session.execute(Explain(query, analyze=analyze)).scalar_one()
    return dict(document[0]["Plan"])


def estimated_rows(query: sa.Select[Any]) -> int | None:
    """The planner's estimate of how many rows `query` returns (None on other databases)."""
    tree = plan(query)
    return None if tree is None else int(tree["Plan Rows"])


def nodes(tree: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a plan tree, depth first."""
    yield tree
    for child in tree.get("Plans", ()):
        yield from nodes(child)
