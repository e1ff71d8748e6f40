"""Tests against a real running server: the websocket ping (the API docs in a browser are in
tests/browser/test_api_docs.py).

The live server runs in a thread on the session `app`; the per-test isolation pins that app's
engine to one connection, so nothing here writes to the database (the docs pages and /ws/ping
need no rows).
"""

from __future__ import annotations

import json

import pytest
from flask import Flask
from simple_websocket import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.helpers import LiveServer


def _receive_json(ws: Client) -> dict[str, object]:
    raw = ws.receive(timeout=10)
    assert raw is not None, "no frame within 10 s"
    message = json.loads(raw)
    assert isinstance(message, dict)
    return message


def test_ws_ping_answers_pong_over_a_real_socket(app: Flask) -> None:
    with LiveServer(app) as server:
        url = f"ws://127.0.0.1:{server.port}/ws/ping"

        ws = Client.connect(url)
        try:
            ws.send(json.dumps({"type": "ping"}))
            assert _receive_json(ws) == {"type": "pong"}

            ws.send("this is not json")
            error = _receive_json(ws)
            assert error["type"] == "error"
            assert error["code"] == "invalid_json"
            assert isinstance(error["detail"], str) and error["detail"]

            # The connection survives a bad frame.
            ws.send(json.dumps({"type": "ping"}))
            assert _receive_json(ws) == {"type": "pong"}
        finally:
            ws.close()

        allowed = Client.connect(url, headers={"Origin": "http://allowed.test"})
        try:
            allowed.send(json.dumps({"type": "ping"}))
            assert _receive_json(allowed) == {"type": "pong"}
        finally:
            allowed.close()

        # simple-websocket's client loses a close frame that arrives with the 101 response
        # (its handshake reads one event and leaves the rest unparsed), as it does on a
        # loaded machine: `websockets` reads the whole stream.
        with connect(url, origin="http://evil.test", open_timeout=10) as foreign:
            with pytest.raises(ConnectionClosed) as closed:
                foreign.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
