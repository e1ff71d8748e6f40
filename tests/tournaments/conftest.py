"""Fixtures for the tournaments tests: the cast (owner, co-organizer, stranger), loading users
into the session, the cancellation signal, and the registrations hook."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deltacrown.core.signals import tournament_cancelled
from deltacrown.tournaments import queries


@pytest.fixture
def owner(make_user: Any) -> Any:
    return make_user(username="owner")


@pytest.fixture
def helper(make_user: Any) -> Any:
    """A user who becomes a co-organizer where a test names them."""
    return make_user(username="helper")


@pytest.fixture
def stranger(make_user: Any) -> Any:
    return make_user(username="stranger")


@pytest.fixture
def load() -> Any:
    """`load(user_info)` → the User row in the current session (service tests)."""
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    return lambda info: db.session.get(User, info.id) if info is not None else None


@pytest.fixture
def cancellations() -> Iterator[list[dict[str, Any]]]:
    """Every `tournament_cancelled` sent during the test, as its keyword arguments."""
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **payload: Any) -> None:
        received.append({"sender": sender, **payload})

    tournament_cancelled.connect(receiver)
    try:
        yield received
    finally:
        tournament_cancelled.disconnect(receiver)


@pytest.fixture
def registrations_exist(app: Any) -> Iterator[set[int]]:
    """Install a registrations probe: the tournament ids added to the set have registrations."""
    from deltacrown.tournaments import ports

    with_registrations: set[int] = set()
    real = ports.registrations.provided(app)

    class Facts:
        def has_registrations(self, tournament_id: int) -> bool:
            return tournament_id in with_registrations

        def is_listed(self, tournament_id: int, user_id: int) -> bool:
            return real.is_listed(tournament_id, user_id) if real else False

        def held_places(self, tournament_id: Any) -> Any:
            return real.held_places(tournament_id) if real else 0

    with ports.registrations.substituted(app, Facts()):
        yield with_registrations


@pytest.fixture
def places_taken(monkeypatch: pytest.MonkeyPatch) -> dict[int, int]:
    """Stand in for the registrations' count of places taken: `places_taken[tid] = n`;
    tournaments not named have 16 (enough for every format's minimum)."""
    counts: dict[int, int] = {}
    monkeypatch.setattr(queries, "count_places_taken", lambda tid: counts.get(tid, 16))
    return counts
