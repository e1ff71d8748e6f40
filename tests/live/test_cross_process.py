"""Across processes (issue 12): a follower on one gunicorn process receives, in order and with
gap-free `seq`, the events caused by REST calls served by another process.

Two real servers run in server mode (`DELTACROWN_ENV=production`) on the session's test
database and TEST_REDIS_URL, one gthread worker each. The live match they serve is committed
for real on its own app (the per-test transaction is invisible to other processes) and every
row it created, and its channels' Redis keys, are removed afterwards. Both servers are killed
by the fixture's finalizer whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import sqlalchemy as sa
from flask import Flask
from websockets.sync.client import ClientConnection, connect

from tests.live import support
from tests.live.support import LiveMatch, delete_created_rows, forget_channels, seed_live_match

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
SECRET = f"live-test-{uuid.uuid4().hex}"  # both servers and the seeding app sign with it
STARTUP_SECONDS = 60  # a guard for a loaded CI machine, not a timing assertion
RECEIVE_SECONDS = 10


@pytest.fixture
def server_urls(app: Flask, database_url: str, is_postgres: bool) -> tuple[str, str]:
    """The test database (migrated by the session's `app`) and Redis, or a skip."""
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not is_postgres or not redis_url:
        pytest.skip("needs PostgreSQL and Redis (TEST_DATABASE_URL and TEST_REDIS_URL)")
    return database_url, redis_url


@pytest.fixture
def live_match(server_urls: tuple[str, str]) -> Iterator[LiveMatch]:
    from deltacrown.app import create_app
    from deltacrown.extensions import db

    database_url, redis_url = server_urls
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url, JWT_SECRET_KEY=SECRET, SECRET_KEY=SECRET
    )
    prefix = f"lv{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(database_url)
    seeded: LiveMatch | None = None
    try:
        seeded = seed_live_match(app, prefix)
        yield seeded
    finally:
        with engine.connect() as conn:
            user_ids = conn.scalars(
                sa.text("SELECT id FROM users WHERE username_key LIKE :p"), {"p": f"{prefix}%"}
            ).all()
            tournament_ids = conn.scalars(
                sa.text("SELECT id FROM tournaments WHERE organizer_id = ANY(:u)"),
                {"u": list(user_ids)},
            ).all()
        delete_created_rows(
            engine, db.metadata, {"users": set(user_ids), "tournaments": set(tournament_ids)}
        )
        engine.dispose()
        with app.app_context():
            db.engine.dispose()
        if seeded is not None:
            forget_channels(redis_url, seeded)


# ----- two gunicorn processes ------------------------------------------------------------------
class Gunicorn:
    """`python -m gunicorn -k gthread` on a free port (bound by gunicorn itself: port 0, read
    back from its log), in its own process group so that stopping it stops its worker too."""

    def __init__(self, env: dict[str, str], threads: int = 8) -> None:
        self.log: IO[str] = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed in stop())
            "w+", prefix="gunicorn-", suffix=".log"
        )
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", str(threads)]
            + ["-w", "1", "-b", "127.0.0.1:0", "--graceful-timeout", "2", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.port: int | None = None

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def wait_ready(self, deadline: float) -> str:
        """The server's base URL once its port is known and /healthz answers."""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_text()[-3000:]}")
            if self.port is None:
                for line in self.log_text().splitlines():
                    if "Listening at: http://" in line:
                        self.port = int(
                            line.split("Listening at: http://")[1].split()[0].rsplit(":", 1)[1]
                        )
            if self.port is not None:
                try:
                    with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                        if response.status == 200:
                            return self.url
                except (OSError, urllib.error.URLError):
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not get ready:\n{self.log_text()[-3000:]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Kill the master and its worker at once: nothing here needs a graceful shutdown,
        which takes seconds (the group's SIGKILL cannot be ignored or outlived)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        self.log.close()


def server_env(database_url: str, redis_url: str) -> dict[str, str]:
    # The staff accounts these servers serve (tests/moderation's cross-process ban) have no
    # second factor; what is tested here is the fan-out between processes, not sign-in.
    return support.server_env(database_url, redis_url, SECRET, STAFF_REQUIRE_2FA="false")


@pytest.fixture
def two_servers(server_urls: tuple[str, str]) -> Iterator[tuple[str, str]]:
    env = server_env(*server_urls)
    servers: list[Gunicorn] = []
    try:
        servers = [Gunicorn(env), Gunicorn(env)]  # started together, waited for together
        deadline = time.monotonic() + STARTUP_SECONDS
        first, second = (server.wait_ready(deadline) for server in servers)
        yield first, second
    finally:
        for server in servers:
            server.stop()


# ----- helpers ---------------------------------------------------------------------------------
def post(base: str, path: str, token: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310  (a local test server)
        f"{base}{path}",
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=RECEIVE_SECONDS) as response:  # noqa: S310
            assert response.status == 200
            result: dict[str, Any] = json.loads(response.read())
            return result
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"POST {path}: {exc.code} {exc.read().decode()[:2000]}") from exc


def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=RECEIVE_SECONDS))
    return message


