"""Websocket plumbing shared by every live route: the Origin allow-list, JSON frames, /ws/ping,
and `follow()`, which serves a live channel (auth, gap-free events, resume, rate limits).
Connection caps and the end of a connection live in `ws_connections`; the message bucket and
per-user connection slots in `ws_limits`."""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from deltacrown.core import metrics, realtime, ws_connections
from deltacrown.core.auth import user_for_token
from deltacrown.core.db import db
from deltacrown.core.errors import AuthenticationError, DomainError
from deltacrown.core.inputs import DEFAULT_MAX_JSON_DEPTH, json_too_deep
from deltacrown.core.transaction import unit_of_work
from deltacrown.core.ws_connections import WAKE_INTERVAL, connection
from deltacrown.core.ws_limits import TokenBucket, slots

# The unbound websocket extension; `create_app` binds it, domains route on their own blueprint.
sock = Sock()

log = logging.getLogger(__name__)

bp = Blueprint("ws", __name__)

CLOSE_POLICY = 1008
PING_IDLE_SECONDS = 60

bp.before_app_request(ws_connections.take_connection_slot)
bp.teardown_app_request(ws_connections.give_connection_slot_back)


def origin_allowed() -> bool:
    """Browsers must come from an allowed Origin; clients that send none (bots, apps) may."""
    origin = request.headers.get("Origin")
    if not origin:
        return True
    return origin in current_app.config.get("WS_ALLOWED_ORIGINS", [])


def send_json(ws: Any, message: dict[str, Any]) -> None:
    ws.send(json.dumps(message, separators=(",", ":")))


def close(ws: Any, code: int, reason: str) -> None:
    """Send the close frame with `code`; `connection()` then waits briefly for the client's
    close frame (so it reads our code rather than a reset) and ends the TCP connection."""
    with contextlib.suppress(ConnectionClosed, OSError):
        ws.close(reason=code, message=reason)


def send_error(ws: Any, code: str, detail: str) -> None:
    send_json(ws, {"type": "error", "code": code, "detail": detail})


