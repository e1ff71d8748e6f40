"""What reaches Sentry: a real error in a real request, sent through a fake transport, is
tagged with the request id and user id and carries no e-mail, username, body or token."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sentry_sdk
from flask import Flask
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from deltacrown.app import sentry_options
from deltacrown.core.sentry import scrub_sentry_event

# Kept away from the failing code: Sentry sends the lines around each frame.
NAME, EMAIL = "alice", "alice@example.com"
URL = "/api/me/game-profiles/1/?token=tok-abc&page=2"
SECRETS = (EMAIL, "s3cret-password", "tok-abc", "cookie-value", "Bearer")


class FakeTransport(Transport):
    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        for item in envelope.items:
            if item.type in ("event", "transaction"):
                self.events.append(json.loads(item.payload.get_bytes()))


@contextmanager
def production_sentry(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTransport]:
    """Sentry initialised as production does (`sentry_options`), sending to a fake transport,
    and shut down afterwards."""
    monkeypatch.setitem(app.config, "SENTRY_DSN", "https://public@sentry.invalid/1")
    options = sentry_options(app)
    assert options is not None
    fake = FakeTransport()
    sentry_sdk.init(**options, transport=fake)
    try:
        yield fake
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: nothing is reported by later tests


@pytest.fixture
def transport(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTransport]:
    """`production_sentry`; the app answers an unexpected error with a 500 as in production."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with production_sentry(app, monkeypatch) as fake:
        yield fake


def test_an_error_event_carries_ids_and_no_personal_data(
    app, client, make_user, transport, monkeypatch
):
    from deltacrown.accounts import api as accounts_api

    def fail(*args: Any) -> None:
        raise ValueError(f"could not notify {EMAIL}")

    monkeypatch.setattr(accounts_api.queries, "get_game_profile", fail)
    user = make_user(username=NAME, email=EMAIL)
    response = client.get(
        URL,
        headers={"Authorization": f"Bearer {user.access_token}", "X-Request-ID": "req-ops-1",
                 "Cookie": "session=cookie-value"},
    )  # fmt: skip
    assert response.status_code == 500
    sentry_sdk.flush()
    assert transport.events, "the error was not reported"
    event = transport.events[-1]
    assert event["tags"]["request_id"] == "req-ops-1"
    assert event["tags"]["user_id"] == str(user.id)
    assert event.get("user") == {"id": str(user.id)}
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["request"]["method"] == "GET"
    assert "cookies" not in event["request"]
    assert "page=2" in event["request"]["query_string"]
    sent = json.dumps(event)
    for secret in (user.access_token, f'"{NAME}"', *SECRETS):
        assert secret not in sent, secret


def test_the_scrubber_strips_users_bodies_headers_and_frame_variables():
    event = {
        "user": {"id": 7, "email": "bob@example.com", "username": "bob", "ip_address": "1.2.3.4"},
        "request": {
            "url": "https://x.test/api/login?token=abc",
            "query_string": "token=abc&refresh_token=def&q=ok",
            "headers": {"Authorization": "Bearer abc", "User-Agent": "ua", "Cookie": "a=b"},
            "cookies": {"a": "b"},
            "data": {"password": "pw"},
            "env": {"REMOTE_ADDR": "1.2.3.4"},
        },
        "logentry": {"message": "mail to %s", "params": ["bob@example.com"]},
        "exception": {"values": [{"value": "bob@example.com", "stacktrace": {
            "frames": [{"function": "f", "vars": {"password": "pw"}}]}}]},
        "breadcrumbs": {"values": [{"message": "GET /ws/matches/1?token=abc", "data": {}}]},
    }  # fmt: skip
    scrubbed = scrub_sentry_event(event)
    assert scrubbed["user"] == {"id": "7"} and scrubbed["tags"] == {"user_id": "7"}
    assert scrubbed["request"] == {
        "url": "https://x.test/api/login",
        "query_string": "token=[redacted]&refresh_token=[redacted]&q=ok",
        "headers": {"User-Agent": "ua"},
    }
    text = json.dumps(scrubbed)
    for secret in ("bob@example.com", '"bob"', "1.2.3.4", "abc", "pw"):
        assert secret not in text, secret


def test_the_options_use_no_deprecated_sdk_setting(app: Flask, monkeypatch) -> None:
    """`send_default_pii` is deprecated in favour of `data_collection`: the options set
    what integrations collect without it, and the SDK warns about nothing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with production_sentry(app, monkeypatch):
            said = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
            assert not said, said
            collection = sentry_sdk.get_client().options["data_collection"]
    assert "send_default_pii" not in (sentry_options(app) or {})
    assert collection["provided_by_user"] is True
    assert collection["user_info"] is False
    assert collection["http_bodies"] == []
    assert collection["cookies"] == {"mode": "off"}
    assert collection["stack_frame_variables"] is False


def test_an_event_without_a_user_keeps_none():
    assert "user" not in scrub_sentry_event({"user": {"email": "x@example.com"}})
