"""Rate limits: hard limits on login/registration, the default on every other API route, the
headers and the 429 problem, per-user and per-IP buckets, exemptions, and the Redis store.

The session app runs with limits off (TestingConfig), so each test builds an app of its own
with `RATELIMIT_ENABLED=True`. Those apps only read the database (login attempts that fail,
game lists), so they can use their own connections next to the per-test transaction.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import pytest
from flask import Flask
from flask_jwt_extended import create_access_token
from limits.storage import MemoryStorage, RedisStorage

from deltacrown.core.ratelimit import storage_uri
from deltacrown.extensions import limiter
from tests.helpers import assert_problem

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def _ip(n: int) -> dict[str, str]:
    return {"REMOTE_ADDR": f"10.9.{n // 256}.{n % 256}"}


def _token(app: Flask, user_id: int) -> dict[str, str]:
    with app.app_context():
        return {"Authorization": f"Bearer {create_access_token(identity=str(user_id))}"}


def _login(client: Any, login: str, n: int = 1) -> Any:
    return client.post(
        "/api/auth/login/", json={"login": login, "password": "wrong-password"}, environ_base=_ip(n)
    )


def test_login_is_limited_per_ip_with_headers_and_a_429_problem(make_limited_app):
    client = make_limited_app(RATELIMIT_AUTH="5/minute").test_client()
    started = int(time.time())
    for attempt in range(5):
        response = _login(client, f"nobody{attempt}")
        assert_problem(response, 401, "invalid_credentials")
        assert response.headers["X-RateLimit-Limit"] == "5"
        assert response.headers["X-RateLimit-Remaining"] == str(4 - attempt)
        assert int(response.headers["X-RateLimit-Reset"]) > started
    blocked = _login(client, "somebody-else")
    body = assert_problem(blocked, 429, "rate_limited")
    assert "5 per 1 minute" in body["detail"]
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    assert blocked.headers["X-RateLimit-Remaining"] == "0"
    assert _login(client, "from-elsewhere", n=2).status_code == 401  # another IP


def test_one_address_may_sign_in_sixty_times_a_minute_by_default(make_limited_app):
    """A LAN venue: a hundred players behind one public address sign in at once."""
    client = make_limited_app().test_client()
    for n in range(60):
        response = _login(client, f"player{n}")
        assert response.status_code == 401, response.get_json()
    assert response.headers["X-RateLimit-Limit"] == "60"
    assert_problem(_login(client, "player61"), 429, "rate_limited")


def test_registration_is_limited_per_ip(make_limited_app):
    client = make_limited_app(RATELIMIT_AUTH="2/minute").test_client()
    for _ in range(2):
        response = client.post("/api/auth/register/", json={}, environ_base=_ip(1))
        assert_problem(response, 422)
        assert response.headers["X-RateLimit-Limit"] == "2"
    blocked = client.post("/api/auth/register/", json={}, environ_base=_ip(1))
    assert_problem(blocked, 429, "rate_limited")
    assert "Retry-After" in blocked.headers


def test_default_limit_applies_to_api_routes_per_user(make_limited_app):
    app = make_limited_app(RATELIMIT_DEFAULT="2/minute")
    client = app.test_client()
    alice, bob = _token(app, 7001), _token(app, 7002)
    for remaining in ("1", "0"):
        response = client.get("/api/games/", headers=alice, environ_base=_ip(1))
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "2"
        assert response.headers["X-RateLimit-Remaining"] == remaining
    assert_problem(client.get("/api/games/", headers=alice, environ_base=_ip(2)), 429)
    # Same IP, other user: another bucket; and no token at all: the IP's bucket.
    assert client.get("/api/games/", headers=bob, environ_base=_ip(1)).status_code == 200
    assert client.get("/api/games/", environ_base=_ip(1)).status_code == 200


def test_default_limit_applies_per_ip_without_a_token(make_limited_app):
    client = make_limited_app(RATELIMIT_DEFAULT="2/minute").test_client()
    assert client.get("/api/games/", environ_base=_ip(1)).status_code == 200
    assert client.get("/api/games/", environ_base=_ip(1)).status_code == 200
    blocked = client.get("/api/games/", environ_base=_ip(1))
    assert_problem(blocked, 429, "rate_limited")
    assert int(blocked.headers["Retry-After"]) > 0
    assert client.get("/api/games/", environ_base=_ip(2)).status_code == 200


def test_an_invalid_token_falls_back_to_the_ip_bucket(make_limited_app):
    client = make_limited_app(RATELIMIT_DEFAULT="1/minute").test_client()
    forged = {"Authorization": "Bearer not-a-jwt"}
    assert client.get("/api/games/", headers=forged, environ_base=_ip(1)).status_code == 200
    assert_problem(client.get("/api/games/", environ_base=_ip(1)), 429)


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/readiness",
        "/api/docs/swagger",
        "/api/docs/redoc",
        "/api/openapi.json",
        "/admin/static/admin/js/actions.js",
    ],
)
def test_probes_docs_and_static_files_are_not_limited(make_limited_app, path):
    client = make_limited_app(RATELIMIT_DEFAULT="1/minute").test_client()
    for _ in range(3):
        response = client.get(path, environ_base=_ip(1), buffered=True)
        assert response.status_code == 200, (path, response.status_code)
        assert not any(header in response.headers for header in RATE_HEADERS)
    assert client.get("/api/games/", environ_base=_ip(1)).status_code == 200
    assert_problem(client.get("/api/games/", environ_base=_ip(1)), 429)


def test_apps_with_limits_off_stay_unlimited_next_to_a_limited_one(make_limited_app, client):
    make_limited_app()  # turns the process-wide limiter on
    for attempt in range(8):
        response = client.post(
            "/api/auth/login/", json={"login": f"x{attempt}", "password": "wrong-password"}
        )
        assert response.status_code == 401
        assert "X-RateLimit-Limit" not in response.headers


def test_the_default_is_read_from_each_apps_config(make_limited_app):
    first = make_limited_app(RATELIMIT_DEFAULT="1/minute").test_client()
    second = make_limited_app(RATELIMIT_DEFAULT="4/minute").test_client()
    assert first.get("/api/games/").headers["X-RateLimit-Limit"] == "1"
    assert second.get("/api/games/").headers["X-RateLimit-Limit"] == "4"


def test_memory_store_without_redis(make_limited_app):
    app = make_limited_app(REDIS_URL=None)
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(limiter.storage, MemoryStorage)


def test_counters_live_in_redis_when_redis_url_is_set(make_limited_app):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set")
    import redis

    app = make_limited_app(REDIS_URL=redis_url, RATELIMIT_DEFAULT="2/minute")
    assert app.config["RATELIMIT_STORAGE_URI"] == storage_uri(redis_url)
    assert isinstance(limiter.storage, RedisStorage)
    marker = f"10.77.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    client = app.test_client()
    connection = redis.Redis.from_url(redis_url)
    try:
        for _ in range(2):
            assert (
                client.get("/api/games/", environ_base={"REMOTE_ADDR": marker}).status_code == 200
            )
        keys = list(connection.scan_iter(match=f"*ip:{marker}*"))
        assert len(keys) == 1
        assert int(connection.get(keys[0])) == 2
        blocked = client.get("/api/games/", environ_base={"REMOTE_ADDR": marker})
        assert_problem(blocked, 429, "rate_limited")
        assert 0 < connection.ttl(keys[0]) <= 60
    finally:
        for key in connection.scan_iter(match=f"*ip:{marker}*"):
            connection.delete(key)
        connection.close()


def test_a_limited_request_costs_one_redis_round_trip_with_exact_headers(
    make_limited_app, monkeypatch
):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set")
    import redis.connection

    app = make_limited_app(REDIS_URL=redis_url, RATELIMIT_DEFAULT="5/minute")
    marker = {"REMOTE_ADDR": f"10.78.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"}
    client = app.test_client()
    client.get("/api/games/", environ_base=marker)  # connects (handshake commands)
    sent: list[Any] = []
    original = redis.connection.Connection.send_packed_command

    def counting(self: Any, command: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(command)
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
    try:
        for remaining in (3, 2):
            sent.clear()
            response = client.get("/api/games/", environ_base=marker)
            assert response.status_code == 200
            assert len(sent) == 1
            assert response.headers["X-RateLimit-Remaining"] == str(remaining)
            assert 0 < int(response.headers["X-RateLimit-Reset"]) - time.time() <= 61
    finally:
        monkeypatch.undo()
        connection = redis.Redis.from_url(redis_url)
        for key in connection.scan_iter(match=f"*ip:{marker['REMOTE_ADDR']}*"):
            connection.delete(key)
        connection.close()


def test_openapi_documents_429_on_limited_operations_only(client):
    spec = client.get("/api/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            documented = "429" in operation["responses"]
            assert documented == (path not in ("/healthz", "/readiness", "/metrics")), (
                path,
                method,
            )
    games = spec["paths"]["/api/games/"]["get"]["responses"]["429"]
    assert "rate_limited" in games["description"] and "Retry-After" in games["headers"]
