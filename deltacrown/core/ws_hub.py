"""One I/O hub per process for every open websocket, instead of a thread per connection.

The handshake, the Origin check, the channel and the first authentication run in the request
thread (flask-sock routes the request); then the socket is handed to the hub (`adopt`): its
descriptor is duplicated for the hub and the server's own descriptor is replaced by a dead
one, so the server's later shutdown and close of "its" connection cannot touch the websocket,
and the request thread returns at once.

The hub is one thread running a `selectors` loop over non-blocking sockets:

* fan-out: one subscription per channel for the whole process; an event is JSON-encoded and
  framed once (server frames are unmasked and permessage-deflate is declined, so the same
  bytes go to every socket) and written with a non-blocking `send`; what the kernel does not
  take waits in a bounded outbox per socket (`WS_OUTBOX_BYTES`): past it the socket receives
  no further events until it has read what it holds, then it catches up from the channel's
  history (or is told to resync), like any gap;
* frames from clients are parsed here (wsproto, the message size limit); whatever needs the
  database, Redis or the app runs on a small pool of threads (`WS_WORKER_THREADS`) in an app
  context, one job at a time per socket, in order; while a socket has a job running, its
  events wait for it (up to `HELD_EVENTS`), so a socket sees replies and events in the order
  one thread serving it would have produced them;
* timers: heartbeat pings (and the 1008 close of a peer that did not answer the previous one),
  the handlers' own timers (token expiry, slot refresh, authentication deadline), and the
  closing handshake: after the close frame the hub waits up to `CLOSE_GRACE` for the client's
  close frame, half-closes, discards what still arrives for up to `CLOSE_GRACE` and closes.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import logging
import os
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from wsproto.events import CloseConnection

from deltacrown.core.ws_socket import (
    CLOSING,
    DONE,
    LINGER,
    OPEN,
    Conn,
    Job,
    detach,
    text_frame,
)

log = logging.getLogger(__name__)

CLOSE_GRACE = 0.5  # seconds to wait for the client's close frame, then to drain after FIN
HELD_EVENTS = 256  # events kept for a socket while one of its jobs runs (more: a gap, refilled)


class Hub:
    """The per-process websocket loop (see the module docstring)."""

    def __init__(self, app: Flask) -> None:
        config = app.config
        self.app = app
        self.outbox_limit = int(config.get("WS_OUTBOX_BYTES", 256 * 1024))
        self.pid = os.getpid()
        self.selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._woken = False
        self.commands: deque[tuple[Job, tuple[Any, ...]]] = deque()
        self.timers: list[tuple[float, int, Conn | None, Job, tuple[Any, ...]]] = []
        self._order = itertools.count()
        self.members: dict[str, set[Conn]] = {}  # channel -> sockets following it
        self.room_members: dict[str, set[Conn]] = {}
        self._sinks: dict[str, Any] = {}
        self._sink_lock = threading.Lock()
        self.conns: set[Conn] = set()
        self.pool = ThreadPoolExecutor(
            max_workers=int(config.get("WS_WORKER_THREADS", 4)), thread_name_prefix="deltacrown-ws"
        )
        self.frames_encoded = 0  # events framed (once per event and process, not per socket)
        # Called once per event with (route, event, sockets it was sent to): the metrics.
        self.on_event: Callable[[str, dict[str, Any], int], None] | None = None
        self.thread = threading.Thread(target=self._loop, name="deltacrown-ws-hub", daemon=True)
        self.thread.start()

    # -- commands from other threads --------------------------------------------------------
    def call(self, fn: Job, *args: Any) -> None:
        """Run `fn(*args)` in the hub thread (at once when already there)."""
        if threading.get_ident() == self.thread.ident:
            fn(*args)
            return
        self.commands.append((fn, args))
        if not self._woken:
            self._woken = True
            with contextlib.suppress(BlockingIOError):
                self._wake_w.send(b"\0")

    def adopt(
        self,
        sock: socket.socket,
        ws: Any,
        *,
        max_message_size: int | None,
        ping_interval: float | None,
        on_release: Callable[[], None] | None = None,
    ) -> Conn:
        conn = Conn(
            self,
            detach(sock),
            ws,
            max_message_size=max_message_size,
            ping_interval=ping_interval,
            on_release=on_release,
        )
        self.call(self.conns.add, conn)
        return conn

    def ensure_sink(self, channel: str) -> None:
        from deltacrown.core import realtime

        with self._sink_lock:
            if channel not in self._sinks:
                with self.app.app_context():
                    self._sinks[channel] = realtime.subscribe(channel, sink=self._on_event)

    def _on_event(self, channel: str, message: dict[str, Any]) -> None:
        self.call(self.fan_out, channel, message)

    # -- the loop ---------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            try:
                self._turn()
            except Exception:  # a bug must not stop every socket of the process
                log.exception("websocket hub error")

    def _turn(self) -> None:
        timeout = 1.0
        if self.commands:
            timeout = 0
        elif self.timers:
            timeout = min(timeout, max(0.0, self.timers[0][0] - time.monotonic()))
        for key, mask in self.selector.select(timeout):
            conn = key.data
            if conn is None:
                self._woken = False
                with contextlib.suppress(BlockingIOError):
                    while self._wake_r.recv(4096):
                        pass
                continue
            if mask & selectors.EVENT_WRITE:
                self.flush(conn)
            if mask & selectors.EVENT_READ:
                self.read(conn)
        self._woken = False
        while self.commands:
            fn, args = self.commands.popleft()
            fn(*args)
        now = time.monotonic()
        while self.timers and self.timers[0][0] <= now:
            _, _, conn, fn, args = heapq.heappop(self.timers)
            if conn is None or conn.state != DONE:
                fn(*args)

    def schedule(self, delay: float, conn: Conn | None, fn: Job, args: tuple[Any, ...]) -> None:
        entry = (time.monotonic() + delay, next(self._order), conn, fn, args)
        heapq.heappush(self.timers, entry)

    def start(self, conn: Conn) -> None:
        conn.released = True
        if conn.stopped:
            self._handler_end(conn)
        if conn.out:
            self.flush(conn)
        if conn.state == OPEN:
            conn.reading = True
            self._interest(conn)
            if conn.ping_interval:
                self.schedule(conn.ping_interval, conn, conn.heartbeat, ())
        self.job_done(conn)

    def _interest(self, conn: Conn) -> None:
        mask = (selectors.EVENT_READ if conn.reading else 0) | (
            selectors.EVENT_WRITE if conn.out and conn.released else 0
        )
        if mask == conn.mask:
            return
        try:
            if conn.mask == 0:
                self.selector.register(conn.sock, mask, conn)
            elif mask == 0:
                self.selector.unregister(conn.sock)
            else:
                self.selector.modify(conn.sock, mask, conn)
        except (OSError, ValueError, KeyError):
            self.end(conn)
            return
        conn.mask = mask

    # -- writing ----------------------------------------------------------------------------
    def send(self, conn: Conn, frame: bytes) -> None:
        """A message frame: only while the socket is open (not after our close frame)."""
        if conn.state == OPEN:
            self.write(conn, frame)

    def write(self, conn: Conn, data: bytes) -> None:
        if conn.state == DONE or not data:
            return
        if conn.out or not conn.released:  # the request thread's frames leave once it is done
            conn.out.append(data)
            conn.out_bytes += len(data)
            if conn.out_bytes > 16 * self.outbox_limit:  # replies piling up unread: give up
                self.end(conn)
            return
        try:
            sent = conn.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self.end(conn)
            return
        if sent < len(data):
            conn.out.append(data[sent:])
            conn.out_bytes += len(data) - sent
            self._interest(conn)

    def flush(self, conn: Conn) -> None:
        while conn.out:
            data = conn.out[0]
            try:
                sent = conn.sock.send(data)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self.end(conn)
                return
            conn.out_bytes -= sent
            if sent < len(data):
                conn.out[0] = data[sent:]
                return
            conn.out.popleft()
        self._interest(conn)
        if conn.state == LINGER:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_WR)
        elif conn.behind and not conn.busy:
            self._catch_up(conn)

    def _catch_up(self, conn: Conn) -> None:
        conn.behind = False
        if conn.catch_up is not None:
            self.run(conn, conn.catch_up, ())

    # -- fan-out ----------------------------------------------------------------------------
    def fan_out(self, channel: str, message: dict[str, Any]) -> None:
        delivered, route = 0, ""
        room = self.room_members.get(channel)
        if room:
            body = {k: v for k, v in message.items() if k != "seq"}
            body["room_seq"] = message.get("seq")
            frame = text_frame(json.dumps(body, separators=(",", ":")).encode())
            for conn in room:
                if conn.state == OPEN:
                    self.write(conn, frame)
                    delivered += 1
                    route = conn.route
        members = self.members.get(channel)
        if members:
            encoded = getattr(message, "encoded", None)
            text = encoded() if encoded is not None else json.dumps(message, separators=(",", ":"))
            frame = text_frame(text.encode())  # once for every socket of the process
            self.frames_encoded += 1
            seq = int(message["seq"])
            for conn in members:
                if self.deliver(conn, message, seq, frame):
                    delivered += 1
                    route = conn.route
        if self.on_event is not None and delivered:
            self.on_event(route, message, delivered)

    def deliver(self, conn: Conn, message: dict[str, Any], seq: int, frame: bytes) -> int:
        """Send one channel event to `conn` when it is the next one; else hold it, skip it,
        or let the owner refill the gap. The number of frames sent (0 or 1)."""
        if conn.state != OPEN:
            return 0
        if conn.busy:
            if len(conn.held) < HELD_EVENTS:
                conn.held.append((message, frame))
            else:
                conn.behind = True
            return 0
        handler: Any = conn.handler
        last = handler.last_sent
        if seq <= last or conn.behind:  # behind: it catches up once its outbox has drained
            return 0
        if conn.out_bytes > self.outbox_limit:
            conn.behind = True
            return 0
        if seq == last + 1:
            self.write(conn, frame)
            handler.last_sent = seq
            return 1
        self.run(conn, handler.forward, (message,))  # a gap: refilled from the history
        return 0

    def refill(self, conn: Conn, events: list[dict[str, Any]]) -> None:
        """Send kept events the socket missed, in order, as far as its outbox allows (the
        rest on its next catch-up)."""
        handler: Any = conn.handler
        sent = 0
        for message in events:
            seq = int(message["seq"])
            if seq <= handler.last_sent:
                continue
            if seq != handler.last_sent + 1 or conn.state != OPEN:
                break
            if conn.out_bytes > self.outbox_limit:
                conn.behind = True
                break
            self.write(conn, text_frame(json.dumps(message, separators=(",", ":")).encode()))
            handler.last_sent = seq
            sent += 1
        if self.on_event is not None and sent:
            self.on_event(conn.route, {}, sent)

    def register(self, conn: Conn, channel: str, room: bool) -> None:
        if conn.state == DONE:
            return
        if room:
            self.unregister_room(conn)
            conn.room = channel
            self.room_members.setdefault(channel, set()).add(conn)
        else:
            conn.channels.add(channel)
            self.members.setdefault(channel, set()).add(conn)

    def unregister_room(self, conn: Conn) -> None:
        if conn.room is not None:
            self._leave(self.room_members, conn.room, conn)
            conn.room = None

    def _leave(self, table: dict[str, set[Conn]], channel: str, conn: Conn) -> None:
        members = table.get(channel)
        if members is None:
            return
        members.discard(conn)
        if not members:
            del table[channel]
            if channel not in self.members and channel not in self.room_members:
                with self._sink_lock:
                    sub = self._sinks.pop(channel, None)
                if sub is not None:
                    sub.close()

    # -- jobs -------------------------------------------------------------------------------
    def run(self, conn: Conn, job: Job, args: tuple[Any, ...]) -> None:
        if conn.state == DONE:
            return
        conn.jobs.append((job, args))
        if not conn.busy:
            self._next_job(conn)

    def _next_job(self, conn: Conn) -> None:
        conn.busy = True
        job, args = conn.jobs.popleft()
        self.pool.submit(self._job, conn, job, args)

    def _job(self, conn: Conn, job: Job, args: tuple[Any, ...]) -> None:
        try:
            with self.app.app_context():
                job(*args)
        except Exception:
            log.exception("websocket job failed")
        finally:
            self.call(self.job_done, conn)

    def job_done(self, conn: Conn) -> None:
        if conn.state == DONE:
            conn.busy = False
            return
        if conn.jobs:
            self._next_job(conn)
            return
        conn.busy = False
        held, conn.held = conn.held, []
        for message, frame in held:
            self.deliver(conn, message, int(message["seq"]), frame)
        if conn.behind and not conn.out and not conn.busy:
            self._catch_up(conn)

    # -- reading ----------------------------------------------------------------------------
    def read(self, conn: Conn) -> None:
        conn.readable()

    # -- timers and the end -----------------------------------------------------------------
    def close(self, conn: Conn, code: int, reason: str) -> None:
        """Send the close frame; the TCP connection ends after the client's close frame or
        CLOSE_GRACE, whichever comes first."""
        if conn.state != OPEN:
            return
        with contextlib.suppress(Exception):
            self.write(conn, conn.ws.send(CloseConnection(code, reason)))
        if conn.state == DONE:
            return
        conn.state = CLOSING
        self._stop(conn)
        conn.reading = True  # for the client's close frame
        self._interest(conn)
        self.schedule(CLOSE_GRACE, conn, self.linger, (conn,))

    def linger(self, conn: Conn) -> None:
        """FIN first, then read and discard until the client closes or CLOSE_GRACE passes
        (closing with unread data would send a reset, which can lose the close frame)."""
        if conn.state not in (OPEN, CLOSING):
            return
        conn.state = LINGER
        self._stop(conn)
        conn.reading = True
        self._interest(conn)
        if conn.state == DONE:
            return
        if not conn.out:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_WR)
        self.schedule(CLOSE_GRACE, conn, self.end, (conn,))

    def _stop(self, conn: Conn) -> None:
        """The socket left OPEN: no more events; its handler's end (slots, gauges) runs now,
        not after the closing handshake."""
        if conn.stopped:
            return
        conn.stopped = True
        for channel in conn.channels:
            self._leave(self.members, channel, conn)
        conn.channels.clear()
        self.unregister_room(conn)
        conn.held = []
        if conn.released:
            self._handler_end(conn)

    def _handler_end(self, conn: Conn) -> None:
        try:
            conn.handler.on_end()
        except Exception:
            log.exception("websocket end failed")

    def end(self, conn: Conn) -> None:
        if conn.state == DONE:
            return
        conn.state = DONE
        if conn.mask:
            with contextlib.suppress(OSError, ValueError, KeyError):
                self.selector.unregister(conn.sock)
            conn.mask = 0
        with contextlib.suppress(OSError):
            conn.sock.close()
        conn.out.clear()
        conn.out_bytes = 0
        self._stop(conn)
        self.conns.discard(conn)
        if conn.on_release is not None:
            conn.on_release()

    def submit(self, job: Job, *args: Any) -> None:
        """Run `job(*args)` on the pool in an app context, unordered (cleanup after the end)."""

        def run() -> None:
            try:
                with self.app.app_context():
                    job(*args)
            except Exception:
                log.exception("websocket job failed")

        self.pool.submit(run)


_hubs_lock = threading.Lock()


def hub_of(app: Flask) -> Hub:
    """This process's hub for `app` (made on first use, again in a forked child)."""
    found: Hub | None = app.extensions.get("deltacrown_ws_hub")
    if found is not None and found.pid == os.getpid():
        return found
    with _hubs_lock:
        found = app.extensions.get("deltacrown_ws_hub")
        if found is None or found.pid != os.getpid():
            found = app.extensions["deltacrown_ws_hub"] = Hub(app)
        return found
