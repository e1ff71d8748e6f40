"""Teams test fixtures: players with game profiles, teams built through the API, captured
signals and the registrations domain's roster hooks."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.helpers import UserInfo, create_user

_profile_numbers = itertools.count(1)

TEAM_SIGNALS = (
    "team_created",
    "team_updated",
    "team_disbanded",
    "team_invite_sent",
    "team_invite_declined",
    "team_invite_cancelled",
    "team_invite_expired",
    "team_member_joined",
    "team_member_left",
    "team_captain_transferred",
)


def in_game_id(game: str) -> str:
    n = next(_profile_numbers)
    if game == "valorant":
        return f"Tester{n}#T{n:04d}"
    if game == "cs2":
        return f"7656119{n:010d}"
    raise ValueError(game)


def give_profile(app: Any, user_id: int, game: str = "valorant") -> None:
    """Commit (inside the test's transaction) a game profile for the user."""
    from deltacrown.accounts import services
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    with app.test_request_context():
        services.add_game_profile(
            db.session.get(User, user_id), game_ref=game, in_game_id=in_game_id(game)
        )
        db.session.commit()
        db.session.remove()


@pytest.fixture
def make_player(app: Any) -> Any:
    """A user with game profiles (valorant unless told otherwise)."""

    def make(*games: str, **kwargs: Any) -> UserInfo:
        info = create_user(app, **kwargs)
        for game in games or ("valorant",):
            give_profile(app, info.id, game)
        return info

    return make


@pytest.fixture
def make_team(client: Any) -> Any:
    """Create a team through the API; returns its JSON."""
    counter = itertools.count(1)

    def make(captain: UserInfo, game: str = "valorant", **fields: Any) -> dict[str, Any]:
        n = next(counter)
        body = {"name": f"Team Number {n}", "tag": f"TN{n}", "game": game, **fields}
        response = client.post("/api/teams/", json=body, headers=captain.headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make


@pytest.fixture
def invite(client: Any) -> Any:
    def send(team_id: int, by: UserInfo, user_id: int, **fields: Any) -> Any:
        return client.post(
            f"/api/teams/{team_id}/invites/", json={"user": user_id, **fields}, headers=by.headers
        )

    return send


@pytest.fixture
def join(client: Any, invite: Any) -> Any:
    """Invite `user` and have them accept (both must succeed)."""

    def run(team_id: int, captain: UserInfo, user: UserInfo, role: str = "player") -> None:
        sent = invite(team_id, captain, user.id, role=role)
        assert sent.status_code == 201, sent.get_json()
        accepted = client.post(
            f"/api/team-invites/{sent.get_json()['id']}/accept/", headers=user.headers
        )
        assert accepted.status_code == 200, accepted.get_json()

    return run


@pytest.fixture
def received() -> Any:
    """Team signals received during the test, as (signal name, payload) pairs."""
    from deltacrown.core import signals

    events: list[tuple[str, dict[str, Any]]] = []
    connected = []
    for name in TEAM_SIGNALS:
        signal = getattr(signals, name)

        def receiver(sender: Any, _name: str = name, **payload: Any) -> None:
            events.append((_name, payload) if sender == "teams" else (_name, {"sender": sender}))

        signal.connect(receiver)
        connected.append((signal, receiver))
    yield events
    for signal, receiver in connected:
        signal.disconnect(receiver)


@dataclass
class RosterHooks:
    """What the registrations domain will answer: locked rosters and registered teams."""

    locked: dict[int, str] = field(default_factory=dict)
    registered: set[int] = field(default_factory=set)


class FakeTeamRegistrations:
    """`teams.ports.TeamRegistrations` answered from a `RosterHooks`."""

    def __init__(self, hooks: RosterHooks) -> None:
        self.hooks = hooks

    def roster_lock_reason(self, team_id: int) -> str | None:
        return self.hooks.locked.get(team_id)

    def has_active_registration(self, team_id: int) -> bool:
        return team_id in self.hooks.registered


@pytest.fixture
def roster_hooks(app: Any) -> Any:
    from deltacrown.teams import ports

    hooks = RosterHooks()
    with ports.registrations.substituted(app, FakeTeamRegistrations(hooks)):
        yield hooks


def audit_actions(app: Any, team_id: int) -> list[tuple[str, int | None]]:
    """(action, actor id) of the audit entries about a team, oldest first."""
    import sqlalchemy as sa

    from deltacrown.core.audit import AuditEntry
    from deltacrown.extensions import db

    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.actor_id)
            .where(AuditEntry.target_type == "teams", AuditEntry.target_id == team_id)
            .order_by(AuditEntry.id)
        ).all()
        db.session.remove()
    return [(action, actor) for action, actor in rows]


@pytest.fixture
def headers_now(app: Any) -> Any:
    """Bearer headers minted at the (possibly travelled-to) current time."""

    def mint(user: UserInfo) -> dict[str, str]:
        from deltacrown.accounts import tokens
        from deltacrown.accounts.models import User
        from deltacrown.extensions import db

        with app.test_request_context():
            token = tokens.access_token_for(db.session.get(User, user.id))["access_token"]
            db.session.remove()
        return {"Authorization": f"Bearer {token}"}

    return mint
