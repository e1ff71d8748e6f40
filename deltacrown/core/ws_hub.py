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
  closing handshake (`core.ws_loop`, the loop itself).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask

from deltacrown.core import realtime
from deltacrown.core.threads import lower_this_thread, name_this_thread
from deltacrown.core.ws_loop import Loop
from deltacrown.core.ws_socket import (
    DONE,
    OPEN,
    Conn,
    Job,
    detach,
    text_frame,
)

log = logging.getLogger(__name__)

HELD_EVENTS = 256  # events kept for a socket while one of its jobs runs (more: a gap, refilled)


class Hub(Loop):
    """The per-process websocket hub (see the module docstring)."""

    def __init__(self, app: Flask) -> None:
        super().__init__()
        config = app.config
        self.app = app
        self.outbox_limit = int(config.get("WS_OUTBOX_BYTES", 256 * 1024))
        self.nice = int(config.get("WS_HUB_NICE", 10))
        self.members: dict[str, set[Conn]] = {}  # channel -> sockets following it
        self.room_members: dict[str, set[Conn]] = {}
        # channel -> [its subscription, registrations on their way to the hub thread]
        self._sinks: dict[str, list[Any]] = {}
        self._sink_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(
            max_workers=int(config.get("WS_WORKER_THREADS", 4)),
            thread_name_prefix="deltacrown-ws",
            initializer=self._pool_thread,
        )
        self.frames_encoded = 0  # events framed (once per event and process, not per socket)
        # Called once per event with (route, event, sockets it was sent to): the metrics.
        self.on_event: Callable[[str, dict[str, Any], int], None] | None = None
        self.thread.start()
        atexit.register(self.going_away)

    def _pool_thread(self) -> None:
        name_this_thread("dc-ws-job")
        lower_this_thread(self.nice)

    def going_away(self, timeout: float = 1.0) -> None:
        """The process is exiting (a restart, a deploy): send every socket a close frame
        (1001), so clients reconnect at once and `resume`, rather than wait for a ping to fail."""
        if os.getpid() != self.pid or not self.thread.is_alive():
            return
        done = threading.Event()

        def close_all() -> None:
            for conn in list(self.conns):
                self.close(conn, 1001, "going away")
            done.set()

        self.call(close_all)
        done.wait(timeout)

    # -- commands from other threads --------------------------------------------------------
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
        with self._sink_lock:
            entry = self._sinks.get(channel)
            if entry is None:
                with self.app.app_context():
                    sub = realtime.subscribe(channel, sink=self._on_event)
                entry = self._sinks[channel] = [sub, 0]
            entry[1] += 1  # kept until this registration has reached the hub thread

    def _on_event(self, channel: str, message: dict[str, Any]) -> None:
        self.call(self.fan_out, channel, message)

    # -- the hand-off -----------------------------------------------------------------------
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

    def drained(self, conn: Conn) -> None:
        if conn.behind and not conn.busy:
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
            for conn in tuple(room):  # a socket that fails ends, and leaves the set
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
            seq, size = int(message["seq"]), len(frame)
            for conn in tuple(members):
                route = conn.route
                handler: Any = conn.handler
                if (
                    conn.out
                    or conn.busy
                    or conn.behind
                    or conn.state != OPEN
                    or handler.last_sent != seq - 1
                ):
                    delivered += self.deliver(conn, message, seq, frame)
                    continue
                # The common case, inline: the next event for a socket with nothing queued.
                try:
                    sent = conn.sock.send(frame)
                except (BlockingIOError, InterruptedError):
                    sent = 0
                except OSError:
                    self.end(conn)
                    continue
                handler.last_sent = seq
                delivered += 1
                if sent < size:
                    conn.out.append(frame[sent:])
                    conn.out_bytes += size - sent
                    self._interest(conn)
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
        with self._sink_lock:
            self._sinks[channel][1] -= 1
        if conn.stopped:  # closed meanwhile
            self._drop_sink(channel)
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
            self._drop_sink(channel)

    def _drop_sink(self, channel: str) -> None:
        """Unsubscribe from `channel` once no socket follows it or is about to."""
        if channel in self.members or channel in self.room_members:
            return
        with self._sink_lock:
            entry = self._sinks.get(channel)
            if entry is None or entry[1] > 0:
                return
            del self._sinks[channel]
        entry[0].close()

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

    # -- the end ----------------------------------------------------------------------------
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

    def submit(self, job: Job, *args: Any) -> None:
        """Run `job(*args)` on the pool in an app context, outside any socket's queue of jobs:
        a socket's start (while it is still busy with it) and cleanup after its end."""

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
