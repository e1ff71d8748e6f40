"""Delete rows together with every row that refers to them, found through the schema's
foreign keys and deleted children first.

For committed data that tests and benchmarks create for real (races across connections, the
Postgres bracket benchmark): whatever other domains wrote in reaction to it (ratings, notices,
payouts, ...) goes with it, without each caller knowing those tables.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.core.db import db


def purge(conn: Any, roots: dict[str, set[Any]]) -> None:
    """Delete the rows `roots` names (table name → ids) and all rows depending on them."""
    tables = db.metadata.sorted_tables
    doomed: dict[str, set[Any]] = {name: set(ids) for name, ids in roots.items()}
    changed = True
    while changed:
        changed = False
        for table in tables:
            if "id" not in table.c:
                continue
            for fk in table.foreign_keys:
                parents = doomed.get(fk.column.table.name)
                if not parents or fk.parent.table is fk.column.table:
                    continue
                found = set(conn.scalars(sa.select(table.c.id).where(fk.parent.in_(parents))))
                new = found - doomed.setdefault(table.name, set())
                if new:
                    doomed[table.name] |= new
                    changed = True
    for table in reversed(tables):
        for fk in table.foreign_keys:  # link tables without an id of their own
            parents = doomed.get(fk.column.table.name)
            if parents and "id" not in table.c:
                conn.execute(sa.delete(table).where(fk.parent.in_(parents)))
        ids = doomed.get(table.name)
        if ids and "id" in table.c:
            for fk in table.foreign_keys:  # self-references (a match's next match) first
                if fk.parent.table is fk.column.table and fk.parent.nullable:
                    conn.execute(
                        sa.update(table).where(table.c.id.in_(ids)).values({fk.parent.name: None})
                    )
            conn.execute(sa.delete(table).where(table.c.id.in_(ids)))
