"""Two ratings of one player at once both count: the first rating of a player is inserted
once (the unique (user, game) decides, the loser of the race reads the winner's row), and
each update reads the rating under a row lock, so neither overwrites the other.

The players are committed for real on PostgreSQL by a separate app (the per-test transaction
would serialise the workers), each worker runs its own unit of work on its own connection,
and everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from deltacrown.app import create_app
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db

pytestmark = pytest.mark.postgres


@pytest.fixture
def racing(database_url: str, is_postgres: bool) -> Iterator[tuple[Flask, list[int], int]]:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    from deltacrown.accounts import services as accounts
    from deltacrown.games.models import Game

    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 4, "max_overflow": 0},
    )
    prefix = f"lb{uuid.uuid4().hex[:6]}"
    with app.test_request_context(), unit_of_work():
        users = [
            accounts.register_user(
                username=f"{prefix}{n}",
                email=f"{prefix}{n}@example.test",
                password="long-enough-pw",
            ).id
            for n in range(2)
        ]
        game_id = db.session.scalar(sa.select(Game.id).where(Game.slug == "valorant"))
    try:
        yield app, users, game_id
    finally:
        engine = sa.create_engine(database_url)
        with engine.begin() as conn:
            for table in ("player_ratings", "audit_entries"):
                column = "user_id" if table == "player_ratings" else "actor_id"
                conn.execute(sa.text(f"DELETE FROM {table} WHERE {column} = ANY(:u)"), {"u": users})  # noqa: S608
            conn.execute(sa.text("DELETE FROM users WHERE id = ANY(:u)"), {"u": users})
        engine.dispose()
        with app.app_context():
            db.engine.dispose()


def test_two_first_ratings_of_a_player_at_once_both_count(racing, monkeypatch):
    from deltacrown.leaderboards import ratings
    from deltacrown.leaderboards.models import PlayerRating

    app, users, game_id = racing
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def rate_once() -> None:
        try:
            with app.app_context(), unit_of_work():
                barrier.wait(timeout=10)
                rows = ratings._current(users, game_id)
                time.sleep(0.2)  # a window between reading and writing
                for row in rows.values():
                    row.matches += 1
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    workers = [threading.Thread(target=rate_once) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    with app.app_context():
        counts = db.session.scalars(
            sa.select(PlayerRating.matches).where(PlayerRating.user_id.in_(users))
        ).all()
        db.session.remove()
    assert sorted(counts) == [2, 2]
