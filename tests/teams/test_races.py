"""Concurrent requests on PostgreSQL: the unique indexes and the team row lock decide, and
every loser gets its specific 409, never a 500.

Setup is committed through a separate app on real connections (the per-test transaction
would serialise the workers) and removed again afterwards.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.app import create_app
from tests.helpers import LiveServer, UserInfo, create_user
from tests.teams.conftest import give_profile

pytestmark = pytest.mark.postgres


class Race:
    """A live server on its own app, players committed for real, and the cleanup."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
        self.user_ids: list[int] = []
        self.prefix = f"r{uuid.uuid4().hex[:6]}"

    def player(self, *games: str) -> UserInfo:
        info = create_user(self.app, username=f"{self.prefix}{len(self.user_ids)}")
        self.user_ids.append(info.id)
        for game in games or ("valorant",):
            give_profile(self.app, info.id, game)
        return info

    def commit(self, work: Any) -> Any:
        """Run `work()` in the race app and commit; returns what it returns (ids, not rows)."""
        from deltacrown.extensions import db

        with self.app.test_request_context():
            result = work()
            db.session.commit()
            db.session.remove()
        return result

    def team(self, captain: UserInfo, name: str, tag: str) -> int:
        from deltacrown.accounts.models import User
        from deltacrown.extensions import db
        from deltacrown.teams import services

        return self.commit(
            lambda: (
                services.create_team(
                    actor=db.session.get(User, captain.id), game_ref="valorant", name=name, tag=tag
                ).id
            )
        )

    def invite(self, team_id: int, captain: UserInfo, user: UserInfo) -> int:
        from deltacrown.accounts.models import User
        from deltacrown.extensions import db
        from deltacrown.teams import invites

        return self.commit(
            lambda: (
                invites.send_invite(
                    team_id, actor=db.session.get(User, captain.id), user_id=user.id
                ).id
            )
        )

    def fire(
        self, requests: list[tuple[str, str, Any, UserInfo]]
    ) -> list[tuple[int, dict[str, Any]]]:
        """Send every (method, path, body, user) at once; (status, body) per request."""
        results: list[tuple[int, dict[str, Any]]] = []
        lock = threading.Lock()
        start = threading.Barrier(len(requests))

        def send(base: str, method: str, path: str, body: Any, who: UserInfo) -> None:
            data = json.dumps(body).encode() if body is not None else None
            request = urllib.request.Request(
                base + path,
                data=data,
                method=method,
                headers={"Content-Type": "application/json", **who.headers},
            )
            start.wait()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    result = (response.status, json.load(response))
            except urllib.error.HTTPError as error:
                result = (error.code, json.load(error))
            with lock:
                results.append(result)

        with LiveServer(self.app) as server:
            threads = [threading.Thread(target=send, args=(server.url, *r)) for r in requests]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        assert len(results) == len(requests)
        return results

    def scalar(self, sql: str, **params: Any) -> Any:
        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.text(sql), params).scalar()
        finally:
            engine.dispose()

    def cleanup(self) -> None:
        from deltacrown.extensions import db

        engine = sa.create_engine(self.database_url)
        users = {"users": self.user_ids or [-1]}
        with engine.begin() as conn:
            team_ids = [
                row[0]
                for row in conn.execute(
                    sa.text(
                        "SELECT id FROM teams WHERE captain_id = ANY(:users) UNION "
                        "SELECT team_id FROM team_memberships WHERE user_id = ANY(:users)"
                    ),
                    users,
                )
            ] or [-1]
            ids = {**users, "teams": team_ids}
            conn.execute(
                sa.text(
                    "DELETE FROM audit_entries WHERE actor_id = ANY(:users) "
                    "OR (target_type = 'teams' AND target_id = ANY(:teams))"
                ),
                ids,
            )
            conn.execute(
                sa.text(
                    "DELETE FROM team_invites WHERE team_id = ANY(:teams) OR user_id = ANY(:users)"
                ),
                ids,
            )
            conn.execute(
                sa.text(
                    "DELETE FROM team_memberships WHERE team_id = ANY(:teams) OR user_id = ANY(:users)"
                ),
                ids,
            )
            conn.execute(sa.text("DELETE FROM teams WHERE id = ANY(:teams)"), ids)
            conn.execute(sa.text("DELETE FROM users WHERE id = ANY(:users)"), users)
        engine.dispose()
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture
def race(database_url: str, is_postgres: bool) -> Any:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    race = Race(database_url)
    try:
        yield race
    finally:
        race.cleanup()


def test_simultaneous_creations_of_one_name_give_one_team(race):
    founders = [race.player() for _ in range(6)]
    name = f"Race {race.prefix}"
    results = race.fire(
        [
            ("POST", "/api/teams/", {"name": name, "tag": f"R{n}", "game": "valorant"}, who)
            for n, who in enumerate(founders)
        ]
    )
    assert sorted(status for status, _ in results) == [201] + [409] * 5, results
    assert {body["code"] for status, body in results if status == 409} == {"team_name_taken"}
    assert (
        race.scalar(
            "SELECT count(*) FROM teams WHERE name_key = :k AND is_active", k=name.casefold()
        )
        == 1
    )


def test_accepting_invites_from_two_teams_at_once_joins_one(race):
    captains = [race.player() for _ in range(3)]
    player = race.player()
    invites = [
        race.invite(race.team(c, f"Side {n} {race.prefix}", f"S{n}"), c, player)
        for n, c in enumerate(captains)
    ]
    results = race.fire(
        [("POST", f"/api/team-invites/{invite_id}/accept/", None, player) for invite_id in invites]
    )
    assert sorted(status for status, _ in results) == [200, 409, 409], results
    assert {body["code"] for status, body in results if status == 409} == {"already_in_team"}
    assert (
        race.scalar(
            "SELECT count(*) FROM team_memberships WHERE user_id = :u AND status = 'active'",
            u=player.id,
        )
        == 1
    )


def test_simultaneous_invites_never_overfill_the_roster(race):
    captain = race.player()
    team_id = race.team(captain, f"Full {race.prefix}", "FULL")
    targets = [race.player() for _ in range(10)]
    results = race.fire(
        [
            ("POST", f"/api/teams/{team_id}/invites/", {"user": target.id}, captain)
            for target in targets
        ]
    )
    assert sorted(status for status, _ in results) == [201] * 7 + [409] * 3, results
    assert {body["code"] for status, body in results if status == 409} == {"roster_full"}
    assert (
        race.scalar(
            "SELECT count(*) FROM team_invites WHERE team_id = :t AND status = 'pending'", t=team_id
        )
        == 7
    )
