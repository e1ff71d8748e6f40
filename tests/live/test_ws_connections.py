"""Websocket connections end and are bounded: after a server-initiated close (1009 too big,
1008 origin, 4404) the TCP connection ends within a second, whether or not the client answers
the close frame and however late it reads it; handshakes past the per-address or per-process
cap are refused before the upgrade with 429/503 `too_many_connections`."""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import struct
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from deltacrown.app import create_app
from tests.helpers import LiveServer

CLOSE_FRAME = 0x88


def _handshake(
    port: int, path: str, origin: str | None = None, *, read_after: float = 0.0
) -> tuple[socket.socket, bytes]:
    """Open a websocket; the socket and the bytes that came after the 101 response.

    The server may send its first frame (a close right after the upgrade) before the client
    reads the response, and then one recv() returns both: those bytes are the stream's start.
    `read_after` waits that long before reading, as a client on a loaded machine does."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    extra = f"Origin: {origin}\r\n" if origin else ""
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
        ).encode()
    )
    time.sleep(read_after)
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(4096)
    head, rest = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock, rest


def _frame(payload: bytes, opcode: int = 1) -> bytes:
    mask = os.urandom(4)
    size = len(payload)
    if size < 126:
        head = bytes([0x80 | opcode, 0x80 | size])
    elif size < 65536:
        head = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack("!H", size)
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack("!Q", size)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _close_code_and_seconds_to_eof(
    sock: socket.socket, *, answer_close: bool, received: bytes = b""
) -> tuple[int, float]:
    """Read until the server ends the TCP connection (`received`: what the handshake already
    read): its close code and how long the connection stayed open after the close frame
    arrived."""
    sock.settimeout(5)
    closed_at, answered = None, False
    while True:
        if closed_at is None and bytes([CLOSE_FRAME]) in received:
            closed_at = time.monotonic()
            if answer_close:
                answered = True
                # A client slower than the server's grace finds the connection already shut.
                with contextlib.suppress(OSError):
                    sock.sendall(_frame(struct.pack("!H", 1000), opcode=8))
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            break
        received += chunk
    assert closed_at is not None, received
    assert not answer_close or answered
    start = received.index(bytes([CLOSE_FRAME]))
    code = struct.unpack("!H", received[start + 2 : start + 4])[0]
    sock.close()
    return code, time.monotonic() - closed_at


@pytest.fixture
def ping_server(tmp_path) -> Iterator[Any]:
    def build(**config: Any) -> LiveServer:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'ws.sqlite3'}",
            STORAGE_ROOT=str(tmp_path / "storage"),
            **config,
        )
        server = LiveServer(app)
        servers.append(server)
        return server.__enter__()

    servers: list[LiveServer] = []
    yield build
    for server in servers:
        server.__exit__(None, None, None)


@pytest.mark.parametrize("answer_close", [True, False])
def test_a_frame_too_big_closes_1009_and_the_tcp_connection_within_a_second(
    ping_server, answer_close
):
    server = ping_server()
    sock, received = _handshake(server.port, "/ws/ping")
    sock.sendall(_frame(b"x" * 20 * 1024))
    code, seconds = _close_code_and_seconds_to_eof(
        sock, answer_close=answer_close, received=received
    )
    assert code == 1009
    assert seconds < 1.0


@pytest.mark.parametrize("answer_close", [True, False])
def test_a_refused_origin_closes_1008_and_the_tcp_connection_within_a_second(
    ping_server, answer_close
):
    server = ping_server()
    sock, received = _handshake(server.port, "/ws/ping", origin="http://evil.test")
    code, seconds = _close_code_and_seconds_to_eof(
        sock, answer_close=answer_close, received=received
    )
    assert code == 1008
    assert seconds < 1.0


@pytest.mark.parametrize("answer_close", [True, False])
def test_a_client_reading_late_finds_the_1008_close_frame_right_after_the_101_response(
    ping_server, answer_close
):
    # On a loaded machine the 101 response and the close frame reach the client together.
    server = ping_server()
    sock, received = _handshake(server.port, "/ws/ping", origin="http://evil.test", read_after=0.3)
    code, seconds = _close_code_and_seconds_to_eof(
        sock, answer_close=answer_close, received=received
    )
    assert code == 1008
    assert seconds < 1.0


def test_an_unknown_channel_closes_4404_and_the_tcp_connection_within_a_second(app):
    with LiveServer(app) as server:
        sock, received = _handshake(server.port, "/ws/matches/999999")
        code, seconds = _close_code_and_seconds_to_eof(sock, answer_close=False, received=received)
    assert code == 4404
    assert seconds < 1.0


def _refused_status(url: str) -> int:
    with pytest.raises(InvalidStatus) as refused:
        connect(url, open_timeout=5)
    response = refused.value.response
    assert response.headers["Content-Type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    assert b"too_many_connections" in response.body
    return response.status_code


def test_connections_past_the_per_address_cap_are_refused_before_the_upgrade(ping_server):
    server = ping_server(WS_MAX_CONNECTIONS_PER_ADDRESS=2)
    url = f"ws://127.0.0.1:{server.port}/ws/ping"
    with connect(url, open_timeout=5):
        with connect(url, open_timeout=5):
            assert _refused_status(url) == 429
        deadline = time.monotonic() + 3
        while True:  # the slot comes back once the server has finished that connection
            try:
                with connect(url, open_timeout=5):
                    break
            except InvalidStatus:
                assert time.monotonic() < deadline
                time.sleep(0.05)


def test_connections_past_the_per_process_cap_are_refused_with_503(ping_server):
    server = ping_server(WS_MAX_CONNECTIONS_PER_PROCESS=1)
    url = f"ws://127.0.0.1:{server.port}/ws/ping"
    with connect(url, open_timeout=5):
        assert _refused_status(url) == 503
        # Plain HTTP still answers while the websocket slots are full.
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=5) as r:
            assert r.status == 200
