"""Fixtures for the match-lifecycle tests: a started best-of-3 single-elimination cup (the
brackets suite's cast and helpers), and API helpers for every match and dispute endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.brackets_api.conftest import (  # noqa: F401  (fixtures)
    all_matches,
    api,
    co_organizer,
    organizer,
    stranger,
)
from tests.brackets_api.conftest import cup as any_cup  # noqa: F401  (fixture)
from tests.teams.conftest import give_profile, make_player  # noqa: F401  (fixtures)

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _session_celery(app: Any) -> Iterator[None]:
    """Tasks run on the current Celery app, which the last `create_app()` set (other suites
    build apps of their own): point it at the session's app around each test."""
    celery = app.extensions["celery"]
    celery.set_current()
    celery.set_default()
    yield
    celery.set_current()
    celery.set_default()


@dataclass
class Play:
    """A started cup; `matches` by code (`W1.1` ...), each with its two registration ids."""

    cup: Any
    matches: dict[str, dict[str, Any]]

    def ids(self, code: str) -> tuple[int, int]:
        first, second = self.matches[code]["participants"]
        return first["registration_id"], second["registration_id"]

    def player(self, registration_id: int) -> Any:
        return self.cup.player_of(registration_id)

    def sides(self, code: str) -> tuple[Any, Any]:
        a, b = self.ids(code)
        return self.player(a), self.player(b)


@pytest.fixture
def cup(any_cup: Any) -> Any:  # noqa: F811
    """The brackets suite's `cup(n, **tournament fields)`, whose ready matches wait to be
    started or checked into (`auto_start_matches` off) unless the test says otherwise: the
    tests here drive each step of a match themselves (`test_waiting_matches` covers matches
    that start by themselves)."""

    def build(n: int, **fields: Any) -> Any:
        fields.setdefault("auto_start_matches", False)
        return any_cup(n, **fields)

    return build


@pytest.fixture
def started(cup: Any, api: Any) -> Any:  # noqa: F811
    """`started(n=4, best_of=3, **tournament fields)`: a started single-elimination cup."""

    def build(n: int = 4, best_of: int = 3, **fields: Any) -> Play:
        c = cup(n, format="single_elimination", **fields)
        document = api.generated(c.id, options={"best_of": best_of})
        response = api.start(c.id)
        assert response.status_code == 200, response.get_json()
        return Play(c, all_matches(document))

    return build


@pytest.fixture
def m(client: Any, organizer: Any) -> Any:  # noqa: F811
    return MatchApi(client, organizer.headers)


class MatchApi:
    """One method per endpoint; `headers` acts as someone else (default: the organizer)."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def _h(self, headers: Any) -> Any:
        return self.headers if headers is None else headers

    def get(self, match_id: int, headers: Any = None) -> Any:
        return self.client.get(f"/api/matches/{match_id}/", headers=self._h(headers))

    def patch(self, match_id: int, headers: Any = None, **body: Any) -> Any:
        return self.client.patch(f"/api/matches/{match_id}/", json=body, headers=self._h(headers))

    def events(self, match_id: int, headers: Any = None, **query: Any) -> Any:
        return self.client.get(
            f"/api/matches/{match_id}/events/", query_string=query, headers=self._h(headers)
        )

    def post(
        self, match_id: int, action: str, headers: Any = None, query: Any = None, **body: Any
    ) -> Any:
        return self.client.post(
            f"/api/matches/{match_id}/{action}/",
            json=body,
            query_string=query or {},
            headers=self._h(headers),
        )

    def check_in(self, match_id: int, headers: Any = None) -> Any:
        return self.post(match_id, "check-in", headers)

    def start(self, match_id: int, headers: Any = None) -> Any:
        return self.post(match_id, "start", headers)

    def submit(
        self, match_id: int, games: list[tuple[int, int]], headers: Any = None, **extra: Any
    ) -> Any:
        body = [{"p1": a, "p2": b} for a, b in games]
        return self.post(match_id, "submit-result", headers, games=body, **extra)

    def confirm(self, match_id: int, headers: Any = None) -> Any:
        return self.post(match_id, "confirm-result", headers)

    def dispute(self, match_id: int, reason: str, headers: Any = None, **extra: Any) -> Any:
        return self.post(match_id, "dispute", headers, reason=reason, **extra)

    def override(
        self,
        match_id: int,
        games: list[tuple[int, int]],
        headers: Any = None,
        dry_run: bool = False,
        **extra: Any,
    ) -> Any:
        body = [{"p1": a, "p2": b} for a, b in games]
        query = {"dry_run": "true"} if dry_run else {}
        return self.post(match_id, "override-result", headers, query, games=body, **extra)

    def forfeit(self, match_id: int, loser: int, headers: Any = None, reason: str = "left") -> Any:
        return self.post(match_id, "forfeit", headers, loser=loser, reason=reason)

    def cancel(self, match_id: int, headers: Any = None, reason: str = "server down") -> Any:
        return self.post(match_id, "cancel", headers, reason=reason)

    def disputes(self, headers: Any = None, **query: Any) -> Any:
        return self.client.get("/api/disputes/", query_string=query, headers=self._h(headers))

    def dispute_get(self, dispute_id: int, headers: Any = None) -> Any:
        return self.client.get(f"/api/disputes/{dispute_id}/", headers=self._h(headers))

    def dispute_post(self, dispute_id: int, action: str, headers: Any = None, **body: Any) -> Any:
        return self.client.post(
            f"/api/disputes/{dispute_id}/{action}/", json=body, headers=self._h(headers)
        )

    def live(self, match_id: int, headers: Any = None) -> dict[str, Any]:
        """Start the match as the organizer; its detail."""
        response = self.start(match_id, headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def schedule(self, match_id: int, at: datetime) -> dict[str, Any]:
        response = self.patch(match_id, scheduled_at=at.isoformat())
        assert response.status_code == 200, response.get_json()
        return response.get_json()


REASON = "The screenshot shows we won the second map 13 to 11."
IN_AN_HOUR = timedelta(hours=1)


def live_semi(play: Play, m: MatchApi, code: str = "W1.1") -> int:
    """Start the match `code` as the organizer; its id."""
    match_id = play.matches[code]["id"]
    m.live(match_id)
    return match_id


def submitted(play: Play, m: MatchApi, games: Any = ((13, 9), (13, 4)), code: str = "W1.1") -> int:
    """Start the match `code` and submit `games` as its first side; its id."""
    match_id = live_semi(play, m, code)
    response = m.submit(match_id, list(games), play.sides(code)[0].headers)
    assert response.status_code == 200, response.get_json()
    return match_id