def parse_frame(ws: Any, raw: Any) -> dict[str, Any] | None:
    """A JSON object with a `type`, or None after telling the client what was wrong."""
    depth = int(current_app.config.get("MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))
    if isinstance(raw, str | bytes) and json_too_deep(raw, depth):
        send_error(ws, "json_too_deep", f"Frames may nest at most {depth} deep.")
        return None
    try:
        message = json.loads(raw)
    except (TypeError, ValueError):
        send_error(ws, "invalid_json", "Frames must be JSON objects.")
        return None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        send_error(ws, "invalid_message", 'Frames must be objects with a string "type".')
        return None
    return message


@sock.route("/ws/ping", bp=bp)
def ping(ws: Any) -> None:
    """Connectivity check: answers {"type": "pong"} to {"type": "ping"}."""
    with connection(ws):
        _ping(ws)


def _ping(ws: Any) -> None:
    if not origin_allowed():
        close(ws, CLOSE_POLICY, "origin not allowed")
        return
    idle_since = time.monotonic()
    try:
        while True:
            raw = ws.receive(timeout=WAKE_INTERVAL)
            if raw is None:
                if not ws.connected:
                    return
                if time.monotonic() - idle_since >= PING_IDLE_SECONDS:
                    close(ws, 1000, "idle")
                    return
                continue
            idle_since = time.monotonic()
            message = parse_frame(ws, raw)
            if message is None:
                continue
            if message["type"] == "ping":
                send_json(ws, {"type": "pong"})
            else:
                send_error(ws, "unknown_type", f"Unknown message type {message['type']!r}.")
    except ConnectionClosed:
        return


# ----- live channels -----------------------------------------------------------------------------
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_RATE_LIMITED = 4429
SLOT_REFRESH = 45.0
STRIKE_WINDOW = 10.0

Handler = Callable[[Any, dict[str, Any]], "dict[str, Any] | None"]


@dataclass
class Channel:
    """What a live route serves, resolved once per connection.

    `check(user)` answers None when `user` (None: anonymous) may follow, else the close code
    (4401 a token is needed, 4403 not allowed, 4404 hidden from this user). `describe(user)`
    adds route-specific fields to `connection_established`. `handlers` maps client message
    types to functions `(user, message) -> reply | None`, run in a unit of work. `room`: the
    members-only channel beside this one, if any.
    """

    name: str
    route: str
    check: Callable[[Any], int | None]
    describe: Callable[[Any], dict[str, Any]] = field(default=lambda user: {})
    handlers: dict[str, Handler] = field(default_factory=dict)
    room: Room | None = None


@dataclass
class Room:
    """A second channel beside a live channel that only some of its followers receive (a
    match's room: its sides, organizers, staff). `admits(user)` decides, when the follower
    is established and again on `auth`. Its events are forwarded as they arrive, numbered by
    their own `room_seq` (the channel's `seq` stays gap-free); clients re-read the room
    over REST after a reconnect."""

    name: str
    admits: Callable[[Any], bool]


class Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


class Follower:
    """One websocket following one channel: authentication, the event stream with gap-free
    `seq` (refilled from the kept history after a gap, replayed on `resume`), client
    messages under a rate limit, and the connection limit per user."""

    def __init__(self, ws: Any, channel: Channel) -> None:
        config = current_app.config
        self.ws = ws
        self.channel = channel
        self.route = channel.route
        self.conn_id = uuid.uuid4().hex
        self.user: Any = None
        self.expires: float | None = None  # token expiry (epoch seconds)
        self.slot_refreshed = 0.0
        self.last_sent = 0
        self.sub: realtime.Subscription | None = None
        self.room_sub: realtime.Subscription | None = None
        self.bucket = TokenBucket(float(config.get("WS_RATE_LIMIT", 10)))
        self.max_strikes = int(config.get("WS_RATE_LIMIT_STRIKES", 20))
        self.strikes: deque[float] = deque()
        self.max_conns = int(config.get("WS_MAX_CONNECTIONS_PER_USER", 5))
        self.auth_timeout = float(config.get("WS_AUTH_TIMEOUT", 10))
        self.ping_interval = current_app.config.get("SOCK_SERVER_OPTIONS", {}).get("ping_interval")

    # -- sending --------------------------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        metrics.WS_MESSAGES_OUT.labels(self.route).inc()
        send_json(self.ws, message)

    def send_event(self, message: dict[str, Any]) -> None:
        metrics.WS_MESSAGES_OUT.labels(self.route).inc()
        if isinstance(message, realtime.Event):  # encoded once for every follower
            self.ws.send(message.encoded())
        else:
            send_json(self.ws, message)
        self.last_sent = int(message["seq"])
        try:
            sent_at = datetime.fromisoformat(str(message["ts"]))
            metrics.WS_BROADCAST_LATENCY.observe(max(0.0, time.time() - sent_at.timestamp()))
        except (KeyError, ValueError):
            pass

    def error(self, code: str, detail: str, **extra: Any) -> None:
        self.send({"type": "error", "code": code, "detail": detail, **extra})

    # -- identity -------------------------------------------------------------------------------
    def authenticate(self, token: Any) -> None:
        """Become the token's user (closing 4401 on a bad token, 4403/4404 when that user may
        not follow, 4429 past the connection limit)."""
        if not isinstance(token, str) or not token:
            raise Close(CLOSE_UNAUTHENTICATED, "token required")
        try:
            user, expires = user_for_token(token)
        except AuthenticationError as exc:
            raise Close(CLOSE_UNAUTHENTICATED, exc.code) from None
        except DomainError as exc:  # the account may not act (banned): 4403 with the code
            raise Close(CLOSE_FORBIDDEN, exc.code) from None
        code = self.channel.check(user)
        if code is not None:
            raise Close(code, "not allowed" if code == CLOSE_FORBIDDEN else "not found")
        if self.user is None or self.user.id != user.id:
            if not slots().acquire(user.id, self.conn_id, self.max_conns):
                raise Close(CLOSE_RATE_LIMITED, "too many connections")
            if self.user is not None:
                slots().release(self.user.id, self.conn_id)
            self.slot_refreshed = time.monotonic()
        self.user, self.expires = user, expires.timestamp()

    def wait_for_auth(self) -> None:
        """Private channels: the first message must be `auth` (pings are answered)."""
        deadline = time.monotonic() + self.auth_timeout
        while self.user is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Close(CLOSE_UNAUTHENTICATED, "authentication required")
            raw = self.ws.receive(timeout=min(remaining, WAKE_INTERVAL))
            if raw is None:
                if not self.ws.connected:
                    raise ConnectionClosed(self.ws.close_reason, self.ws.close_message)
                continue
            metrics.WS_MESSAGES_IN.labels(self.route).inc()
            message = parse_frame(self.ws, raw)
            if message is None:
                continue
            if message["type"] == "ping":
                self.send({"type": "pong"})
            elif message["type"] == "auth":
                self.authenticate(message.get("token"))
            else:
                raise Close(CLOSE_UNAUTHENTICATED, "authenticate first")

    # -- the stream -----------------------------------------------------------------------------
    def forward(self, message: dict[str, Any]) -> None:
        """Send a channel event in order: older ones are skipped, a gap is refilled from the
        kept history (or the client is told to resync)."""
        seq = int(message["seq"])
        if seq <= self.last_sent:
            return
        if seq > self.last_sent + 1:
            missed = realtime.history(self.channel.name, self.last_sent)
            if missed is None:
                self.send({"type": "resync_required", "data": {"last_seq": seq - 1}})
                self.last_sent = seq - 1
            else:
                for earlier in missed:
                    if self.last_sent < int(earlier["seq"]) < seq:
                        self.send_event(earlier)
        self.send_event(message)

    def resume(self, after_seq: Any) -> None:
        if isinstance(after_seq, bool) or not isinstance(after_seq, int) or after_seq < 0:
            self.error("invalid_message", '"after_seq" must be a non-negative integer.')
            return
        missed = realtime.history(self.channel.name, after_seq)
        if missed is None:
            last = realtime.last_seq(self.channel.name)
            self.send({"type": "resync_required", "data": {"last_seq": last}})
            self.last_sent = max(self.last_sent, last)
            return
        for message in missed:
            self.send_event(message)
        self.send({"type": "resumed", "data": {"after_seq": after_seq, "replayed": len(missed)}})

    def drain_events(self) -> None:
        if self.room_sub is not None:
            while (message := self.room_sub.get(timeout=0)) is not None:
                room_event = {k: v for k, v in message.items() if k != "seq"}
                self.send({**room_event, "room_seq": message.get("seq")})
        if self.sub is None:
            return
        # Events dropped for a slow reader show up as a gap, which forward() refills.
        self.sub.overflowed = False
        while (message := self.sub.get(timeout=0)) is not None:
            self.forward(message)

    def join_room(self) -> None:
        """Receive the channel's room too while the current user is one of its members."""
        room = self.channel.room
        if room is None:
            return
        admitted = self.user is not None and room.admits(self.user)
        if admitted and self.room_sub is None:
            self.room_sub = realtime.subscribe(room.name, notify=self.ws.event.set)
        elif not admitted and self.room_sub is not None:  # signed in again as someone else
            self.room_sub.close()
            self.room_sub = None

    # -- client messages ------------------------------------------------------------------------
    def handle(self, raw: Any) -> None:
        metrics.WS_MESSAGES_IN.labels(self.route).inc()
        if not self.bucket.take():
            now = time.monotonic()
            self.strikes.append(now)
            while self.strikes and self.strikes[0] < now - STRIKE_WINDOW:
                self.strikes.popleft()
            if len(self.strikes) >= self.max_strikes:
                raise Close(CLOSE_RATE_LIMITED, "rate limited")
            self.error(
                "rate_limited",
                "Too many messages; slow down.",
                retry_after_ms=self.bucket.wait_ms(),
            )
            return
        message = parse_frame(self.ws, raw)
        if message is None:
            return
        kind = message["type"]
        if kind == "ping":
            self.send({"type": "pong"})
        elif kind == "auth":
            try:
                self.authenticate(message.get("token"))
                identity = self.identity()
                if self.sub is not None:
                    self.join_room()
            finally:
                db.session.remove()
            self.send({"type": "authenticated", "data": identity})
        elif kind == "resume":
            self.resume(message.get("after_seq"))
        elif kind in self.channel.handlers:
            self.run_handler(kind, message)
        else:
            self.error("unknown_type", f"Unknown message type {kind!r}.")

    def run_handler(self, kind: str, message: dict[str, Any]) -> None:
        if self.user is None:
            self.error("authentication_required", f"Send an auth message before {kind!r}.")
            return
        try:
            with unit_of_work():
                reply = self.channel.handlers[kind](self.user, message)
        except DomainError as exc:
            extra = {"errors": exc.errors} if getattr(exc, "errors", None) else {}
            self.error(exc.code, exc.detail or exc.title, **extra)
            return
        except Exception:  # a bug: logged (and reported), the socket lives on
            log.exception("websocket handler %r failed", kind)
            self.error("internal_error", "The message could not be processed.")
            return
        finally:
            db.session.remove()
        if reply is not None:
            self.send(reply)

    def identity(self) -> dict[str, Any]:
        user = self.user
        return {
            "user_id": getattr(user, "id", None),
            "username": getattr(user, "username", None),
            **self.channel.describe(user),
        }

    # -- the connection -------------------------------------------------------------------------
    def serve(self, token: str | None) -> None:
        try:
            if token:
                self.authenticate(token)
            else:
                code = self.channel.check(None)
                if code == CLOSE_UNAUTHENTICATED:
                    self.wait_for_auth()
                elif code is not None:
                    raise Close(code, "not found" if code == CLOSE_NOT_FOUND else "not allowed")
            established = self.identity()
            self.join_room()
            db.session.remove()  # no connection held while following
            self.sub = realtime.subscribe(self.channel.name, notify=self.ws.event.set)
            self.last_sent = realtime.last_seq(self.channel.name)
            self.send(
                {
                    "type": "connection_established",
                    "data": {
                        "channel": self.channel.name,
                        "last_seq": self.last_sent,
                        "heartbeat_interval": self.ping_interval,
                        **established,
                    },
                }
            )
            self.loop()
        except Close as close_:
            metrics.WS_CLOSED.labels(self.route, str(close_.code)).inc()
            close(self.ws, close_.code, close_.reason)
        finally:
            if self.sub is not None:
                self.sub.close()
            if self.room_sub is not None:
                self.room_sub.close()
            if self.user is not None:
                with contextlib.suppress(Exception):
                    slots().release(self.user.id, self.conn_id)
            db.session.remove()

    def loop(self) -> None:
        while True:
            while (raw := self.ws.receive(timeout=0)) is not None:
                self.handle(raw)
            self.drain_events()
            now = time.time()
            if self.expires is not None and now >= self.expires:
                raise Close(CLOSE_UNAUTHENTICATED, "token expired")
            if self.user is not None and time.monotonic() - self.slot_refreshed > SLOT_REFRESH:
                slots().refresh(self.user.id, self.conn_id)
                self.slot_refreshed = time.monotonic()
            timeout = SLOT_REFRESH
            if self.expires is not None:
                timeout = min(timeout, max(0.0, self.expires - now))
            self.ws.event.wait(timeout=min(timeout, WAKE_INTERVAL))
            if not self.ws.connected:
                return


def follow(ws: Any, resolve: Callable[[], Channel | None]) -> None:
    """Serve a live route: check the Origin, resolve the channel (4404 when unknown), then
    follow it until the client leaves."""
    with connection(ws):
        _follow(ws, resolve)


def _follow(ws: Any, resolve: Callable[[], Channel | None]) -> None:
    if not origin_allowed():
        close(ws, CLOSE_POLICY, "origin not allowed")
        return
    channel = resolve()
    if channel is None:
        close(ws, CLOSE_NOT_FOUND, "not found")
        return
    metrics.WS_CONNECTIONS.labels(channel.route).inc()
    try:
        Follower(ws, channel).serve(request.args.get("token"))
    finally:
        metrics.WS_CONNECTIONS.labels(channel.route).dec()
