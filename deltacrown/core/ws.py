"""Websocket plumbing shared by every live route: the Origin allow-list, JSON frames, /ws/ping,
and `follow()`, which serves a live channel (auth, gap-free events, resume, rate limits).

The request thread checks the Origin, resolves the channel and authenticates a `?token=`;
then the socket belongs to this process's hub (`core.ws_hub`), which fans events out and
runs the follower's message handling on its small pool of threads. Connection caps and the
hand-off live in `ws_connections`; the message bucket and per-user connection slots in
`ws_limits`."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, g, has_app_context, request

from deltacrown.core import metrics, ws_connections
from deltacrown.core.db import db
from deltacrown.core.ws_follower import (
    CLOSE_FORBIDDEN,
    CLOSE_INTERNAL,
    CLOSE_NOT_FOUND,
    CLOSE_POLICY,
    CLOSE_RATE_LIMITED,
    CLOSE_UNAUTHENTICATED,
    Channel,
    Close,
    Follower,
    Handler,
    Room,
    max_depth,
    parse_frame,
    send_error,
    send_json,
)
from deltacrown.core.ws_socket import Conn, SocketHandler

# What routes and tests use from here.
__all__ = [
    "CLOSE_FORBIDDEN",
    "CLOSE_NOT_FOUND",
    "CLOSE_POLICY",
    "CLOSE_RATE_LIMITED",
    "CLOSE_UNAUTHENTICATED",
    "Channel",
    "Close",
    "Follower",
    "Handler",
    "Room",
    "follow",
    "keep_while_starting",
    "origin_allowed",
    "parse_frame",
    "send_error",
    "send_json",
    "sock",
]

# The unbound websocket extension; `create_app` binds it, domains route on their own blueprint.
sock = ws_connections.LiveSock()

log = logging.getLogger(__name__)

bp = Blueprint("ws", __name__)

PING_IDLE_SECONDS = 60

bp.before_app_request(ws_connections.take_connection_slot)
bp.teardown_app_request(ws_connections.give_connection_slot_back)


def origin_allowed() -> bool:
    """Browsers must come from an allowed Origin; clients that send none (bots, apps) may."""
    origin = request.headers.get("Origin")
    if not origin:
        return True
    return origin in current_app.config.get("WS_ALLOWED_ORIGINS", [])


class PingOnly(SocketHandler):
    """/ws/ping: answers {"type": "pong"} to {"type": "ping"}, closes after a quiet minute."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.depth = max_depth()
        self.idle_since = time.monotonic()
        conn.at(PING_IDLE_SECONDS, self.check_idle)

    def check_idle(self) -> None:
        left = PING_IDLE_SECONDS - (time.monotonic() - self.idle_since)
        if left <= 0:
            self.conn.close(1000, "idle")
        else:
            self.conn.at(left, self.check_idle)

    def on_message(self, raw: str | bytes) -> None:
        self.idle_since = time.monotonic()
        message = parse_frame(self.conn, raw, self.depth)
        if message is None:
            return
        if message["type"] == "ping":
            send_json(self.conn, {"type": "pong"})
        else:
            send_error(self.conn, "unknown_type", f"Unknown message type {message['type']!r}.")


def keep_while_starting(*rows: Any) -> None:
    """Hold `rows` (a channel's match, tournament) until the app context that loaded them
    ends: the job starting a connection. The session's identity map holds rows weakly, so
    without this the channel's check and description, run while the connection starts, would
    each load them again (an anonymous follower of a public match cost 8 SELECTs, not 1)."""
    if has_app_context():
        g.setdefault("ws_kept_rows", []).extend(rows)


@sock.route("/ws/ping", bp=bp)
def ping(ws: Any) -> None:
    """Connectivity check: answers {"type": "pong"} to {"type": "ping"}."""
    conn = ws_connections.hand_off(ws)
    if not origin_allowed():
        conn.close(CLOSE_POLICY, "origin not allowed")
        conn.release(SocketHandler())
        return
    conn.release(PingOnly(conn))


def follow(ws: Any, resolve: Callable[[], Channel | None]) -> None:
    """Serve a live route: check the Origin, then hand the socket to the hub, whose pool
    resolves the channel (4404 when unknown), authenticates and follows the channel for the
    client until it leaves.

    The request thread only upgrades the connection: a crowd connecting at once (a final
    starting, every follower reconnecting after a deploy) queues behind the server's request
    threads for no more than the handshake, and REST requests queued with it are not kept
    waiting for each follower's database and Redis reads. Until the start is done the hub
    neither reads the socket nor sends it events (they are held, then sent in order)."""
    conn = ws_connections.hand_off(ws)
    if not origin_allowed():
        conn.close(CLOSE_POLICY, "origin not allowed")
        conn.release(SocketHandler())
        return
    conn.hub.submit(_start, conn, resolve, request.args.get("token"), request.path)


def _start(conn: Conn, resolve: Callable[[], Channel | None], token: str | None, path: str) -> None:
    """The socket's first job, on the hub's pool: resolve, authenticate, subscribe, then give
    the socket to its follower."""
    handler: SocketHandler = SocketHandler()
    route = ""
    try:
        channel = resolve()
        if channel is None:
            conn.close(CLOSE_NOT_FOUND, "not found")
            return
        route = channel.route
        follower = Follower(conn, channel)
        metrics.WS_CONNECTIONS.labels(route).inc()
        handler = follower
        follower.begin(token)
    except Exception:
        log.exception("websocket %s could not start", path)
        conn.close(CLOSE_INTERNAL, "internal error")
    finally:
        with contextlib.suppress(Exception):
            db.session.remove()  # no connection held while following
        conn.release(handler, route)
