"""Live channels against a real server: the session app served by a thread (LiveServer), a
`websockets` client per follower, and the match-lifecycle fixtures to play matches through the
REST API (the Flask test client, same app, same pinned test connection)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.helpers import LiveServer
from tests.matches.conftest import (  # noqa: F401  (fixtures)
    _session_celery,
    all_matches,
    any_cup,
    api,
    co_organizer,
    cup,
    m,
    make_player,
    organizer,
    started,
    stranger,
)

RECEIVE_SECONDS = 5  # a guard against a hang, not a timing assertion


class Follower:
    """A websocket client that reads JSON frames."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn

    def send(self, **message: Any) -> None:
        self.conn.send(json.dumps(message))

    def next(self, timeout: float = RECEIVE_SECONDS) -> dict[str, Any]:
        message = json.loads(self.conn.recv(timeout=timeout))
        assert isinstance(message, dict)
        return message

    def events(self, count: int) -> list[dict[str, Any]]:
        return [self.next() for _ in range(count)]

    def until(self, type_: str) -> list[dict[str, Any]]:
        """Every frame up to and including the first of `type_`."""
        frames = []
        while True:
            frames.append(self.next())
            if frames[-1]["type"] == type_:
                return frames

    def quiet(self, timeout: float = 0.3) -> bool:
        """Nothing arrives within `timeout`."""
        try:
            self.conn.recv(timeout=timeout)
        except TimeoutError:
            return True
        return False

    def close_code(self) -> int | None:
        """Read until the server closes; its close code."""
        deadline = time.monotonic() + RECEIVE_SECONDS
        try:
            while time.monotonic() < deadline:
                try:
                    self.conn.recv(timeout=0.2)
                except TimeoutError:
                    # The dev server may keep the TCP connection open a while after a close
                    # frame (the socket is shared with werkzeug): the frame is what counts.
                    if self.conn.protocol.close_rcvd is not None:
                        return self.conn.protocol.close_rcvd.code
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        return None

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def server(app: Any) -> Iterator[LiveServer]:
    with LiveServer(app) as live:
        yield live


@pytest.fixture
def follow(server: LiveServer) -> Any:
    """`follow(path, token=None, origin=None, established=True)`: a connected Follower (its
    `connection_established` frame read into `.hello` unless `established=False`)."""
    opened: list[Follower] = []
    stack = ExitStack()

    def open_(
        path: str,
        token: str | None = None,
        origin: str | None = None,
        established: bool = True,
        **options: Any,
    ) -> Follower:
        url = f"ws://127.0.0.1:{server.port}{path}"
        if token:
            url += f"?token={token}"
        headers = {"Origin": origin} if origin else None
        conn = stack.enter_context(
            connect(
                url,
                additional_headers=headers,
                open_timeout=RECEIVE_SECONDS,
                close_timeout=options.pop("close_timeout", 0.5),
                **options,
            )
        )
        follower = Follower(conn)
        opened.append(follower)
        if established:
            hello = follower.next()
            assert hello["type"] == "connection_established", hello
            follower.hello = hello  # type: ignore[attr-defined]
        return follower

    with stack:
        yield open_


def token_of(user: Any) -> str:
    return str(user.headers["Authorization"].split(" ", 1)[1])


def configured(app: Any, **values: Any) -> Any:
    """Set app config values for one test (restored by the returned context manager)."""

    @contextmanager
    def manager() -> Iterator[None]:
        saved = {key: app.config.get(key) for key in values}
        app.config.update(values)
        try:
            yield
        finally:
            app.config.update(saved)

    return manager()
