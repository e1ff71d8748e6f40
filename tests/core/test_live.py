"""Tests against a real running server: the websocket ping and the API docs in headless Chromium.

The live server runs in a thread on the session `app`; the per-test isolation pins that app's
engine to one connection, so nothing here writes to the database (the docs pages and /ws/ping
need no rows).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from simple_websocket import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.helpers import LiveServer

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=15000",
    "--dump-dom",
]


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


def _dump_dom(url: str, profile_dir: Path) -> str:
    chromium = shutil.which("chromium")
    assert chromium is not None
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", url],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.browser
def test_swagger_ui_renders_operations_in_a_headless_browser(app: Flask, tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with LiveServer(app) as server:
        swagger = _dump_dom(f"{server.url}/api/docs/swagger", tmp_path / "swagger-profile")
        redoc = _dump_dom(f"{server.url}/api/docs/redoc", tmp_path / "redoc-profile")

    # Swagger UI fetched the spec and rendered one block per operation (none of this is in the
    # page's own HTML: it only exists once the scripts ran).
    assert 'id="swagger-ui"' in swagger
    assert "opblock" in swagger, swagger[-2000:]
    assert 'data-path="/api/auth/login/"' in swagger
    assert 'data-path="/api/games/"' in swagger

    # ReDoc rendered its own layout and the operations from the same spec.
    assert "redoc-wrap" in redoc, redoc[-2000:]
    assert "http-verb" in redoc
    assert "/api/auth/login/" in redoc
    assert "/api/games/" in redoc
