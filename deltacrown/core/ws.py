"""Websocket plumbing shared by every live route: the Origin allow-list, JSON frames, /ws/ping."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, request
from simple_websocket import ConnectionClosed

from deltacrown.extensions import sock

bp = Blueprint("ws", __name__)

CLOSE_POLICY = 1008


def origin_allowed() -> bool:
    """Browsers must come from an allowed Origin; clients that send none (bots, apps) may."""
    origin = request.headers.get("Origin")
    if not origin:
        return True
    return origin in current_app.config.get("WS_ALLOWED_ORIGINS", [])


def send_json(ws: Any, message: dict[str, Any]) -> None:
    ws.send(json.dumps(message, separators=(",", ":")))


def send_error(ws: Any, code: str, detail: str) -> None:
    send_json(ws, {"type": "error", "code": code, "detail": detail})


def parse_frame(ws: Any, raw: Any) -> dict[str, Any] | None:
    """A JSON object with a `type`, or None after telling the client what was wrong."""
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
    if not origin_allowed():
        ws.close(reason=CLOSE_POLICY, message="origin not allowed")
        return
    try:
        while True:
            raw = ws.receive(timeout=60)
            if raw is None:
                ws.close(reason=1000, message="idle")
                return
            message = parse_frame(ws, raw)
            if message is None:
                continue
            if message["type"] == "ping":
                send_json(ws, {"type": "pong"})
            else:
                send_error(ws, "unknown_type", f"Unknown message type {message['type']!r}.")
    except ConnectionClosed:
        return
