"""Fixtures for the bracket persistence and API tests: the cast (organizer, co-organizer, a
stranger, staff), solo cups with confirmed registrations, and API helpers to generate, read
and play a bracket through."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from tests.factories import make_tournament
from tests.helpers import UserInfo, create_user
from tests.teams.conftest import give_profile, make_player  # noqa: F401  (fixtures)


@dataclass
class Cup:
    """A tournament and its players; `registrations[i]` is `players[i]`'s registration id."""

    id: int
    players: list[UserInfo]
    registrations: list[int]

    def player_of(self, registration_id: int) -> UserInfo:
        return self.players[self.registrations.index(registration_id)]


@pytest.fixture
def organizer(make_user: Any) -> UserInfo:
    return make_user(username="organizer")


@pytest.fixture
def co_organizer(make_user: Any) -> UserInfo:
    return make_user(username="coorg")


@pytest.fixture
def stranger(make_user: Any) -> UserInfo:
    return make_user(username="stranger")


def add_co_organizer(app: Any, tournament_id: int, owner: UserInfo, user: UserInfo) -> None:
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db
    from deltacrown.tournaments import services

    with app.app_context():
        services.add_organizer(tournament_id, actor=db.session.get(User, owner.id), user_id=user.id)
        db.session.commit()
        db.session.remove()


def register_players(app: Any, tournament_id: int, players: list[UserInfo]) -> list[int]:
    """Register each player through the service (committed); their registration ids."""
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db
    from deltacrown.registrations import services
    from deltacrown.tournaments.models import Tournament

    with app.app_context():
        code = db.session.get(Tournament, tournament_id).invite_code
        ids = [
            services.register(tournament_id, actor=db.session.get(User, p.id), invite_code=code).id
            for p in players
        ]
        db.session.commit()
        db.session.remove()
    return ids


def close_registration(app: Any, tournament_id: int, owner: UserInfo) -> None:
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db
    from deltacrown.tournaments import services

    with app.app_context():
        services.close_registration(tournament_id, actor=db.session.get(User, owner.id))
        db.session.commit()
        db.session.remove()


_gamers = itertools.count(1)


def gamer(app: Any, game: str) -> UserInfo:
    """A user with a game profile for a game the teams' helper has no ids for (pubg-mobile)."""
    from deltacrown.accounts import services
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    info = create_user(app)
    with app.test_request_context():
        n = next(_gamers)
        services.add_game_profile(
            db.session.get(User, info.id), game_ref=game, in_game_id=f"BrkGamer{n:04d}"
        )
        db.session.commit()
        db.session.remove()
    return info


@pytest.fixture
def cup(app: Any, organizer: UserInfo, make_player: Any) -> Any:  # noqa: F811
    """`cup(n, format=..., status=..., **tournament fields)`: a solo Valorant tournament with
    n confirmed players, registration closed unless `status="registration_open"`."""

    def build(n: int, *, status: str = "registration_closed", **overrides: Any) -> Cup:
        fields: dict[str, Any] = {
            "participant_type": "solo",
            "max_participants": max(n, 4),
            **overrides,
        }
        tournament_id = make_tournament(app, organizer.id, status="registration_open", **fields)
        game = fields.get("game", "valorant")
        players = [make_player() if game == "valorant" else gamer(app, game) for _ in range(n)]
        registrations = register_players(app, tournament_id, players)
        if status == "registration_closed":
            close_registration(app, tournament_id, organizer)
        return Cup(tournament_id, players, registrations)

    return build


@pytest.fixture
def api(client: Any, organizer: UserInfo) -> Any:
    """API helpers acting as the organizer unless given other headers."""
    return BracketApi(client, organizer.headers)


