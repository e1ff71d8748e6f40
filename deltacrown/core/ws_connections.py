"""Websocket connections of this process: caps per client address and per process, and how a
connection ends.

Connections are capped per client address (`WS_MAX_CONNECTIONS_PER_ADDRESS`, room for a LAN
venue behind one address) and per process (`WS_MAX_CONNECTIONS_PER_PROCESS`, below the
server's threads so REST keeps some): beyond either, the handshake is refused before the
upgrade (HTTP 429 or 503 `too_many_connections`, with `Retry-After`), so followers cannot take
every thread a process has (`core.ws` registers the two request hooks).

Every connection ends through `connection()`: after the closing handshake (whoever started it,
a 1009 sent by simple-websocket included) the server closes the TCP connection within about
`CLOSE_GRACE` seconds, as RFC 6455 asks. Left alone, the development server kept it open,
waiting for another HTTP request on it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, g, request
from simple_websocket import ConnectionClosed

from deltacrown.core import metrics
from deltacrown.core.errors import problem

CLOSE_GRACE = 0.5  # seconds to wait for the client's close frame before closing the TCP stream
# Handlers wake at least this often: simple-websocket may signal a close (a 1009 it sent, the
# client's close) before it marks the socket closed, and a waiter that missed it would sleep
# on until its own timeout.
WAKE_INTERVAL = 0.5


class ConnectionCounter:
    """Open websocket connections of this process, in total and per client address."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0
        self.by_address: dict[str, int] = {}

    def acquire(self, address: str, *, per_address: int, per_process: int) -> int | None:
        """Take a slot; None when taken, else the HTTP status refusing the handshake."""
        with self._lock:
            if self.total >= per_process:
                return 503
            if self.by_address.get(address, 0) >= per_address:
                return 429
            self.total += 1
            self.by_address[address] = self.by_address.get(address, 0) + 1
            return None

    def release(self, address: str) -> None:
        with self._lock:
            self.total = max(0, self.total - 1)
            left = self.by_address.get(address, 0) - 1
            if left > 0:
                self.by_address[address] = left
            else:
                self.by_address.pop(address, None)


def connection_counter() -> ConnectionCounter:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    counter: ConnectionCounter | None = app.extensions.get("deltacrown_ws_connections")
    if counter is None:
        counter = app.extensions.setdefault("deltacrown_ws_connections", ConnectionCounter())
    return counter


def _is_websocket_request() -> bool:
    rule = request.url_rule
    return bool(rule is not None and getattr(rule, "websocket", False))


def take_connection_slot() -> Response | None:
    """Refuse a handshake past the per-address or per-process cap, before the upgrade."""
    if not _is_websocket_request():
        return None
    config = current_app.config
    address = request.remote_addr or "unknown"
    refused = connection_counter().acquire(
        address,
        per_address=int(config.get("WS_MAX_CONNECTIONS_PER_ADDRESS", 200)),
        per_process=int(config.get("WS_MAX_CONNECTIONS_PER_PROCESS", 500)),
    )
    if refused is not None:
        metrics.WS_CLOSED.labels(request.path.rsplit("/", 1)[0] or "/ws", str(refused)).inc()
        detail = (
            "This server holds as many live connections as it can; retry shortly."
            if refused == 503
            else "Too many live connections from your address; close some and retry."
        )
        return problem(
            refused,
            "too_many_connections",
            "Too many connections",
            detail,
            headers={"Retry-After": "5"},
        )
    g.ws_slot_address = address
    return None


def give_connection_slot_back(exc: BaseException | None) -> None:
    address = g.pop("ws_slot_address", None)
    if address is not None:
        connection_counter().release(address)


@contextlib.contextmanager
def connection(ws: Any) -> Iterator[None]:
    """Serve one websocket and end it properly: close it (1000) if the handler did not, wait
    up to CLOSE_GRACE for the client's close frame, then shut the TCP connection down."""
    try:
        stream = ws.sock.dup()  # shutdown() must reach the socket even after ws.sock.close()
    except (AttributeError, OSError):
        stream = None
    try:
        yield
    finally:
        if ws.connected:
            with contextlib.suppress(ConnectionClosed, OSError):
                ws.close(reason=1000, message="bye")
        thread = getattr(ws, "thread", None)
        if thread is not None:
            thread.join(timeout=CLOSE_GRACE)
        if stream is not None:
            _lingering_close(stream)
        if thread is not None:
            thread.join(timeout=CLOSE_GRACE)


def _lingering_close(stream: socket.socket) -> None:
    """End the TCP connection the way HTTP servers do: FIN first, then read and discard what
    the client still sends (the rest of an oversized frame) until it closes or CLOSE_GRACE
    passes. Closing with unread data would send a reset instead, and a reset can make the
    client lose the close frame still in its buffer."""
    with contextlib.suppress(OSError):
        stream.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + CLOSE_GRACE
        while (remaining := deadline - time.monotonic()) > 0:
            stream.settimeout(remaining)
            if not stream.recv(65536):
                break
    with contextlib.suppress(OSError):
        stream.shutdown(socket.SHUT_RD)  # the server's own next read ends at once
    with contextlib.suppress(OSError):
        stream.settimeout(None)  # the descriptor is shared: leave it blocking
    stream.close()
