"""Degraded instead of down: Redis down keeps the API serving (limits in memory, readiness
says degraded); an unreachable database is a 503 problem with Retry-After, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deltacrown.app import create_app
from deltacrown.extensions import limiter
from tests.helpers import assert_problem

CLOSED_REDIS = "redis://127.0.0.1:1/0"
CLOSED_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/deltacrown"


@pytest.fixture
def revive_limiter() -> Iterator[None]:
    """The limiter is one object per process: a test that kills its store must not leave the
    next test's store marked dead (flask-limiter keeps that flag on the object)."""
    yield
    limiter._storage_dead = False


def test_redis_down_keeps_the_api_serving_with_limits_in_memory(make_limited_app, revive_limiter):
    app = make_limited_app(REDIS_URL=CLOSED_REDIS, RATELIMIT_DEFAULT="3/minute")
    client = app.test_client()
    for _ in range(3):
        response = client.get("/api/games/", environ_base={"REMOTE_ADDR": "10.7.0.1"})
        assert response.status_code == 200, response.get_data(as_text=True)
    assert_problem(client.get("/api/games/", environ_base={"REMOTE_ADDR": "10.7.0.1"}), 429)
    login = client.post("/api/auth/login/", json={"login": "nobody", "password": "wrong-pass"})
    assert_problem(login, 401, "invalid_credentials")


def test_redis_down_makes_readiness_say_degraded(make_limited_app, revive_limiter):
    client = make_limited_app(REDIS_URL=CLOSED_REDIS).test_client()
    response = client.get("/readiness")
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"


def test_database_unreachable_is_503_with_retry_after(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=CLOSED_POSTGRES, STORAGE_ROOT=str(tmp_path))
    client = app.test_client()
    for response in (
        client.get("/api/games/"),
        client.get("/api/tournaments/1/"),
        client.post("/api/auth/login/", json={"login": "someone", "password": "whatever-pw"}),
    ):
        assert_problem(response, 503, "service_unavailable")
        assert response.headers["Retry-After"].isdigit()
    assert client.get("/healthz").status_code == 200
    body = assert_problem(client.get("/readiness"), 503, "dependency_unavailable")
    assert body["failing"] == ["database"]


def test_every_api_operation_documents_503(client):
    spec = client.get("/api/openapi.json").get_json()
    for path, item in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                assert "service_unavailable" in operation["responses"]["503"]["description"], (
                    path,
                    method,
                )


def test_json_body_operations_document_400_413_and_415(client):
    spec = client.get("/api/openapi.json").get_json()
    login = spec["paths"]["/api/auth/login/"]["post"]["responses"]
    assert "json_too_deep" in login["400"]["description"]
    assert "payload_too_large" in login["413"]["description"]
    assert "unsupported_media_type" in login["415"]["description"]


def _assert_secure_headers(response: Any) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_security_headers_on_api_problems_and_pages(client):
    for response in (
        client.get("/api/games/"),
        client.get("/api/nothing/"),
        client.get("/healthz"),
        client.get("/api/docs/swagger"),
        client.get("/admin/login/"),
    ):
        _assert_secure_headers(response)
    assert "Strict-Transport-Security" not in client.get("/api/games/").headers


def test_docs_and_admin_pages_carry_a_content_security_policy(client):
    swagger = client.get("/api/docs/swagger")
    policy = swagger.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in swagger.get_data(as_text=True)
    assert (
        "worker-src 'self' blob:"
        in client.get("/api/docs/redoc").headers["Content-Security-Policy"]
    )
    admin = client.get("/admin/login/")
    assert "frame-ancestors 'none'" in admin.headers["Content-Security-Policy"]
    assert "Content-Security-Policy" not in client.get("/api/games/").headers


def test_production_sends_hsts(app):
    app.config["ENV_NAME"] = "production"
    try:
        response = app.test_client().get("/healthz")
    finally:
        app.config["ENV_NAME"] = "testing"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_successful_limited_responses_carry_no_retry_after(make_limited_app):
    client = make_limited_app().test_client()
    response = client.get("/api/games/")
    assert response.status_code == 200
    assert "X-RateLimit-Limit" in response.headers
    assert "Retry-After" not in response.headers


def test_trusted_proxies_let_rate_limits_see_the_client(make_limited_app):
    client = make_limited_app(TRUSTED_PROXIES=1, RATELIMIT_DEFAULT="1/minute").test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = {"X-Forwarded-For": "203.0.113.7"}
    assert client.get("/api/games/", headers=first, environ_base=proxy).status_code == 200
    assert_problem(client.get("/api/games/", headers=first, environ_base=proxy), 429)
    other = {"X-Forwarded-For": "203.0.113.8"}
    assert client.get("/api/games/", headers=other, environ_base=proxy).status_code == 200


def test_without_trusted_proxies_forwarded_for_is_ignored(make_limited_app):
    client = make_limited_app(RATELIMIT_DEFAULT="1/minute").test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.3"}
    assert client.get("/api/games/", headers={"X-Forwarded-For": "1.1.1.1"},
                      environ_base=proxy).status_code == 200  # fmt: skip
    blocked = client.get("/api/games/", headers={"X-Forwarded-For": "2.2.2.2"},
                         environ_base=proxy)  # fmt: skip
    assert_problem(blocked, 429)
