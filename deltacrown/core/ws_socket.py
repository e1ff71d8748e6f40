"""One websocket held by the process's hub (`core.ws_hub`): its socket, the wsproto
connection, the outbox, the jobs waiting for the pool, and the calls other threads make on it
(each turned into a command the hub thread runs)."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wsproto.connection import ConnectionState
from wsproto.events import BytesMessage, CloseConnection, Ping, Pong, TextMessage

if TYPE_CHECKING:
    from deltacrown.core.ws_hub import Hub

log = logging.getLogger(__name__)

OPEN, CLOSING, LINGER, DONE = range(4)
RECEIVE_BYTES = 65536

Job = Callable[..., Any]


def text_frame(payload: bytes) -> bytes:
    """One unmasked, unfragmented server text frame (RFC 6455 5.2)."""
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload


def detach(sock: socket.socket) -> socket.socket:
    """A non-blocking socket of the same connection for the hub; the server's descriptor now
    refers to one end of a closed socket pair, so its later shutdown(), reads and close()
    (gunicorn's graceful close, werkzeug's shutdown) act on that and not on the websocket."""
    fd = sock.fileno()
    mine = socket.socket(fileno=os.dup(fd))
    dead, other = socket.socketpair()
    other.close()
    os.dup2(dead.fileno(), fd)
    dead.close()
    mine.setblocking(False)
    with contextlib.suppress(OSError):  # events go out at once, not after the last one's ACK
        mine.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return mine


class SocketHandler:
    """What a socket's owner does with it (a live channel's follower, the ping route)."""

    def on_message(self, raw: str | bytes) -> None:  # in the hub thread
        return None

    def on_end(self) -> None:  # in the hub thread, once, when the socket is gone
        return None


class Conn:
    """One websocket held by the hub. `send`, `close`, `run`, `at`, `subscribe`,
    `join_room`, `leave_room` may be called from any thread."""

    def __init__(
        self,
        hub: Hub,
        sock: socket.socket,
        ws: Any,
        *,
        max_message_size: int | None,
        ping_interval: float | None,
        on_release: Callable[[], None] | None,
    ) -> None:
        self.hub = hub
        self.sock = sock
        self.ws = ws  # the wsproto connection, already open
        self.max_message_size = max_message_size
        self.ping_interval = ping_interval
        self.on_release = on_release  # gives the per-process/per-address slot back
        self.handler: SocketHandler = SocketHandler()
        self.state = OPEN
        self.reading = False
        self.mask = 0
        self.out: deque[bytes] = deque()
        self.out_bytes = 0
        self.behind = False  # events were skipped for a full outbox: catch up once drained
        self.catch_up: Job | None = None
        self.busy = True  # the request thread is the socket's first job
        self.jobs: deque[tuple[Job, tuple[Any, ...]]] = deque()
        self.held: list[tuple[dict[str, Any], bytes]] = []
        self.route = ""
        self.pong_received = True
        self.partial: list[Any] = []
        self.partial_size = 0
        self.channels: set[str] = set()
        self.room: str | None = None
        self.released = False  # the handler is in place
        self.stopped = False  # left OPEN: unsubscribed, the handler told

    # -- any thread ---------------------------------------------------------------------------
    def send(self, text: str) -> None:
        self.hub.call(self.hub.send, self, text_frame(text.encode()))

    def close(self, code: int, reason: str) -> None:
        self.hub.call(self.hub.close, self, code, reason)

    def run(self, job: Job, *args: Any) -> None:
        """Run `job(*args)` on the pool in an app context, after this socket's earlier jobs."""
        self.hub.call(self.hub.run, self, job, args)

    def at(self, delay: float, fn: Job, *args: Any) -> None:
        """Call `fn(*args)` in the hub thread in `delay` seconds (if the socket is open)."""
        self.hub.call(self.hub.schedule, delay, self, fn, args)

    def subscribe(self, channel: str) -> None:
        """Receive `channel`'s events from now on (its subscription is in place on return)."""
        self.hub.ensure_sink(channel)
        self.hub.call(self.hub.register, self, channel, False)

    def join_room(self, room: str) -> None:
        self.hub.ensure_sink(room)
        self.hub.call(self.hub.register, self, room, True)

    def leave_room(self) -> None:
        self.hub.call(self.hub.unregister_room, self)

    def refill(self, events: list[dict[str, Any]]) -> None:
        """Send these kept events (a catch-up), as far as the outbox allows."""
        self.hub.call(self.hub.refill, self, events)

    def release(self, handler: SocketHandler, route: str = "") -> None:
        """The request thread is done: the hub serves the socket with `handler` from now."""
        self.handler, self.route = handler, route
        self.hub.call(self.hub.start, self)

    @property
    def connected(self) -> bool:
        return self.state == OPEN

    def readable(self) -> None:
        """Read what the socket holds and act on its frames (hub thread)."""
        hub = self.hub
        if self.state == DONE:
            return
        try:
            data = self.sock.recv(RECEIVE_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            hub.end(self)
            return
        if self.state == LINGER:
            return  # discarded: the rest of an oversized frame, say
        try:
            self.ws.receive_data(data)
            for event in self.ws.events():
                if not self._on_frame(event):
                    break
        except Exception:  # a protocol error: nothing more can be read from this peer
            log.debug("websocket protocol error", exc_info=True)
            hub.end(self)

    def _on_frame(self, event: Any) -> bool:
        hub = self.hub
        if isinstance(event, TextMessage | BytesMessage):
            if self.state != OPEN:
                return True
            self.partial.append(event.data)
            self.partial_size += len(event.data)
            if self.max_message_size and self.partial_size > self.max_message_size:
                hub.close(self, 1009, "Message is too big")
                return False
            if event.message_finished:
                parts, self.partial, self.partial_size = self.partial, [], 0
                raw: Any = "".join(parts) if isinstance(parts[0], str) else b"".join(parts)
                try:
                    self.handler.on_message(raw)
                except Exception:  # a bug: logged (and reported), the socket lives on
                    log.exception("websocket message failed")
        elif isinstance(event, Ping):
            if self.ws.state == ConnectionState.OPEN:
                hub.write(self, self.ws.send(event.response()))
        elif isinstance(event, Pong):
            self.pong_received = True
        elif isinstance(event, CloseConnection):
            if self.ws.state == ConnectionState.REMOTE_CLOSING:
                hub.write(self, self.ws.send(event.response()))
            hub.linger(self)
            return False
        return True

    def heartbeat(self) -> None:
        """Ping the peer; close (1008) if it did not answer the previous ping."""
        hub = self.hub
        if self.state != OPEN:
            return
        if not self.pong_received:
            hub.close(self, 1008, "Ping/Pong timeout")
            return
        self.pong_received = False
        hub.write(self, self.ws.send(Ping()))
        if self.ping_interval:
            hub.schedule(self.ping_interval, self, self.heartbeat, ())
