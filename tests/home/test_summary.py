"""GET /api/me/summary/: a phone home screen in one call, in a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from deltacrown.extensions import db


@contextmanager
def counted_queries(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    target = engine if isinstance(engine, sa.Engine) else engine.engine
    event.listen(target, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", record)


def summary(client: Any, user: Any) -> Any:
    response = client.get("/api/me/summary/", headers=user.headers)
    assert response.status_code == 200, response.get_json()
    return response


def test_a_new_user_has_an_empty_summary(client: Any, make_player: Any) -> None:
    body = summary(client, make_player()).get_json()
    assert body == {
        "next_match": None,
        "unread_notifications": 0,
        "open_invites": [],
        "active_registrations": [],
        "wallet": {"balance": 0, "held": 0, "available": 0},
    }


def test_the_summary_shows_the_next_match_invites_and_registrations_in_constant_queries(
    app: Any, client: Any, cup: Any, api: Any, make_player: Any, make_team: Any
) -> None:
    newcomer = make_player()
    summary(client, newcomer)  # the sign-in checks' own cache (sanctions) is warm from now on
    with counted_queries(app) as empty:
        summary(client, newcomer)
    cups = [cup(4), cup(4)]
    for c in cups:
        api.generated(c.id)
        assert api.start(c.id).status_code == 200
    player = cups[0].players[0]
    for _ in range(3):
        captain = make_player()
        team = make_team(captain)
        invited = client.post(
            f"/api/teams/{team['id']}/invites/", json={"user": player.id}, headers=captain.headers
        )
        assert invited.status_code == 201, invited.get_json()
    summary(client, player)
    with counted_queries(app) as busy:
        body = summary(client, player).get_json()
    assert len(busy) == len(empty)
    assert body["next_match"]["tournament_id"] == cups[0].id
    assert body["next_match"]["status"] in ("ready", "live")
    assert [r["tournament_id"] for r in body["active_registrations"]] == [cups[0].id]
    assert len(body["open_invites"]) == 3
    assert body["unread_notifications"] >= 1  # the invites notified the player


def test_the_summary_answers_304_while_nothing_changed(client: Any, make_player: Any) -> None:
    user = make_player()
    first = summary(client, user)
    again = client.get(
        "/api/me/summary/", headers={**user.headers, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert first.headers["Cache-Control"] == "private, no-store"
