"""Which tables a statement reads from end to end, from PostgreSQL's plan with sequential
scans switched off: PostgreSQL then reads a table whole only where no index can serve the
statement's conditions (a condition like `user_id = :u OR id IN (...)`, or a column without an
index), and such a statement costs what the table holds, whoever sends it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from deltacrown.extensions import db

# Tables whose rows are configuration a person types in (a few dozen at most): reading them
# whole is their cheapest plan at any size.
REFERENCE_TABLES = frozenset({"games", "seasons", "alembic_version"})
INDEX_SCANS = frozenset({"Index Scan", "Index Only Scan"})
EXPLAINED = ("SELECT", "WITH", "UPDATE", "DELETE")  # EXPLAIN without ANALYZE runs none of them


def explained(statements: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The statements worth explaining (reads, updates and deletes; not inserts)."""
    return [(s, p) for s, p in statements if s.lstrip().upper().startswith(EXPLAINED)]


def whole_table_reads(statement: str, parameters: Any) -> set[str]:
    """The tables `statement` reads whole (in an app context, on PostgreSQL)."""
    if isinstance(parameters, list | tuple) and parameters and isinstance(parameters[0], dict):
        parameters = parameters[0]  # an executemany: each row runs the same plan
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    try:
        document = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
        tree = dict(document.scalar_one()[0]["Plan"])
    finally:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
    return set(_scanned_whole(tree, limited=False))


def _scanned_whole(node: dict[str, Any], *, limited: bool) -> Iterator[str]:
    """A sequential scan, or an index read from end to end (no index condition) that filters
    its rows, unless a LIMIT above it stops at the first rows of an index and nothing is
    filtered out (a page in index order)."""
    kind, table = node["Node Type"], node.get("Relation Name")
    if table is not None and table not in REFERENCE_TABLES:
        if kind == "Seq Scan":
            yield table
        elif kind in INDEX_SCANS and "Index Cond" not in node:
            if "Filter" in node or not limited:
                yield table
    limited = limited or kind == "Limit"
    for child in node.get("Plans", ()):
        yield from _scanned_whole(child, limited=limited)