class BracketApi:
    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def generate(self, tournament_id: int, headers: Any = None, **body: Any) -> Any:
        return self.client.post(
            f"/api/tournaments/{tournament_id}/bracket/generate/",
            json=body,
            headers=self.headers if headers is None else headers,
        )

    def generated(self, tournament_id: int, **body: Any) -> dict[str, Any]:
        response = self.generate(tournament_id, **body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def bracket(self, tournament_id: int, headers: Any = None, **query: Any) -> Any:
        return self.client.get(
            f"/api/tournaments/{tournament_id}/bracket/",
            query_string=query,
            headers=self.headers if headers is None else headers,
        )

    def start(self, tournament_id: int, headers: Any = None) -> Any:
        return self.client.post(
            f"/api/tournaments/{tournament_id}/start/",
            headers=self.headers if headers is None else headers,
        )

    def matches(self, tournament_id: int, headers: Any = None, **query: Any) -> Any:
        return self.client.get(
            f"/api/tournaments/{tournament_id}/matches/",
            query_string={"page_size": 100, **query},
            headers=self.headers if headers is None else headers,
        )

    def standings(self, tournament_id: int, headers: Any = None, **query: Any) -> Any:
        return self.client.get(
            f"/api/tournaments/{tournament_id}/standings/",
            query_string=query,
            headers=self.headers if headers is None else headers,
        )

    def result(
        self,
        match_id: int,
        winner: int | None,
        scores: list[list[int]] | None = None,
        headers: Any = None,
        **extra: Any,
    ) -> Any:
        body = {"winner_registration_id": winner, "scores": scores or [], **extra}
        return self.client.post(
            f"/api/matches/{match_id}/result/",
            json=body,
            headers=self.headers if headers is None else headers,
        )

    def correction(self, match_id: int, winner: int, preview: bool = False, **extra: Any) -> Any:
        path = "correction/preview/" if preview else "correction/"
        body = {"winner_registration_id": winner, "scores": [], **extra}
        return self.client.post(f"/api/matches/{match_id}/{path}", json=body, headers=self.headers)

    def ready(self, tournament_id: int) -> list[dict[str, Any]]:
        response = self.matches(tournament_id, status="ready")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def playable(self, tournament_id: int) -> list[dict[str, Any]]:
        """The matches waiting for a result: ready, or live (started by themselves, the
        tournament's `auto_start_matches`)."""
        live = self.matches(tournament_id, status="live")
        assert live.status_code == 200, live.get_json()
        return sorted(self.ready(tournament_id) + live.get_json(), key=lambda m: m["id"])

    def play(self, tournament_id: int, pick: Any = None) -> int:
        """Play every match waiting for a result until none is left; `pick(match)` names
        the winner (by default the better seed). Returns the number of results entered."""
        played = 0
        while True:
            ready = self.playable(tournament_id)
            if not ready:
                return played
            for match in ready:
                winner = pick(match) if pick else better_seed(match)
                response = self.result(match["id"], winner, won_by(match, winner))
                assert response.status_code == 200, response.get_json()
                played += 1


def won_by(match: dict[str, Any], winner: int) -> list[list[int]]:
    """One game's scores, in slot order, that `winner` won."""
    first = match["participants"][0]["registration_id"]
    return [[13, 5]] if winner == first else [[5, 13]]


def better_seed(match: dict[str, Any]) -> int:
    first, second = match["participants"]
    return first["registration_id"] if first["seed"] < second["seed"] else second["registration_id"]


def all_matches(bracket: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every match of a bracket document by its code, with its round attached."""
    found = {}
    for stage in bracket["stages"]:
        for rnd in stage["rounds"]:
            for match in rnd["matches"]:
                found[match["code"]] = {**match, "round": rnd}
    return found


def db_scalar(app: Any, statement: Any) -> Any:
    from deltacrown.extensions import db

    with app.app_context():
        value = db.session.scalar(statement)
        db.session.remove()
    return value


def started(cup: Any, api: Any, n: int, **generate: Any) -> tuple[Any, dict[str, Any]]:
    """A cup of n players with a generated bracket, started; (cup, matches by code).
    `auto_start_matches=False` keeps its ready matches waiting for a start."""
    fmt = generate.pop("format", "single_elimination")
    c = cup(n, format=fmt, auto_start_matches=generate.pop("auto_start_matches", True))
    document = api.generated(c.id, **generate)
    assert api.start(c.id).status_code == 200
    return c, all_matches(document)


def play(api: Any, match: dict[str, Any], slot: int = 0, **extra: Any) -> Any:
    """Enter a result won by the side in `slot` (as the organizer); the match's detail."""
    winner = match["participants"][slot]["registration_id"]
    response = api.result(match["id"], winner, won_by(match, winner), **extra)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def tournament_status(client: Any, tournament_id: int, headers: Any) -> str:
    return client.get(f"/api/tournaments/{tournament_id}/", headers=headers).get_json()["status"]


__all__ = [
    "Cup",
    "all_matches",
    "better_seed",
    "db_scalar",
    "play",
    "sa",
    "started",
    "tournament_status",
    "won_by",
]
