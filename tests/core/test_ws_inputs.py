"""Websocket frames nested too deep get an `error` frame; the connection stays open."""

from __future__ import annotations

import json

from flask import Flask
from simple_websocket import Client

from tests.helpers import LiveServer


def test_deeply_nested_frame_gets_an_error_and_the_connection_survives(app: Flask) -> None:
    with LiveServer(app) as server:
        ws = Client.connect(f"ws://127.0.0.1:{server.port}/ws/ping")
        try:
            ws.send('{"type": "ping", "x": ' + "[" * 3000 + "]" * 3000 + "}")
            error = json.loads(ws.receive(timeout=10))
            assert error["type"] == "error"
            assert error["code"] == "json_too_deep"
            ws.send(json.dumps({"type": "ping"}))
            assert json.loads(ws.receive(timeout=10)) == {"type": "pong"}
        finally:
            ws.close()
