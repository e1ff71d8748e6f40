"""A live channel's follower: authentication, the event stream with gap-free `seq`, client
messages under a rate limit, and the connection limit per user.

A follower's socket is held by the process's hub (`core.ws_hub`). The hub sends the channel's
next event itself; the follower's own methods run either in the hub thread (`on_message`,
`admit`, the timers: cheap, no I/O) or as the socket's jobs on the hub's pool, in an app
context (`process`, `forward` after a gap, `resume`, `catch_up`, the slot refresh), one at a
time and in order."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app

from deltacrown.core import metrics, realtime
from deltacrown.core.auth import user_for_token
from deltacrown.core.db import db
from deltacrown.core.errors import AuthenticationError, DomainError
from deltacrown.core.inputs import DEFAULT_MAX_JSON_DEPTH, INT64_MAX, json_too_deep
from deltacrown.core.transaction import unit_of_work
from deltacrown.core.ws_limits import TokenBucket, slots
from deltacrown.core.ws_socket import SocketHandler

log = logging.getLogger(__name__)

CLOSE_POLICY = 1008
CLOSE_INTERNAL = 1011
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_RATE_LIMITED = 4429
SLOT_REFRESH = 45.0
STRIKE_WINDOW = 10.0
SMALL_FRAME = 128  # client frames this short are checked for a ping in the hub thread

Handler = Callable[[Any, dict[str, Any]], "dict[str, Any] | None"]


def send_json(ws: Any, message: dict[str, Any]) -> None:
    ws.send(json.dumps(message, separators=(",", ":")))


def send_error(ws: Any, code: str, detail: str) -> None:
    send_json(ws, {"type": "error", "code": code, "detail": detail})


def max_depth() -> int:
    return int(current_app.config.get("MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))


def parse_frame(ws: Any, raw: Any, depth: int | None = None) -> dict[str, Any] | None:
    """A JSON object with a `type`, or None after telling the client what was wrong."""
    depth = max_depth() if depth is None else depth
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


class Follower(SocketHandler):
    """One websocket following one channel. `ws` is the hub's socket (`ws_hub.Conn`), or
    any object with `send(text)` when used alone."""

    def __init__(self, ws: Any, channel: Channel) -> None:
        config = current_app.config
        self.ws = ws
        self.channel = channel
        self.route = channel.route
        self.conn_id = uuid.uuid4().hex
        self.user: Any = None
        self.user_id: int | None = None
        self.expires: float | None = None  # token expiry (epoch seconds)
        self.last_sent = 0
        self.subscribed = False
        self.in_room = False
        self.awaiting_auth = False
        self.refreshing = False
        self.depth = max_depth()
        self.bucket = TokenBucket(float(config.get("WS_RATE_LIMIT", 10)))
        self.max_strikes = int(config.get("WS_RATE_LIMIT_STRIKES", 20))
        self.strikes: deque[float] = deque()
        self.max_conns = int(config.get("WS_MAX_CONNECTIONS_PER_USER", 5))
        self.auth_timeout = float(config.get("WS_AUTH_TIMEOUT", 10))
        self.ping_interval = config.get("SOCK_SERVER_OPTIONS", {}).get("ping_interval")
        if hasattr(ws, "catch_up"):
            ws.catch_up = self.catch_up

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
        observe_latency(message)

    def error(self, code: str, detail: str, **extra: Any) -> None:
        self.send({"type": "error", "code": code, "detail": detail, **extra})

    def closed_with(self, close: Close) -> None:
        metrics.WS_CLOSED.labels(self.route, str(close.code)).inc()
        self.ws.close(close.code, close.reason)

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
        if self.user is None or self.user_id != user.id:
            if not slots().acquire(user.id, self.conn_id, self.max_conns):
                raise Close(CLOSE_RATE_LIMITED, "too many connections")
            if self.user_id is not None:
                slots().release(self.user_id, self.conn_id)
        self.user, self.user_id, self.expires = user, user.id, expires.timestamp()
        if hasattr(self.ws, "at"):
            self.ws.at(max(0.0, self.expires - time.time()), self.check_expiry)
            if not self.refreshing:
                self.refreshing = True
                self.ws.at(SLOT_REFRESH, self.slot_due)

    def check_expiry(self) -> None:  # hub thread
        if self.expires is None:
            return
        left = self.expires - time.time()
        if left <= 0:
            self.closed_with(Close(CLOSE_UNAUTHENTICATED, "token expired"))
        else:
            self.ws.at(left, self.check_expiry)

    def slot_due(self) -> None:  # hub thread
        self.ws.run(self.job, self.refresh_slot)
        self.ws.at(SLOT_REFRESH, self.slot_due)

    def refresh_slot(self) -> None:
        if self.user_id is not None:
            slots().refresh(self.user_id, self.conn_id)

    def identity(self) -> dict[str, Any]:
        user = self.user
        return {
            "user_id": getattr(user, "id", None),
            "username": getattr(user, "username", None),
            **self.channel.describe(user),
        }

    # -- the start ------------------------------------------------------------------------------
    def begin(self, token: str | None) -> None:
        """In the request thread: authenticate `token`, or wait for an `auth` message on a
        private channel, or start at once."""
        try:
            if token:
                self.authenticate(token)
            else:
                code = self.channel.check(None)
                if code == CLOSE_UNAUTHENTICATED:
                    self.awaiting_auth = True
                    self.ws.at(self.auth_timeout, self.auth_deadline)
                    return
                if code is not None:
                    raise Close(code, "not found" if code == CLOSE_NOT_FOUND else "not allowed")
            self.start()
        except Close as close:
            self.closed_with(close)

    def start(self) -> None:
        established = self.identity()
        self.join_room()
        self.ws.subscribe(self.channel.name)  # in place before the channel's last seq is read
        self.subscribed = True
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

    def auth_deadline(self) -> None:  # hub thread
        if self.awaiting_auth:
            self.closed_with(Close(CLOSE_UNAUTHENTICATED, "authentication required"))

    def pre_auth(self, raw: Any) -> None:
        """Private channels: the first message must be `auth` (pings are answered)."""
        if not self.awaiting_auth:  # authenticated by an earlier message meanwhile
            self.process(raw)
            return
        message = parse_frame(self.ws, raw, self.depth)
        if message is None:
            return
        if message["type"] == "ping":
            self.send({"type": "pong"})
        elif message["type"] == "auth":
            self.authenticate(message.get("token"))
            self.awaiting_auth = False
            self.start()
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

    def catch_up(self) -> None:
        """After events were skipped for a full outbox: the kept events since the last one
        sent (as many as the outbox takes; the hub asks again for the rest), or
        `resync_required`."""
        last = realtime.last_seq(self.channel.name)
        if last <= self.last_sent:
            return
        missed = realtime.history(self.channel.name, self.last_sent)
        if missed is None:
            self.send({"type": "resync_required", "data": {"last_seq": last}})
            self.last_sent = last
            return
        self.ws.refill(missed)

    def resume(self, after_seq: Any) -> None:
        if (
            isinstance(after_seq, bool)
            or not isinstance(after_seq, int)
            or not 0 <= after_seq <= INT64_MAX  # a sequence number is a Redis INCR's
        ):
            self.error("invalid_message", '"after_seq" must be a non-negative 64-bit integer.')
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

    def join_room(self) -> None:
        """Receive the channel's room too while the current user is one of its members."""
        room = self.channel.room
        if room is None:
            return
        admitted = self.user is not None and room.admits(self.user)
        if admitted and not self.in_room:
            self.ws.join_room(room.name)
            self.in_room = True
        elif not admitted and self.in_room:  # signed in again as someone else
            self.ws.leave_room()
            self.in_room = False

    # -- client messages ------------------------------------------------------------------------
    def on_message(self, raw: str | bytes) -> None:  # hub thread
        metrics.WS_MESSAGES_IN.labels(self.route).inc()
        if self.awaiting_auth:
            self.ws.run(self.job, self.pre_auth, raw)
            return
        try:
            if not self.admit():
                return
        except Close as close:
            self.closed_with(close)
            return
        if not self.ws.busy and len(raw) <= SMALL_FRAME:
            try:
                message = json.loads(raw)
            except ValueError:
                message = None
            if isinstance(message, dict) and message.get("type") == "ping":
                self.send({"type": "pong"})
                return
        self.ws.run(self.job, self.process, raw)

    def job(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run one of this socket's jobs (on the hub's pool, in an app context)."""
        try:
            fn(*args)
        except Close as close:
            self.closed_with(close)
        finally:
            db.session.remove()

    def admit(self) -> bool:
        """Take a token from the message bucket; else answer `rate_limited` (and close with
        4429 after too many refusals)."""
        if self.bucket.take():
            return True
        now = time.monotonic()
        self.strikes.append(now)
        while self.strikes and self.strikes[0] < now - STRIKE_WINDOW:
            self.strikes.popleft()
        if len(self.strikes) >= self.max_strikes:
            raise Close(CLOSE_RATE_LIMITED, "rate limited")
        refusal = {
            "type": "error",
            "code": "rate_limited",
            "detail": "Too many messages; slow down.",
            "retry_after_ms": self.bucket.wait_ms(),
        }
        if getattr(self.ws, "busy", False):  # after the replies to earlier messages
            self.ws.run(self.send, refusal)
        else:
            self.send(refusal)
        return False

    def handle(self, raw: Any) -> None:
        """One client message, start to end, in the calling thread."""
        metrics.WS_MESSAGES_IN.labels(self.route).inc()
        if self.admit():
            self.process(raw)

    def process(self, raw: Any) -> None:
        message = parse_frame(self.ws, raw, self.depth)
        if message is None:
            return
        kind = message["type"]
        if kind == "ping":
            self.send({"type": "pong"})
        elif kind == "auth":
            try:
                self.authenticate(message.get("token"))
                identity = self.identity()
                if self.subscribed:
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

    # -- the end --------------------------------------------------------------------------------
    def on_end(self) -> None:  # hub thread
        metrics.WS_CONNECTIONS.labels(self.route).dec()
        self.expires = None
        if self.user_id is not None:
            user_id, conn_id = self.user_id, self.conn_id
            self.ws.hub.submit(lambda: slots().release(user_id, conn_id))


def observe_latency(message: dict[str, Any]) -> None:
    """The broadcast latency of one event (publish time to now), once per event and
    process: not per follower."""
    try:
        sent_at = datetime.fromisoformat(str(message["ts"]))
    except (KeyError, ValueError):
        return
    metrics.WS_BROADCAST_LATENCY.observe(max(0.0, time.time() - sent_at.timestamp()))
