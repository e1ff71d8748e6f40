"""Brute force is counted per account: failed passwords (not successes) for one account, in
its username and e-mail forms together, lock it for 15 minutes after ten, from any address;
a device that signed in before is exempt, so nobody can lock a player out on purpose."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import DEFAULT_PASSWORD, assert_problem


@pytest.fixture
def lockout_on(app, monkeypatch) -> Iterator[None]:
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_ENABLED", True)
    app.extensions.pop("deltacrown_login_failures", None)
    yield
    app.extensions.pop("deltacrown_login_failures", None)


def login(client, name, password="wrong-password!", *, ip=1, device_token=None):  # noqa: S107
    body = {"login": name, "password": password}
    if device_token is not None:
        body["device_token"] = device_token
    return client.post("/api/auth/login/", json=body, environ_base={"REMOTE_ADDR": f"10.7.0.{ip}"})


def test_ten_failures_from_many_addresses_lock_the_account_with_retry_after(
    client, user, lockout_on
):
    for n in range(10):
        name = user.username if n % 2 else user.email.upper()  # both forms, one counter
        assert_problem(login(client, name, ip=n), 401, "invalid_credentials")
    locked = login(client, user.username.lower(), DEFAULT_PASSWORD, ip=99)
    body = assert_problem(locked, 429, "login_locked")
    assert 800 < int(locked.headers["Retry-After"]) <= 900
    assert body["retry_after"] == int(locked.headers["Retry-After"])


def test_successes_are_not_counted(client, user, lockout_on):
    for _ in range(12):
        assert login(client, user.username, DEFAULT_PASSWORD).status_code == 200
    for _ in range(9):
        assert login(client, user.username).status_code == 401
    assert login(client, user.username, DEFAULT_PASSWORD).status_code == 200


def test_a_device_that_signed_in_before_is_not_locked_out(client, user, lockout_on):
    device = login(client, user.username, DEFAULT_PASSWORD).get_json()["device_token"]
    for n in range(10):
        login(client, user.username, ip=n)
    assert_problem(login(client, user.username, DEFAULT_PASSWORD, ip=50), 429, "login_locked")
    known = login(client, user.username, DEFAULT_PASSWORD, ip=50, device_token=device)
    assert known.status_code == 200, known.get_json()


def test_a_device_token_of_another_account_or_forged_gives_no_exemption(
    client, user, make_user, lockout_on
):
    other = make_user()
    foreign = login(client, other.username, other.password).get_json()["device_token"]
    for n in range(10):
        login(client, user.username, ip=n)
    for token in (foreign, foreign[:-2] + "xx", "garbage"):
        locked = login(client, user.username, DEFAULT_PASSWORD, device_token=token)
        assert_problem(locked, 429, "login_locked")


def test_unknown_names_lock_like_accounts_so_a_lockout_reveals_nothing(client, lockout_on):
    for n in range(10):
        assert_problem(login(client, "no-such-player", ip=n), 401, "invalid_credentials")
    assert_problem(login(client, "No-Such-Player"), 429, "login_locked")
    assert_problem(login(client, "another-name"), 401, "invalid_credentials")


def test_the_lock_ends_when_the_window_passes(app, client, user, lockout_on, monkeypatch):
    import time as real_time

    for n in range(10):
        login(client, user.username, ip=n)
    assert login(client, user.username, DEFAULT_PASSWORD).status_code == 429
    later = real_time.time() + 15 * 60 + 1
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: later)
    monkeypatch.setattr("deltacrown.accounts.lockout.time.time", lambda: later)
    assert login(client, user.username, DEFAULT_PASSWORD).status_code == 200


def test_login_locked_is_documented(client):
    spec = client.get("/api/openapi.json").get_json()
    responses = spec["paths"]["/api/auth/login/"]["post"]["responses"]
    assert "login_locked" in responses["429"]["description"]
    assert "device_token" in str(spec["components"]["schemas"])
