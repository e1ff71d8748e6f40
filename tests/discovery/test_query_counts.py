"""Every list endpoint of this issue runs the same number of SQL queries for a page of 1 and a
page of 100 (no N+1): counted with a SQLAlchemy `before_cursor_execute` listener."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from deltacrown.accounts.models import User
from deltacrown.extensions import db
from deltacrown.tournaments import services
from tests.factories import build_tournament
from tests.helpers import create_user
from tests.organizer.seed import add_registration, add_team

COUNT = 24


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa.event.listen(Engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(Engine, "before_cursor_execute", listener)


@pytest.fixture
def crowd(app):
    """COUNT listed tournaments, each by its own organizer with a co-organizer, and one
    tournament with COUNT registrations (solo and team)."""
    owners = [create_user(app, username=f"org{n}") for n in range(COUNT)]
    helpers = [create_user(app, username=f"co{n}") for n in range(COUNT)]
    with app.app_context():
        ids = []
        for n, (owner, helper) in enumerate(zip(owners, helpers, strict=True)):
            tournament = build_tournament(
                owner.id,
                status="registration_open",
                name=f"Cup {n:02d}",
                description="Crowded cup",
                max_participants=64,
            )
            services.add_organizer(
                tournament.id, actor=db.session.get(User, owner.id), user_id=helper.id
            )
            ids.append(tournament.id)
        for n, player in enumerate(helpers):
            if n % 2:
                team = add_team(player.id, f"Team {n}", f"T{n}")
                add_registration(ids[0], team_id=team.id, members=[player.id])
            else:
                add_registration(ids[0], user_id=player.id)
        db.session.commit()
        db.session.remove()
    return {"first": ids[0], "owner": owners[0]}


def queries_for(client, path, page_size, headers=None, **params):
    with counting() as statements:
        response = client.get(
            path, query_string={"page_size": page_size, **params}, headers=headers or {}
        )
    assert response.status_code == 200, response.get_json()
    return len(statements), len(response.get_json())


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/tournaments/", {}),
        ("/api/tournaments/", {"has_slots": "true", "game": "valorant"}),
        ("/api/tournaments/search/", {"q": "crowded cu"}),
        ("/api/tournaments/upcoming/", {}),
        ("/api/tournaments/by-game/1/", {}),
    ],
)
def test_discovery_lists_run_a_constant_number_of_queries(client, crowd, path, params):
    small, one = queries_for(client, path, 1, **params)
    large, many = queries_for(client, path, 100, **params)
    assert (one, many) == (1, COUNT)
    # A full first page also counts the total; a first page that is not full is the total.
    assert small - 1 == large <= 3


def test_my_tournaments_run_a_constant_number_of_queries(client, crowd):
    headers = crowd["owner"].headers
    # The first request with a token reads the account's sanctions once; they are cached then.
    assert client.get("/api/auth/me/", headers=headers).status_code == 200
    small, _ = queries_for(client, "/api/tournaments/", 1, headers, mine="true")
    large, _ = queries_for(client, "/api/tournaments/", 100, headers, mine="true")
    assert small - 1 == large <= 4


def test_participants_run_a_constant_number_of_queries(client, crowd):
    path = f"/api/organizer/tournaments/{crowd['first']}/participants/"
    headers = crowd["owner"].headers
    # The first request with a token reads the account's sanctions once; they are cached then.
    assert client.get("/api/auth/me/", headers=headers).status_code == 200
    small, one = queries_for(client, path, 1, headers)
    large, many = queries_for(client, path, 100, headers)
    assert (one, many) == (1, COUNT)
    assert small - 1 == large <= 5
