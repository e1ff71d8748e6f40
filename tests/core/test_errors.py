"""Every error is an RFC 9457 problem; bad input changes nothing; 500s leak no traceback."""

import sqlalchemy as sa

from tests.helpers import assert_problem


def test_unknown_route_is_404_problem(client):
    assert_problem(client.get("/api/nothing-here/"), 404, "not_found")


def test_wrong_method_is_405_problem_with_allow(client):
    response = client.delete("/api/games/")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_missing_trailing_slash_redirects_with_308(client):
    response = client.get("/api/games")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/api/games/")


def test_malformed_json_is_400_problem(client):
    response = client.post(
        "/api/auth/register/", data=b'{"username": ', content_type="application/json"
    )
    assert_problem(response, 400, "bad_request")


def test_non_json_body_is_415_problem(client):
    response = client.post("/api/auth/register/", data="username=x", content_type="text/plain")
    assert_problem(response, 415, "unsupported_media_type")
    response = client.post("/api/auth/login/", data={"login": "x", "password": "y"})
    assert_problem(response, 415, "unsupported_media_type")


def test_json_body_over_1_mib_is_413_problem(client):
    big = b'{"username": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    response = client.post("/api/auth/register/", data=big, content_type="application/json")
    assert_problem(response, 413, "payload_too_large")


def test_body_over_the_hard_cap_is_413_problem(client):
    big = b"x" * (7 * 1024 * 1024)
    response = client.post("/api/auth/register/", data=big, content_type="application/octet-stream")
    assert response.status_code in (413, 415)
    assert response.mimetype == "application/problem+json"


def test_validation_errors_are_422_with_field_errors(client):
    body = assert_problem(client.post("/api/auth/register/", json={}), 422, "validation_error")
    assert set(body["errors"]) >= {"username", "email", "password"}


def test_json_array_body_is_422_not_500(client):
    assert_problem(client.post("/api/auth/login/", json=[1, 2]), 422)


def test_bad_input_writes_nothing(client, app):
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    client.post(
        "/api/auth/register/", json={"username": "ok_name", "email": "bad", "password": "x"}
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_unhandled_exception_is_500_problem_without_traceback(app, client, monkeypatch):
    from deltacrown.games import queries

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(queries, "get_game", explode)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/api/games/valorant/")
    assert_problem(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text


def test_request_id_is_echoed_or_generated(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    bad = client.get("/healthz", headers={"X-Request-ID": "no spaces allowed"})
    assert bad.headers["X-Request-ID"] != "no spaces allowed"


def test_problem_responses_carry_the_request_id(client):
    response = client.get("/api/nothing/", headers={"X-Request-ID": "trace-me"})
    assert response.headers["X-Request-ID"] == "trace-me"
