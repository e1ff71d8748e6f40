"""A realistic mix against server mode: browse, search, detail, sign up, register, check in,
submit and confirm results, follow matches live.

Run by bench/locust/run.py (which makes the world and the servers); by hand:
`LOCUST_WORLD=world.json locust -f bench/locust/locustfile.py --host http://127.0.0.1:8181`.

| user | weight | does |
| --- | --- | --- |
| `Spectator` | 12 | the public list (default, filtered, ordered, keyset), search, a detail, a bracket, standings |
| `Newcomer` | 1 | signs up, signs in, adds a game profile, registers for the open tournament, checks in, reads its registrations |
| `Competitor` | 3 | signs in as both sides of a match of the live cup: both check in (if it waits for them), one submits, the other confirms |
| `Follower` | 4 | follows the live cup (its tournament channel, or one match's) for 15 s; each event's delivery time (arrival minus the event's `ts`) is reported as `WS match event` |

Every request is named by its route template, so the statistics group by endpoint.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import time
from datetime import UTC, datetime
from typing import Any

import websocket  # websocket-client (a locust dependency), cooperative under gevent
from locust import HttpUser, between, events, task

WORLD: dict[str, Any] = json.loads(open(os.environ["LOCUST_WORLD"], encoding="utf-8").read())  # noqa: SIM115
MATCHES: list[dict[str, Any]] = list(WORLD["matches"])
random.shuffle(MATCHES)
SEARCH_WORDS = ("cup", "open", "bench", "league", "dhaka", "masters")
ORDERINGS = ("start_at", "-prize_pool", "name", "-created_at")


def _ok(response: Any, *statuses: int) -> None:
    if response.status_code not in (statuses or (200,)):
        response.failure(f"{response.status_code}: {response.text[:200]}")
    else:
        response.success()


class Spectator(HttpUser):
    weight = 12
    wait_time = between(0.5, 2.0)

    @task(4)
    def browse_list(self) -> None:
        choice = random.random()  # noqa: S311
        if choice < 0.4:
            path, name = "/api/tournaments/?page_size=20", "/api/tournaments/"
        elif choice < 0.7:
            ordering = random.choice(ORDERINGS)  # noqa: S311
            path = f"/api/tournaments/?status=registration_open&ordering={ordering}&page_size=20"
            name = "/api/tournaments/?status&ordering"
        else:
            path, name = "/api/tournaments/?cursor=&page_size=20", "/api/tournaments/?cursor"
        with self.client.get(path, name=name, catch_response=True) as response:
            _ok(response)

    @task(2)
    def search(self) -> None:
        word = random.choice(SEARCH_WORDS)  # noqa: S311
        with self.client.get(
            f"/api/tournaments/search/?q={word}", name="/api/tournaments/search/",
            catch_response=True,
        ) as response:  # fmt: skip
            _ok(response)

    @task(3)
    def detail(self) -> None:
        tournament = random.choice((WORLD["played"], WORLD["cup"], WORLD["open_tournament"]))  # noqa: S311
        with self.client.get(
            f"/api/tournaments/{tournament}/", name="/api/tournaments/{id}/", catch_response=True
        ) as response:
            _ok(response)

    @task(2)
    def bracket(self) -> None:
        tournament = random.choice((WORLD["played"], WORLD["cup"]))  # noqa: S311
        with self.client.get(
            f"/api/tournaments/{tournament}/bracket/", name="/api/tournaments/{id}/bracket/",
            catch_response=True,
        ) as response:  # fmt: skip
            _ok(response)

    @task(1)
    def standings(self) -> None:
        with self.client.get(
            f"/api/tournaments/{WORLD['played']}/standings/",
            name="/api/tournaments/{id}/standings/", catch_response=True,
        ) as response:  # fmt: skip
            _ok(response)


class Newcomer(HttpUser):
    weight = 1
    wait_time = between(1.0, 3.0)

    @task
    def sign_up_register_and_check_in(self) -> None:
        username = f"lc{secrets.token_hex(6)}"
        password = WORLD["password"]
        with self.client.post(
            "/api/auth/register/", name="/api/auth/register/", catch_response=True,
            json={"username": username, "email": f"{username}@bench.test", "password": password},
        ) as response:  # fmt: skip
            _ok(response, 201)
            if response.status_code != 201:
                return
        headers = _login(self.client, username, password)
        if headers is None:
            return
        with self.client.post(
            "/api/me/game-profiles/", json={"game": "valorant", "in_game_id": f"{username}#LC1"},
            headers=headers, name="/api/me/game-profiles/", catch_response=True,
        ) as response:  # fmt: skip
            _ok(response, 201)
        tournament = WORLD["open_tournament"]
        with self.client.post(
            f"/api/tournaments/{tournament}/registrations/", json={}, headers=headers,
            name="/api/tournaments/{id}/registrations/", catch_response=True,
        ) as response:  # fmt: skip
            _ok(response, 201)
        with self.client.post(
            f"/api/tournaments/{tournament}/check-in/", json={}, headers=headers,
            name="/api/tournaments/{id}/check-in/", catch_response=True,
        ) as response:  # fmt: skip
            _ok(response)
        with self.client.get(
            "/api/me/registrations/", headers=headers, name="/api/me/registrations/",
            catch_response=True,
        ) as response:  # fmt: skip
            _ok(response)


def _login(client: Any, username: str, password: str) -> dict[str, str] | None:
    with client.post(
        "/api/auth/login/", json={"login": username, "password": password},
        name="/api/auth/login/", catch_response=True,
    ) as response:  # fmt: skip
        _ok(response)
        if response.status_code != 200:
            return None
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


class Competitor(HttpUser):
    weight = 3
    wait_time = between(1.0, 3.0)

    @task
    def play_a_match(self) -> None:
        if not MATCHES:
            time.sleep(1)
            return
        match = MATCHES.pop()
        first = _login(self.client, match["a"], WORLD["password"])
        second = _login(self.client, match["b"], WORLD["password"])
        if first is None or second is None:
            return
        base, name = f"/api/matches/{match['id']}", "/api/matches/{id}"
        for headers in (first, second) if match["status"] == "ready" else ():
            with self.client.post(
                f"{base}/check-in/", json={}, headers=headers, name=f"{name}/check-in/",
                catch_response=True,
            ) as response:  # fmt: skip
                _ok(response)
        with self.client.post(
            f"{base}/submit-result/", json={"games": [{"p1": 13, "p2": 7}]}, headers=first,
            name=f"{name}/submit-result/", catch_response=True,
        ) as response:  # fmt: skip
            _ok(response)
        with self.client.post(
            f"{base}/confirm-result/", json={}, headers=second, name=f"{name}/confirm-result/",
            catch_response=True,
        ) as response:  # fmt: skip
            _ok(response)


class Follower(HttpUser):
    weight = 4
    wait_time = between(0.5, 1.5)

    @task
    def follow_live(self) -> None:
        """The live cup's tournament channel (every match's events) or one of its matches."""
        if random.random() < 0.5:  # noqa: S311
            path = f"/ws/tournaments/{WORLD['cup']}"
        else:
            path = f"/ws/matches/{random.choice(WORLD['matches'])['id']}"  # noqa: S311
        url = self.host.replace("http", "ws", 1) + path
        started = time.perf_counter()
        try:  # no Origin header: a bot or an app, not a browser
            ws = websocket.create_connection(url, timeout=10, suppress_origin=True)
        except Exception as exc:  # noqa: BLE001 - reported as a failed request
            _fire("WS", "connect", started, exc)
            return
        _fire("WS", "connect", started, None)
        deadline = time.time() + 15
        try:
            while time.time() < deadline:
                try:
                    frame = json.loads(ws.recv())
                except websocket.WebSocketTimeoutException:
                    break
                except websocket.WebSocketConnectionClosedException as exc:
                    _fire("WS", "closed by the server", time.perf_counter(), exc)
                    break
                ts = frame.get("ts")
                if ts:
                    sent = datetime.fromisoformat(ts.replace("Z", "+00:00"))
                    delay = (datetime.now(UTC) - sent).total_seconds() * 1000
                    events.request.fire(
                        request_type="WS", name="match event", response_time=max(delay, 0.0),
                        response_length=0, exception=None, context={},
                    )  # fmt: skip
        finally:
            ws.close()


def _fire(kind: str, name: str, started: float, exception: Exception | None) -> None:
    events.request.fire(
        request_type=kind, name=name, response_time=(time.perf_counter() - started) * 1000,
        response_length=0, exception=exception, context={},
    )  # fmt: skip
