"""The event loop under the websocket hub (`core.ws_hub`): one thread, a `selectors` loop
over non-blocking sockets, commands other threads hand it (`call`), timers, writes with a
per-socket outbox, and the end of a connection: after the close frame it waits up to
`CLOSE_GRACE` for the client's close frame, half-closes (FIN), discards what still arrives
for up to `CLOSE_GRACE` and closes, as RFC 6455 asks."""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import os
import selectors
import socket
import threading
import time
from collections import deque
from typing import Any

from wsproto.events import CloseConnection

from deltacrown.core.threads import lower_this_thread, name_this_thread
from deltacrown.core.ws_socket import CLOSING, DONE, LINGER, OPEN, Conn, Job

log = logging.getLogger(__name__)

CLOSE_GRACE = 0.5  # seconds to wait for the client's close frame, then to drain after FIN


class Loop:
    """One thread serving sockets; `Hub` adds channels, fan-out and jobs."""

    outbox_limit = 256 * 1024
    # The loop thread's niceness (Linux: per thread). Above 0, the operating system lets a
    # request thread of the same process run first while a large fan-out keeps this one busy.
    nice = 0

    def __init__(self) -> None:
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
        self.conns: set[Conn] = set()
        self.thread = threading.Thread(target=self._loop, name="deltacrown-ws-hub", daemon=True)

    def drained(self, conn: Conn) -> None:
        """`conn`'s outbox has just emptied."""

    def _stop(self, conn: Conn) -> None:
        """`conn` left OPEN: no more events for it."""

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

    def _loop(self) -> None:
        name_this_thread("dc-ws-hub")
        lower_this_thread(self.nice)
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
        else:
            self.drained(conn)

    def read(self, conn: Conn) -> None:
        conn.readable()

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