def receive_until(ws: ClientConnection, event_type: str) -> list[dict[str, Any]]:
    """Every server event up to and including the first of `event_type`."""
    events: list[dict[str, Any]] = []
    while True:
        try:
            message = receive(ws)
        except TimeoutError:
            raise AssertionError(
                f"no {event_type} within {RECEIVE_SECONDS} s; got {events}"
            ) from None
        if "seq" not in message:  # pongs, errors: not channel events
            continue
        events.append(message)
        if message["type"] == event_type:
            return events


# ----- the test --------------------------------------------------------------------------------
def test_a_follower_on_one_process_receives_what_another_process_caused_in_order(
    live_match: LiveMatch, two_servers: tuple[str, str]
) -> None:
    follower_server, rest_server = two_servers
    match_id = live_match.match_id
    ws_url = follower_server.replace("http://", "ws://") + f"/ws/matches/{match_id}"
    scores = [(1, 1, 0), (1, 5, 3), (1, 13, 11), (2, 4, 6), (2, 13, 9)]

    with connect(ws_url, open_timeout=RECEIVE_SECONDS) as ws:
        hello = receive(ws)
        assert hello["type"] == "connection_established"
        assert hello["data"]["channel"] == f"match:{match_id}"
        last_seq = hello["data"]["last_seq"]

        for game, p1, p2 in scores:
            post(rest_server, f"/api/matches/{match_id}/score/", live_match.organizer,
                 {"game": game, "p1": p1, "p2": p2})  # fmt: skip
        games = [{"p1": 13, "p2": 11}, {"p1": 13, "p2": 9}]
        first_side, second_side = live_match.sides
        post(rest_server, f"/api/matches/{match_id}/submit-result/", first_side, {"games": games})
        # The other side's matching submission confirms it: the match completes.
        post(rest_server, f"/api/matches/{match_id}/submit-result/", second_side, {"games": games})

        events = receive_until(ws, "match.completed")

    assert [e["seq"] for e in events] == list(range(last_seq + 1, last_seq + 1 + len(events)))
    score_events = [e["data"] for e in events if e["type"] == "match.score_updated"]
    assert [(d["match_id"], d["game"], d["p1"], d["p2"]) for d in score_events] == [
        (match_id, *score) for score in scores
    ]
    types = [e["type"] for e in events]
    assert types.index("match.result_submitted") > max(
        i for i, t in enumerate(types) if t == "match.score_updated"
    )
    assert events[-1]["data"]["match_id"] == match_id


def test_more_followers_than_server_threads_all_follow_while_rest_answers(
    live_match: LiveMatch, server_urls: tuple[str, str]
) -> None:
    """Followers are handed to the process's hub: a gthread worker with 2 threads serves 12
    of them and still answers REST, and every follower receives the update."""
    server = Gunicorn(server_env(*server_urls), threads=2)
    try:
        base = server.wait_ready(time.monotonic() + STARTUP_SECONDS)
        match_id = live_match.match_id
        ws_url = base.replace("http://", "ws://") + f"/ws/matches/{match_id}"
        with contextlib.ExitStack() as connected:
            crowd = [
                connected.enter_context(connect(ws_url, open_timeout=RECEIVE_SECONDS))
                for _ in range(12)
            ]
            for ws in crowd:
                assert receive(ws)["type"] == "connection_established"
            with urllib.request.urlopen(f"{base}/healthz", timeout=RECEIVE_SECONDS) as response:
                assert response.status == 200
            post(base, f"/api/matches/{match_id}/score/", live_match.organizer,
                 {"game": 1, "p1": 2, "p2": 1})  # fmt: skip
            for ws in crowd:
                assert receive_until(ws, "match.score_updated")[-1]["data"]["p1"] == 2
    finally:
        server.stop()
