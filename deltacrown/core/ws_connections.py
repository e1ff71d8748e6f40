"""Websocket connections of this process: caps per client address and per process, and the
hand-off of an upgraded socket from the request thread to the process's hub.

Connections are capped per client address (`WS_MAX_CONNECTIONS_PER_ADDRESS`, room for a LAN
venue behind one address) and per process (`WS_MAX_CONNECTIONS_PER_PROCESS`): beyond either,
the handshake is refused before the upgrade (HTTP 429 or 503 `too_many_connections`, with
`Retry-After`; `core.ws` registers the two request hooks). A connection holds its slot until
the hub has closed it, not just while the request ran: the request thread returns as soon
as the socket is handed off, so followers never hold the server's threads.

`LiveSock` is flask-sock's routing with two differences: simple-websocket starts no reader
thread per connection (the hub reads every socket), and permessage-deflate is not offered
back to clients, so one event is framed once for every follower.
"""

from __future__ import annotations

import threading
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from flask_sock import Sock
from simple_websocket import Server

from deltacrown.core import metrics
from deltacrown.core.errors import problem
from deltacrown.core.ws_follower import observe_latency
from deltacrown.core.ws_hub import hub_of
from deltacrown.core.ws_socket import Conn


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
        per_process=int(config.get("WS_MAX_CONNECTIONS_PER_PROCESS", 10000)),
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


def hand_off(ws: Any) -> Conn:
    """Give the upgraded socket to this process's hub. From here the connection's slot is the
    hub's to give back (when the socket is closed), and flask-sock's own close after the
    route returns does nothing."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    hub = hub_of(app)
    if hub.on_event is None:
        hub.on_event = record_delivery
    address = g.pop("ws_slot_address", None)
    counter = connection_counter()

    def give_back() -> None:
        if address is not None:
            counter.release(address)

    conn = hub.adopt(
        ws.sock,
        ws.ws,
        max_message_size=ws.max_message_size,
        ping_interval=ws.ping_interval,
        on_release=give_back,
    )
    ws.connected = False  # the Server object is done: its close() must not write
    return conn


def record_delivery(route: str, message: dict[str, Any], sent: int) -> None:
    """Metrics of one event fanned out by the hub: counted per socket, timed once."""
    metrics.WS_MESSAGES_OUT.labels(route).inc(sent)
    observe_latency(message)


class NoReader:
    """Stands in for simple-websocket's reader thread: the hub reads the socket."""

    def __init__(self, target: Any = None, **kwargs: Any) -> None:
        self.name = "(_thread)"

    def start(self) -> None:
        return None

    def join(self, timeout: float | None = None) -> None:
        return None

    def is_alive(self) -> bool:
        return False


class LiveSock(Sock):
    """flask-sock routes served by the hub (see the module docstring)."""

    def route(self, path: str, bp: Any = None, **kwargs: Any) -> Any:
        def decorator(f: Any) -> Any:
            @wraps(f)
            def websocket_route(*args: Any, **route_kwargs: Any) -> Any:
                environ = request.environ
                environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)  # frames shared by all
                options = dict(current_app.config.get("SOCK_SERVER_OPTIONS", {}))
                options["thread_class"] = NoReader
                ws = Server(environ, **options)
                f(ws, *args, **route_kwargs)
                mode = ws.mode

                class WebSocketResponse(Response):
                    def __call__(self, *call_args: Any, **call_kwargs: Any) -> Any:
                        if mode == "gunicorn":
                            raise StopIteration()
                        if mode == "werkzeug":
                            return super().__call__(*call_args, **call_kwargs)
                        return []

                return WebSocketResponse()

            kwargs["websocket"] = True
            target: Any = bp if bp is not None else self.app
            if target is None:  # flask-sock's own blueprint, registered by init_app
                if getattr(self, "bp", None) is None:
                    self.bp = Blueprint("__flask_sock", __name__)
                target = self.bp
            target.route(path, **kwargs)(websocket_route)
            return websocket_route

        return decorator
