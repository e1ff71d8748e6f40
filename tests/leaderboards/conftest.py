"""Fixtures for the leaderboards tests: each test starts with empty boards (the database
rolls back, a Redis does not), the brackets suite's solo cups and API helpers, and the
session's Celery app as the current one (the API flows run their reactions eagerly)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.brackets_api.conftest import (  # noqa: F401  (fixtures)
    api,
    cup,
    organizer,
    stranger,
)
from tests.teams.conftest import give_profile, make_player  # noqa: F401  (fixtures)


def clear_boards(app: Any) -> None:
    from deltacrown.leaderboards import store

    with app.app_context():
        boards = store.get_store()
        if isinstance(boards, store.RedisStore):
            keys = list(boards.r.scan_iter(match=f"{store.key_prefix()}*", count=1000))
            if keys:
                boards.r.delete(*keys)
        else:
            app.extensions[store.EXTENSION] = store.MemoryStore()


@pytest.fixture(autouse=True)
def _fresh_boards(app: Any) -> Iterator[None]:
    clear_boards(app)
    yield
    clear_boards(app)


@pytest.fixture(autouse=True)
def _session_celery(app: Any) -> Iterator[None]:
    celery = app.extensions["celery"]
    celery.set_current()
    celery.set_default()
    yield


def set_tier(app: Any, tournament_id: int, tier: str) -> None:
    """Staff's call: rate a tournament (committed inside the test's transaction)."""
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament, TournamentTier

    with app.app_context():
        db.session.get(Tournament, tournament_id).tier = TournamentTier(tier)
        db.session.commit()
        db.session.remove()
