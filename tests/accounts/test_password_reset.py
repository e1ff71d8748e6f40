"""Password reset: the 202 that tells nothing, the single-use link, the new password and the
tokens it revokes, the refusals, equal timing and the rate limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from deltacrown.accounts import recovery
from deltacrown.core import background
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from tests.accounts.recovery_support import token_in
from tests.helpers import assert_problem

NEW_PASSWORD = "a-brand-new-secret-77"


def ask_reset(client: Any, email: str, **kwargs: Any) -> Any:
    return client.post("/api/auth/password-reset/", json={"email": email}, **kwargs)


def confirm(client: Any, token: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(
        "/api/auth/password-reset/confirm/", json={"token": token, "new_password": password}
    )


def test_a_known_address_gets_a_single_use_link_and_an_unknown_one_the_same_answer(
    client, user, outbox
):
    known = ask_reset(client, user.email.upper())
    unknown = ask_reset(client, "nobody@example.test")
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    assert [m.to for m in outbox] == [user.email]
    assert "30 minutes" in outbox[0].text and "/reset-password?token=" in outbox[0].text


def test_the_new_password_works_and_every_earlier_token_stops(client, user, outbox):
    ask_reset(client, user.email)
    answer = confirm(client, token_in(outbox[0]))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["refresh_token"]
    assert_problem(client.get("/api/auth/me/", headers=user.headers), 401)
    assert_problem(client.post("/api/auth/refresh/", headers=user.refresh_headers), 401)
    login = client.post("/api/auth/login/", json={"login": user.username, "password": NEW_PASSWORD})
    assert login.status_code == 200
    old = client.post("/api/auth/login/", json={"login": user.username, "password": user.password})
    assert_problem(old, 401, "invalid_credentials")


def test_a_used_link_is_refused_and_so_are_the_older_ones(client, user, outbox):
    ask_reset(client, user.email)
    ask_reset(client, user.email)
    first, second = (token_in(m) for m in outbox)
    assert confirm(client, second).status_code == 200
    assert_problem(confirm(client, second, "another-fine-secret-88"), 400, "token_invalid")
    assert_problem(confirm(client, first, "another-fine-secret-88"), 400, "token_invalid")


def test_an_expired_link_is_refused(client, user, outbox):
    ask_reset(client, user.email)
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=False):
        assert_problem(confirm(client, token_in(outbox[0])), 400, "token_invalid")


@pytest.mark.parametrize("token", ["not-a-token", "x" * 128])
def test_an_unknown_token_is_refused(client, token):
    assert_problem(confirm(client, token), 400, "token_invalid")


def test_a_weak_password_is_refused_and_the_link_stays_usable(client, user, outbox):
    ask_reset(client, user.email)
    token = token_in(outbox[0])
    body = assert_problem(confirm(client, token, "password123"), 422, "weak_password")
    assert "most common" in body["errors"]["new_password"][0]
    assert_problem(confirm(client, token, user.username + "1"), 422, "weak_password")
    assert confirm(client, token).status_code == 200


def test_following_the_link_verifies_the_address(client, user, outbox):
    ask_reset(client, user.email)
    tokens = confirm(client, token_in(outbox[0])).get_json()
    me = client.get("/api/auth/me/", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.get_json()["email_verified"] is True


def test_known_and_unknown_addresses_do_the_same_work_in_the_request(
    app, client, user, monkeypatch
):
    """Nothing the request does depends on whether the address has an account (the lookup
    happens in the task), so its time tells an attacker nothing: both requests send the same
    statements and start the same task, and answer the same."""
    started: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(background, "start", lambda name, **kw: started.append((name, kw)))

    def statements_of(email: str) -> list[str]:
        sent: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            sent.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            response = ask_reset(client, email)
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 202
        return sent

    ask_reset(client, user.email)  # warm up (first-request work)
    started.clear()
    assert statements_of(user.email) == statements_of("ghost@example.test")
    assert [name for name, _ in started] == [recovery.RESET_TASK] * 2
    assert [kw["email"] for _, kw in started] == [user.email, "ghost@example.test"]


def test_requests_are_limited_per_e_mail_address_and_per_client(make_limited_app, monkeypatch):
    monkeypatch.setattr(background, "start", lambda name, **kw: None)  # the limits are tested
    app = make_limited_app(RATELIMIT_ACCOUNT_MAIL="2/hour", RATELIMIT_AUTH="4/minute")
    client = app.test_client()
    for n in (1, 2):
        response = ask_reset(
            client, "same@example.test", environ_base={"REMOTE_ADDR": f"10.7.0.{n}"}
        )
        assert response.status_code == 202
    limited = ask_reset(client, "Same@example.test", environ_base={"REMOTE_ADDR": "10.7.0.3"})
    assert_problem(limited, 429)
    assert limited.headers["Retry-After"]
    for n in range(4):
        response = ask_reset(client, f"x{n}@example.test", environ_base={"REMOTE_ADDR": "10.7.1.1"})
        assert response.status_code == 202
    assert_problem(
        ask_reset(client, "x9@example.test", environ_base={"REMOTE_ADDR": "10.7.1.1"}), 429
    )
