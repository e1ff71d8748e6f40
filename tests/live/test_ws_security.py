"""Live channel security (issue 12, API_CONVENTIONS "Websockets"): Origin allow-list, who may
follow a private tournament, token expiry, the per-connection rate limit, the message size
limit, connections per user, the heartbeat, and the metrics kept about sockets."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import time
from datetime import timedelta
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.factories import make_tournament
from tests.live.conftest import RECEIVE_SECONDS, configured, token_of


def test_a_browser_from_a_foreign_origin_is_refused(started, follow):
    path = f"/ws/matches/{started().matches['W1.1']['id']}"
    refused = follow(path, origin="http://evil.test", established=False)
    assert refused.close_code() == 1008
    assert follow(path, origin="http://allowed.test").hello["type"] == "connection_established"


def test_an_unknown_match_or_tournament_closes_with_4404(follow):
    assert follow("/ws/matches/999999", established=False).close_code() == 4404
    assert follow("/ws/tournaments/999999", established=False).close_code() == 4404


def test_a_draft_tournament_is_hidden_from_all_but_its_organizers(app, follow, organizer, stranger):
    draft = make_tournament(app, organizer.id)
    path = f"/ws/tournaments/{draft}"
    assert follow(path, established=False).close_code() == 4404
    assert follow(path, token=token_of(stranger), established=False).close_code() == 4404
    assert follow(path, token=token_of(organizer)).hello["data"]["status"] == "draft"


def test_a_bad_or_refresh_token_closes_with_4401(app, started, follow, organizer):
    from flask_jwt_extended import create_refresh_token

    path = f"/ws/matches/{started().matches['W1.1']['id']}"
    assert follow(path, token="not-a-token", established=False).close_code() == 4401
    with app.app_context():
        refresh = create_refresh_token(identity=str(organizer.id), additional_claims={"cv": 1})
    assert follow(path, token=refresh, established=False).close_code() == 4401


@pytest.fixture
def private_match(started: Any) -> Any:
    play = started(visibility="private")
    return play, play.matches["W1.1"]["id"]


def test_a_private_tournament_needs_the_token_of_an_organizer_participant_or_staff(
    app, private_match, follow, organizer, stranger, staff
):
    play, match_id = private_match
    path = f"/ws/matches/{match_id}"
    with configured(app, WS_AUTH_TIMEOUT=0.5):
        assert follow(path, established=False).close_code() == 4401  # no auth message came
    assert follow(path, token=token_of(stranger), established=False).close_code() == 4403
    assert follow(f"/ws/tournaments/{play.cup.id}", token=token_of(stranger), established=False).close_code() == 4403  # fmt: skip
    for user in (organizer, staff, play.sides("W1.1")[0], play.player(play.ids("W1.2")[0])):
        assert follow(path, token=token_of(user)).hello["data"]["user_id"] == user.id

    # The token may also come as the first message; a ping before it is answered.
    late = follow(path, established=False)
    late.send(type="ping")
    assert late.next() == {"type": "pong"}
    late.send(type="auth", token=token_of(play.sides("W1.1")[1]))
    hello = late.next()
    assert hello["type"] == "connection_established"
    assert hello["data"]["is_participant"] is True

    other = follow(path, established=False)
    other.send(type="resume", after_seq=0)
    assert other.close_code() == 4401  # anything but auth (or ping) first


def test_an_expired_token_closes_the_connection_with_4401(app, started, follow, user):
    from flask_jwt_extended import create_access_token

    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    path = f"/ws/matches/{started().matches['W1.1']['id']}"
    with app.app_context():
        version = db.session.get(User, user.id).credentials_version
        token = create_access_token(
            identity=str(user.id),
            additional_claims={"cv": version},
            expires_delta=timedelta(seconds=2),  # whole seconds: 1 to 2 s from now
        )
    watcher = follow(path, token=token)
    assert watcher.hello["data"]["user_id"] == user.id
    assert watcher.close_code() == 4401


def test_too_many_messages_answer_errors_then_close_with_4429(started, follow):
    watcher = follow(f"/ws/matches/{started().matches['W1.1']['id']}")
    for _ in range(12):
        watcher.send(type="ping")
    replies = watcher.events(12)
    refused = [r for r in replies if r["type"] == "error"]
    assert 1 <= len(refused) <= 2
    assert refused[0]["code"] == "rate_limited" and refused[0]["retry_after_ms"] > 0
    assert [r for r in replies if r["type"] == "pong"][:10] == [{"type": "pong"}] * 10
    with contextlib.suppress(ConnectionClosed):  # keeps flooding: closed (sends then fail)
        for _ in range(40):
            watcher.send(type="ping")
    assert watcher.close_code() == 4429


def test_a_message_over_16_kib_closes_with_1009(started, follow):
    watcher = follow(f"/ws/matches/{started().matches['W1.1']['id']}")
    watcher.send(type="ping", padding="x" * 17 * 1024)
    assert watcher.close_code() == 1009


def test_a_user_holds_at_most_five_connections(started, follow, user):
    path = f"/ws/matches/{started().matches['W1.1']['id']}"
    held = [follow(path, token=token_of(user)) for _ in range(5)]
    assert follow(path, token=token_of(user), established=False).close_code() == 4429
    held[0].close()
    deadline = time.monotonic() + RECEIVE_SECONDS
    while True:  # the server frees the slot once it sees the close
        again = follow(path, token=token_of(user), established=False)
        try:
            frame = again.next()
        except ConnectionClosed as refused:  # the close was not seen yet: still 4429
            assert refused.rcvd is not None and refused.rcvd.code == 4429
            assert time.monotonic() < deadline, "the slot was never freed"
            time.sleep(0.05)
            continue
        if frame["type"] == "connection_established" or time.monotonic() > deadline:
            break
    assert frame["type"] == "connection_established"


def _raw_handshake(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=RECEIVE_SECONDS)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    return sock


def _close_code_from(stream: bytes) -> int | None:
    """The code of the first close frame in a server's (unmasked) frame stream."""
    i = 0
    while i + 2 <= len(stream):
        opcode, length = stream[i] & 0x0F, stream[i + 1] & 0x7F
        i += 2
        if length == 126:
            length, i = int.from_bytes(stream[i : i + 2], "big"), i + 2
        elif length == 127:
            length, i = int.from_bytes(stream[i : i + 8], "big"), i + 8
        payload, i = stream[i : i + length], i + length
        if opcode == 0x8:
            return int.from_bytes(payload[:2], "big")
    return None


