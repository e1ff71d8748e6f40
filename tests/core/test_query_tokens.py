"""Tokens in the query string: websockets accept `?token=`, REST ignores it (401 as without
a token), and no log line or error report carries a token."""

from __future__ import annotations

import logging

from deltacrown.core.logging import redact_sentry_event, redact_tokens
from tests.helpers import assert_problem


def test_rest_ignores_a_token_in_the_query_string(client, user):
    assert client.get("/api/auth/me/", headers=user.headers).status_code == 200
    response = client.get(f"/api/auth/me/?token={user.access_token}")
    assert_problem(response, 401, "authentication_required")


def test_the_development_servers_request_line_has_the_token_redacted(app, caplog):
    secret = "eyJhbGciOi.payload.signature"
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info(
            '%s - - [%s] "%s" %s %s',
            "127.0.0.1",
            "06/Dec/2026 08:00:00",
            f"GET /ws/matches/7?after=3&token={secret} HTTP/1.1",
            101,
            "-",
        )
    line = caplog.records[-1].getMessage()
    assert secret not in line
    assert "/ws/matches/7?after=3&token=[redacted] HTTP/1.1" in line


def test_our_own_log_lines_are_redacted_too(app, caplog):
    with caplog.at_level(logging.WARNING, logger="deltacrown"):
        logging.getLogger("deltacrown.test").warning("follow failed for %s", "/ws/x?token=abc")
    handler_output = [
        h.format(caplog.records[-1])
        for h in logging.getLogger("deltacrown").handlers
        if getattr(h, "_deltacrown", False)
    ]
    assert handler_output and "abc" not in handler_output[0]
    assert "token=[redacted]" in handler_output[0]


def test_redaction_covers_every_token_parameter_and_keeps_the_rest():
    assert redact_tokens("/a?access_token=x1&page=2&refresh_token=y2") == (
        "/a?access_token=[redacted]&page=2&refresh_token=[redacted]"
    )
    assert redact_tokens("/a?tokens=keep&mytoken=keep") == "/a?tokens=keep&mytoken=keep"


def test_sentry_events_carry_no_token():
    event = {
        "request": {"url": "http://h/ws/ping?token=s3cr3t", "query_string": "token=s3cr3t&x=1"}
    }
    redacted = redact_sentry_event(event, None)["request"]
    assert "s3cr3t" not in str(redacted)
    assert redacted["query_string"] == "token=[redacted]&x=1"
