"""A real HTTP receiver on a local port (a server thread) that answers from a script and keeps
every request, and helpers to build endpoints and run deliveries as the tasks do."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask

from deltacrown.extensions import db


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next scripted (status, delay) and records it."""

    server: ThreadingHTTPServer
    script: list[tuple[int, float]] = field(default_factory=list)
    default: int = 200
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # When set, each answer waits until the gate opens (at most 10 s).
    gate: threading.Event | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def answer(self, *statuses: int, delay: float = 0.0) -> None:
        self.script.extend((status, delay) for status in statuses)

    def reset(self) -> None:
        with self.lock:
            self.script.clear()
            self.received.clear()
            self.default = 200
            self.gate = None

    def next_answer(self, request: Received) -> tuple[int, float]:
        with self.lock:
            self.received.append(request)
            return self.script.pop(0) if self.script else (self.default, 0.0)


def _handler(receiver_ref: list[Receiver]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            request = Received({k.lower(): v for k, v in self.headers.items()}, body)
            status, delay = receiver_ref[0].next_answer(request)
            gate = receiver_ref[0].gate
            if gate is not None:
                gate.wait(10)
            if delay:
                time.sleep(delay)
            payload = b'{"received": true}'
            try:
                self.send_response(status)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the sender gave up (timeout)
                pass

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def _receiver_server() -> Iterator[Receiver]:
    ref: list[Receiver] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    ref.append(Receiver(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ref[0]
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver(_receiver_server: Receiver) -> Iterator[Receiver]:
    _receiver_server.reset()
    yield _receiver_server
    _receiver_server.reset()


@pytest.fixture
def fresh_breakers(app: Flask) -> Iterator[None]:
    """Each test starts with closed breakers (the memory store lives on the app)."""
    app.extensions.pop("deltacrown_webhook_breakers", None)
    yield
    app.extensions.pop("deltacrown_webhook_breakers", None)


@pytest.fixture
def organizer(app_ctx: Flask, make_user: Any) -> Any:
    from deltacrown.accounts.models import User

    info = make_user()
    return db.session.get(User, info.id)


def make_endpoint(owner: Any, url: str, events: list[str] | None = None, **kwargs: Any) -> Any:
    from deltacrown.webhooks import services

    endpoint = services.create_endpoint(
        owner,
        url=url,
        events=events or ["tournament.published"],
        tournament_ids=kwargs.pop("tournament_ids", []),
        description=kwargs.pop("description", "test"),
    )
    db.session.commit()
    return endpoint


def run_deliver(delivery_id: int) -> Any:
    """The `webhooks.deliver` task body, in this test's context."""
    from deltacrown.webhooks.tasks import deliver

    return deliver.run(delivery_id)