def test_a_silent_connection_is_closed_after_two_missed_pings(app, server, started, follow):
    path = f"/ws/matches/{started().matches['W1.1']['id']}"
    options = {"ping_interval": 0.3, "max_message_size": 16 * 1024}
    with configured(app, SOCK_SERVER_OPTIONS=options):
        sock = _raw_handshake(server.port, path)  # never answers a ping
        received = b""
        try:
            while chunk := sock.recv(4096):
                received += chunk
        finally:
            sock.close()
        stream = received.split(b"\r\n\r\n", 1)[1]
        assert _close_code_from(stream) == 1008

        # A client that answers pings (websockets does) stays connected past them.
        alive = follow(path)
        assert alive.hello["data"]["heartbeat_interval"] == 0.3
        time.sleep(1)
        alive.send(type="ping")
        assert alive.next() == {"type": "pong"}


def test_socket_metrics_count_connections_and_messages(app, client, started, follow):
    from deltacrown.core.metrics import REGISTRY

    def value(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    path = f"/ws/matches/{started().matches['W1.1']['id']}"
    before_in = value("deltacrown_ws_messages_in_total", route="match")
    before_out = value("deltacrown_ws_messages_out_total", route="match")
    open_before = value("deltacrown_ws_connections", route="match")
    watcher = follow(path)
    watcher.send(type="ping")
    watcher.next()
    assert value("deltacrown_ws_connections", route="match") == open_before + 1
    assert value("deltacrown_ws_messages_in_total", route="match") == before_in + 1
    assert value("deltacrown_ws_messages_out_total", route="match") == before_out + 2
    with app.app_context():
        from deltacrown.core import realtime

        realtime.publish_now(path.replace("/ws/matches/", "match:"), "test.event", {})
    watcher.next()
    assert value("deltacrown_ws_broadcast_latency_seconds_count") >= 1

    body = client.get("/metrics").get_data(as_text=True)
    assert 'deltacrown_ws_connections{route="match"}' in body
    assert "deltacrown_ws_broadcast_latency_seconds_bucket" in body


def test_the_metrics_endpoint_can_require_a_token(app, client):
    with configured(app, METRICS_TOKEN="scrape-me"):
        response = client.get("/metrics")
        assert response.status_code == 401
        assert json.loads(response.data)["code"] == "metrics_token_required"
        ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert ok.status_code == 200 and ok.mimetype == "text/plain"
