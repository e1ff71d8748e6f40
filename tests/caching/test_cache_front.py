"""The cache's front: hits are answered before Flask's request cycle, yet count on the same
rate-limit counters as the app, carry the rate-limit headers, log an access line and, in
server mode, cost one Redis round trip."""

from __future__ import annotations

import logging
import os
import time
import uuid
from typing import Any

import pytest
from flask import Flask

from deltacrown.core.cache import cache
from tests.helpers import assert_problem

LIST = "/api/tournaments/?page_size=5"


def _address() -> dict[str, str]:
    return {"REMOTE_ADDR": f"10.66.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"}


def _cached_app(build: Any, **overrides: Any) -> tuple[Flask, list[str]]:
    """An app with the cache and the limits on, and a list of the requests Flask handled."""
    app = build(RESPONSE_CACHE=True, RATELIMIT_DEFAULT="4/minute", **overrides)
    with app.app_context():
        cache.clear()
    handled: list[str] = []
    app.before_request(lambda: handled.append("flask") and None)
    return app, handled


def _drop_counters(redis_url: str, address: str) -> None:
    import redis

    connection = redis.Redis.from_url(redis_url)
    for key in connection.scan_iter(match=f"*ip:{address}*"):
        connection.delete(key)
    connection.close()


def test_hits_and_misses_count_on_one_rate_limit_counter(make_limited_app: Any) -> None:
    app, handled = _cached_app(make_limited_app)
    client = app.test_client()
    marker = _address()
    answers = [client.get(LIST, environ_base=marker) for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert handled == ["flask"]  # one miss, then hits served before Flask
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["3", "2", "1", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"4"}
    assert all(int(a.headers["X-RateLimit-Reset"]) > time.time() for a in answers)
    assert answers[3].data == answers[0].data
    blocked = client.get(LIST, environ_base=marker)
    assert_problem(blocked, 429, "rate_limited")
    assert client.get(LIST, environ_base=_address()).status_code == 200  # another address


def test_a_hit_logs_an_access_line_with_its_request_id(
    make_limited_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app, handled = _cached_app(make_limited_app)
    client = app.test_client()
    client.get(LIST)
    with caplog.at_level(logging.INFO, logger="deltacrown.access"):
        hit = client.get(LIST, headers={"X-Request-ID": "front-test-1"})
    assert handled == ["flask"]
    assert hit.headers["X-Request-ID"] == "front-test-1"
    (line,) = [r for r in caplog.records if r.name == "deltacrown.access"]
    assert line.route == "/api/tournaments/"  # type: ignore[attr-defined]
    assert line.status == 200  # type: ignore[attr-defined]
    assert line.request_id == "front-test-1"  # type: ignore[attr-defined]


def test_a_hit_costs_one_redis_round_trip_with_exact_headers(
    make_limited_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set")
    import redis.connection

    app, handled = _cached_app(make_limited_app, REDIS_URL=redis_url)
    client = app.test_client()
    marker = _address()
    try:
        first = client.get(LIST, environ_base=marker)  # a miss: connects and stores
        sent: list[Any] = []
        original = redis.connection.Connection.send_packed_command

        def counting(self: Any, command: Any, *args: Any, **kwargs: Any) -> Any:
            sent.append(command)
            return original(self, command, *args, **kwargs)

        monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
        for remaining in ("2", "1"):
            sent.clear()
            hit = client.get(LIST, environ_base=marker)
            assert hit.status_code == 200 and hit.data == first.data
            assert len(sent) == 1  # the entry, its versions and the count, pipelined
            assert hit.headers["X-RateLimit-Remaining"] == remaining
        monkeypatch.undo()
        assert handled == ["flask"]
        assert first.headers["X-RateLimit-Remaining"] == "3"
        client.get(LIST, environ_base=marker)
        assert_problem(client.get(LIST, environ_base=marker), 429, "rate_limited")
    finally:
        monkeypatch.undo()
        _drop_counters(redis_url, marker["REMOTE_ADDR"])
