"""Liveness and readiness probes."""

from deltacrown.core import ops
from tests.helpers import assert_problem


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readiness_checks_the_database(client):
    response = client.get("/readiness")
    assert response.status_code == 200
    assert response.get_json()["checks"]["database"] == "ok"


def test_readiness_names_the_failing_check_with_503(client, monkeypatch):
    def broken():
        raise ConnectionError("db down")

    monkeypatch.setitem(ops.CHECKS, "database", broken)
    body = assert_problem(client.get("/readiness"), 503, "dependency_unavailable")
    assert body["failing"] == ["database"]
    assert "database" in body["detail"]


def test_readiness_reports_degraded_with_200_when_only_redis_fails(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    saved = app.extensions.pop("deltacrown_redis", None)
    try:
        response = client.get("/readiness")
        assert response.status_code == 200
        body = response.get_json()
        assert body["status"] == "degraded"
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["redis"].startswith("failed")
    finally:
        app.extensions.pop("deltacrown_redis", None)
        if saved is not None:
            app.extensions["deltacrown_redis"] = saved
