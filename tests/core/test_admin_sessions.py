"""Admin sign-in has the API login's limits, and an admin session ends for good: sign-out
revokes it on the server, a password change ends it, it has a maximum age, and its cookie is
`SameSite=Lax` (and `Secure` in production)."""

from __future__ import annotations

import re
import time

import pytest

from deltacrown.config import ProductionConfig
from deltacrown.core.admin import SESSION_KEY, SESSION_SINCE, admin_auth
from tests.helpers import DEFAULT_PASSWORD


def post_login(client, login, password, *, ip=1):
    page = client.get("/admin/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(
        "/admin/login/",
        data={"csrf_token": token, "login": login, "password": password},
        environ_base={"REMOTE_ADDR": f"10.8.0.{ip}"},
    )


def session_cookie(client):
    return client.get_cookie("session").value


def test_a_copied_session_cookie_stops_working_after_sign_out(client, staff):
    assert post_login(client, staff.username, DEFAULT_PASSWORD).status_code == 302
    copied = session_cookie(client)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/logout/").status_code == 302
    client.set_cookie("session", copied)  # replay the signed-in cookie
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]


def test_a_password_change_ends_the_admin_session(client, staff):
    assert post_login(client, staff.username, DEFAULT_PASSWORD).status_code == 302
    copied = session_cookie(client)
    changed = client.post(
        "/api/auth/change-password/",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "a-fresh-admin-secret"},
        headers=staff.headers,
    )
    assert changed.status_code == 200, changed.get_json()
    client.set_cookie("session", copied)
    assert client.get("/admin/").status_code == 302


def test_a_cookie_holding_only_a_user_id_is_not_a_session(client, staff):
    with client.session_transaction() as session:
        session[SESSION_KEY] = staff.id
    assert client.get("/admin/").status_code == 302


def test_a_session_ends_after_its_maximum_age(app, client, staff, monkeypatch):
    assert post_login(client, staff.username, DEFAULT_PASSWORD).status_code == 302
    with client.session_transaction() as session:
        session[SESSION_SINCE] = int(time.time()) - 13 * 3600
    assert client.get("/admin/").status_code == 302


def test_the_session_cookie_is_samesite_lax_and_secure_in_production(client, staff):
    response = post_login(client, staff.username, DEFAULT_PASSWORD)
    cookies = response.headers.getlist("Set-Cookie")
    session_header = next(c for c in cookies if c.startswith("session="))
    assert "SameSite=Lax" in session_header and "HttpOnly" in session_header
    assert ProductionConfig.SESSION_COOKIE_SECURE is True


@pytest.fixture
def lockout_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_ENABLED", True)
    app.extensions.pop("deltacrown_login_failures", None)
    yield
    app.extensions.pop("deltacrown_login_failures", None)


def test_admin_sign_in_shares_the_per_account_lockout(client, staff, lockout_on):
    for n in range(10):
        assert post_login(client, staff.username, "wrong-password!", ip=n).status_code == 200
    locked = post_login(client, staff.username, DEFAULT_PASSWORD, ip=77)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert b"Too many failed sign-ins" in locked.data
    assert client.get("/admin/").status_code == 302


def test_a_browser_that_signed_in_before_is_not_locked_out(app, client, staff, lockout_on):
    assert post_login(client, staff.username, DEFAULT_PASSWORD).status_code == 302
    assert client.get_cookie("deltacrown_device", path="/admin/") is not None
    client.get("/admin/logout/")
    attacker = app.test_client()
    for n in range(10):
        post_login(attacker, staff.username, "wrong-password!", ip=n)
    assert post_login(attacker, staff.username, DEFAULT_PASSWORD).status_code == 429
    assert post_login(client, staff.username, DEFAULT_PASSWORD).status_code == 302


def test_admin_sign_in_is_limited_per_address(database_url, tmp_path):
    from deltacrown.app import create_app
    from deltacrown.extensions import db

    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        STORAGE_ROOT=str(tmp_path / "storage"),
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_AUTH="3/minute",
    )
    client = app.test_client()
    try:
        for n in range(3):
            assert post_login(client, f"nobody{n}", "wrong-password!").status_code == 200
        blocked = post_login(client, "nobody-else", "wrong-password!")
        assert blocked.status_code == 429
        assert b"Too many sign-in attempts" in blocked.data
        assert post_login(client, "nobody-else", "wrong-password!", ip=2).status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_admin_sign_in_asks_the_apps_own_admin_auth(app, client, staff):
    """The sign-in answers come from the port provided on this app (no process-wide setter),
    so a substitute on the app is what the login page asks."""
    asked: list[str] = []
    real = admin_auth.provided(app)

    class Refusing:
        def __getattr__(self, name):
            return getattr(real, name)

        def authenticate(self, login, password, device_token):
            asked.append(login)
            return None

    with admin_auth.substituted(app, Refusing()):
        response = post_login(client, staff.username, DEFAULT_PASSWORD)
    assert asked == [staff.username]
    assert response.status_code == 200 and "Wrong username" in response.get_data(as_text=True)
    assert post_login(client, staff.username, DEFAULT_PASSWORD, ip=2).status_code == 302
