"""Fixtures of the performance tests: SQL statements seen per request, and a seeded table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from deltacrown.extensions import db
from tests.helpers import create_user
from tests.performance.seed import insert_tournaments, tournament_rows

SEEDED = 2000


@contextmanager
def statements_seen() -> Iterator[list[tuple[str, Any]]]:
    """Every statement sent to the database meanwhile, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    sa.event.listen(Engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(Engine, "before_cursor_execute", listener)


@pytest.fixture
def many_tournaments(app: Any) -> dict[str, Any]:
    """SEEDED tournaments by 4 organizers, the table analyzed."""
    owners = [create_user(app, username=f"perf{n}") for n in range(4)]
    with app.app_context():
        insert_tournaments(tournament_rows(SEEDED, [owner.id for owner in owners]))
        db.session.commit()
        db.session.remove()
    return {"owners": owners}
