"""The process's websocket hub: followers are handed off by the request thread (they hold no
server thread), one event is framed once for all of them, a reader that stops reading has a
bounded outbox and catches up from the history once it reads again, and a follower that
leaves gives its connection slots back."""

from __future__ import annotations

import base64
import os
import socket
import struct
import threading
import time
import urllib.request
from typing import Any

from deltacrown.core import realtime, ws_hub
from tests.live.conftest import token_of

WAIT_SECONDS = 5  # a guard against a hang, not a timing assertion


def _wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def _server_threads() -> int:
    """Threads of this process but the test's own websocket clients (two each)."""
    client = ("recv_events", "keepalive")
    return sum(1 for t in threading.enumerate() if not any(word in t.name for word in client))


def test_followers_hold_no_server_thread_and_rest_answers_meanwhile(app, server, started, follow):
    path = f"/ws/matches/{started().matches['W1.1']['id']}"
    follow(path)  # the hub and its pool exist from here on
    baseline = _server_threads()
    crowd = [follow(path) for _ in range(30)]
    # A thread per follower (and simple-websocket's reader thread each) would add 60 here.
    _wait_for(lambda: _server_threads() <= baseline + 4, "request threads returned")
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=WAIT_SECONDS) as response:
        assert response.status == 200
    for follower in crowd:
        follower.send(type="ping")
    assert all(follower.next() == {"type": "pong"} for follower in crowd)


def test_one_event_is_framed_once_for_every_follower(app, started, follow, monkeypatch):
    match_id = started().matches["W1.1"]["id"]
    crowd = [follow(f"/ws/matches/{match_id}") for _ in range(12)]
    framed: list[bytes] = []
    real = ws_hub.text_frame

    def counting(payload: bytes) -> bytes:
        framed.append(payload)
        return real(payload)

    monkeypatch.setattr(ws_hub, "text_frame", counting)
    with app.app_context():
        sent = realtime.publish_now(f"match:{match_id}", "test.event", {"n": 1})
    received = [follower.next() for follower in crowd]
    assert all(message["seq"] == sent["seq"] for message in received)
    assert len(framed) == 1


def _raw_follow(port: int, path: str) -> tuple[socket.socket, bytes]:
    """A client with a small receive buffer that reads nothing until told to."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(WAIT_SECONDS)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(4096)
    head, rest = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock, rest


def _text_frames(sock: socket.socket, buffered: bytes, until: Any) -> list[bytes]:
    """Read the server's text frames until `until(payload)` holds for one."""
    frames, data = [], buffered
    while True:
        while len(data) >= 2:
            size, start = data[1] & 0x7F, 2
            if size >= 126:
                start = 4 if size == 126 else 10
                if len(data) < start:
                    break
                size = struct.unpack("!H" if size == 126 else "!Q", data[2:start])[0]
            if len(data) < start + size:
                break
            payload, data = data[start : start + size], data[start + size :]
            frames.append(payload)
            if until(payload):
                return frames
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk


def test_a_reader_that_stops_reading_has_a_bounded_outbox_and_catches_up(app, server, started):
    import json

    match_id = started().matches["W1.1"]["id"]
    sock, buffered = _raw_follow(server.port, f"/ws/matches/{match_id}")
    hub = ws_hub.hub_of(app)
    saved, hub.outbox_limit = hub.outbox_limit, 64 * 1024
    try:
        hello = _text_frames(sock, buffered, lambda p: b"connection_established" in p)
        last_seq = json.loads(hello[-1])["data"]["last_seq"]
        conn = next(c for c in list(hub.conns) if c.channels == {f"match:{match_id}"})
        filler = "x" * 8000
        with app.app_context():
            for n in range(400):  # 3.2 MB: far more than the socket buffers hold
                last = realtime.publish_now(
                    f"match:{match_id}", "test.event", {"n": n, "f": filler}
                )
        _wait_for(lambda: conn.behind, "the outbox filled up")
        assert conn.out_bytes <= hub.outbox_limit + 9000  # the limit and at most one frame
        frames = _text_frames(sock, b"", lambda p: f'"seq":{last["seq"]},'.encode() in p)
    finally:
        hub.outbox_limit = saved
        sock.close()
    seqs = [json.loads(frame)["seq"] for frame in frames]
    assert seqs == list(range(last_seq + 1, last["seq"] + 1))  # nothing lost, no gap


def test_a_follower_that_leaves_gives_its_slots_back(app, started, follow, organizer):
    path = f"/ws/matches/{started().matches['W1.1']['id']}"
    follow(path)
    counter = app.extensions["deltacrown_ws_connections"]
    before = counter.total
    watcher = follow(path, token=token_of(organizer))
    slots = app.extensions["deltacrown_ws_slots"]
    user_id = watcher.hello["data"]["user_id"]
    # Held after the request thread returned: the hub holds the connection.
    assert counter.total == before + 1
    assert len(slots._held.get(user_id, ())) == 1
    watcher.close()
    _wait_for(lambda: counter.total == before, "the per-process slot came back")
    _wait_for(lambda: not slots._held.get(user_id), "the per-user slot came back")
    assert counter.by_address.get("127.0.0.1", 0) == before


def test_permessage_deflate_is_not_negotiated_so_one_frame_serves_everyone(started, follow):
    watcher = follow(f"/ws/matches/{started().matches['W1.1']['id']}")  # the client offers it
    assert watcher.conn.protocol.extensions == []


def test_followers_are_told_to_reconnect_when_the_process_exits(app, started, follow):
    watcher = follow(f"/ws/matches/{started().matches['W1.1']['id']}")
    ws_hub.hub_of(app).going_away()  # what the process runs at exit
    assert watcher.close_code() == 1001
