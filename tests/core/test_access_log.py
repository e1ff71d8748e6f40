"""One access line per request: method, route template, status, duration, request id and user
id; secrets in query strings are redacted, and no body or header is logged."""

from __future__ import annotations

import logging

from deltacrown.core.logging import RedactSecretsFilter, redact_query


def _access_records(caplog):
    return [r for r in caplog.records if r.name == "deltacrown.access"]


def test_each_request_writes_one_access_line(client, user, caplog):
    with caplog.at_level(logging.INFO, logger="deltacrown.access"):
        client.get(f"/api/users/{user.id}/", headers={**user.headers, "X-Request-ID": "acc-1"})
    [record] = _access_records(caplog)
    assert record.method == "GET"
    assert record.route == "/api/users/<int:user_id>/"
    assert record.status == 200
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
    assert record.request_id == "acc-1"
    assert record.user_id == str(user.id)


def test_access_line_redacts_tokens_and_never_holds_bodies(client, caplog):
    with caplog.at_level(logging.INFO, logger="deltacrown.access"):
        client.post(
            "/api/auth/login/?token=eyJsecret&page=2",
            json={"login": "someone", "password": "hunter2-secret"},
        )
    [record] = _access_records(caplog)
    assert record.status == 401
    assert record.user_id is None
    assert record.query == "token=[redacted]&page=2"
    text = record.getMessage() + repr(record.__dict__)
    assert "eyJsecret" not in text and "hunter2-secret" not in text


def test_unknown_routes_are_logged_without_a_template(client, caplog):
    with caplog.at_level(logging.INFO, logger="deltacrown.access"):
        client.get("/api/nothing-here/")
    [record] = _access_records(caplog)
    assert record.route is None and record.status == 404


def test_redaction_of_query_strings_and_request_lines():
    assert redact_query("access_token=a&refresh_token=b&q=x") == (
        "access_token=[redacted]&refresh_token=[redacted]&q=x"
    )
    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '"%s" %s %s',
        ("GET /ws/matches/1?token=abc.def HTTP/1.1", "101", "-"), None,
    )  # fmt: skip
    RedactSecretsFilter().filter(record)
    assert "abc.def" not in record.getMessage()
    assert "token=[redacted]" in record.getMessage()
