"""Which tables a statement reads from end to end, from PostgreSQL's plan with sequential
scans (and the joins that read a side whole) switched off: PostgreSQL then reads a table whole
only where no index can serve the statement's conditions (a condition like `user_id = :u OR
id IN (...)`, or a column without an index), and such a statement costs what the table holds,
whoever sends it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from deltacrown.extensions import db

# Tables whose rows are configuration a person types in (a few dozen at most): reading them
# whole is their cheapest plan at any size.
REFERENCE_TABLES = frozenset({"games", "seasons", "alembic_version"})
INDEX_SCANS = frozenset({"Index Scan", "Index Only Scan"})
# Off while a statement is explained: sequential scans, and the joins that read one side whole
# (hash and merge joins). A nested loop looks rows up through an index wherever one serves the
# join: on a test database's few rows the planner would often rather read a table whole, as
# it never would on a large one, so what remains whole is what no index can serve.
PLANNER_SETTINGS = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")
EXPLAINED = ("SELECT", "WITH", "UPDATE", "DELETE")  # EXPLAIN without ANALYZE runs none of them


def _explained(statements: list[tuple[str, Any]], seen: set[str]) -> list[tuple[str, Any]]:
    """The statements worth explaining (reads, updates and deletes; not inserts) whose text is
    not in `seen` (the texts already explained), which they join."""
    found = []
    for statement, parameters in statements:
        if statement.lstrip().upper().startswith(EXPLAINED) and statement not in seen:
            seen.add(statement)
            found.append((statement, parameters))
    return found


class WholeReads:
    """What a probe found read whole: (what ran, table) -> the statement, each statement text
    explained once (per rule)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.found: dict[tuple[str, str], str] = {}
        self._texts: dict[bool, set[str]] = {True: set(), False: set()}

    def check(
        self,
        where: str,
        statements: list[tuple[str, Any]],
        *,
        note: str = "",
        paged_filters: bool = True,
    ) -> None:
        """Explain what `where` (an operation, a job) sent; see `whole_table_reads`."""
        for statement, parameters in _explained(statements, self._texts[paged_filters]):
            with self.app.app_context():
                for table in whole_table_reads(statement, parameters, paged_filters=paged_filters):
                    self.found.setdefault((where, table), f"{note}{statement[:300]}")

    def assert_only(self, listed: dict[tuple[str, str], str]) -> None:
        """Nothing read whole but what `listed` names with its reason, and all it names."""
        unexpected = {key: seen for key, seen in self.found.items() if key not in listed}
        assert not unexpected, "\n\n".join(
            f"{where} reads all of {table}: {seen}" for (where, table), seen in unexpected.items()
        )
        stale = listed.keys() - self.found.keys()
        assert not stale, f"listed as read whole but no longer read whole: {sorted(stale)}"


def whole_table_reads(statement: str, parameters: Any, *, paged_filters: bool = True) -> set[str]:
    """The tables `statement` reads whole (in an app context, on PostgreSQL). With
    `paged_filters` off, a page read in index order that filters its rows passes: a filter a
    person chose (a status, a category) keeps many rows of a large table."""
    if isinstance(parameters, list | tuple) and parameters and isinstance(parameters[0], dict):
        parameters = parameters[0]  # an executemany: each row runs the same plan
    connection = db.session.connection()
    for setting in PLANNER_SETTINGS:
        connection.exec_driver_sql(f"SET LOCAL {setting} = off")
    try:
        document = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
        tree = dict(document.scalar_one()[0]["Plan"])
    finally:
        for setting in PLANNER_SETTINGS:
            connection.exec_driver_sql(f"SET LOCAL {setting} = on")
    return set(_scanned_whole(tree, limited=False, paged_filters=paged_filters))


def _scanned_whole(node: dict[str, Any], *, limited: bool, paged_filters: bool) -> Iterator[str]:
    """A sequential scan, or an index read from end to end (no index condition) that filters
    its rows, unless a LIMIT above it stops at the first rows of an index and nothing is
    filtered out (a page in index order)."""
    kind, table = node["Node Type"], node.get("Relation Name")
    if table is not None and table not in REFERENCE_TABLES:
        if kind == "Seq Scan":
            yield table
        elif kind in INDEX_SCANS and "Index Cond" not in node:
            if not limited or ("Filter" in node and paged_filters):
                yield table
    limited = limited or kind == "Limit"
    for child in node.get("Plans", ()):
        yield from _scanned_whole(child, limited=limited, paged_filters=paged_filters)
