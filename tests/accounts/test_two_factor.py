"""Two-factor sign-in: setup, enable, the sign-in's second step, recovery codes, disable, and
staff who must use it (API and admin) while STAFF_REQUIRE_2FA is on."""

from __future__ import annotations

import re

import pyotp
import pytest
import time_machine

from deltacrown.core.time import utcnow
from tests.helpers import DEFAULT_PASSWORD, assert_problem

SETUP, ENABLE, DISABLE, VERIFY = (
    f"/api/auth/2fa/{p}/" for p in ("setup", "enable", "disable", "verify")
)


def code_at(secret: str, moment) -> str:
    return pyotp.TOTP(secret).at(moment)


def enable_2fa(client, user, moment) -> tuple[str, list[str]]:
    setup = client.post(SETUP, headers=user.headers)
    assert setup.status_code == 200, setup.get_json()
    secret = setup.get_json()["secret"]
    enabled = client.post(ENABLE, json={"code": code_at(secret, moment)}, headers=user.headers)
    assert enabled.status_code == 200, enabled.get_json()
    return secret, enabled.get_json()["recovery_codes"]


def login(client, user):
    return client.post(
        "/api/auth/login/", json={"login": user.username, "password": DEFAULT_PASSWORD}
    )


@pytest.fixture
def clock():
    with time_machine.travel(utcnow().replace(microsecond=0), tick=False) as traveller:
        yield traveller


def test_setup_enable_and_sign_in_with_a_code(client, user, clock):
    setup = client.post(SETUP, headers=user.headers).get_json()
    assert (
        setup["otpauth_uri"].startswith("otpauth://totp/")
        and setup["secret"] in setup["otpauth_uri"]
    )
    assert setup["qr_svg"].startswith("<svg")
    status = client.get("/api/auth/2fa/", headers=user.headers).get_json()
    assert status == {
        "enabled": False,
        "pending": True,
        "recovery_codes_left": 0,
        "required": False,
    }

    now = utcnow()
    enabled = client.post(
        ENABLE, json={"code": code_at(setup["secret"], now)}, headers=user.headers
    )
    codes = enabled.get_json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/api/auth/2fa/", headers=user.headers).get_json()["enabled"] is True

    first = login(client, user).get_json()
    assert first["mfa_required"] is True and "access_token" not in first
    clock.shift(30)  # the next code
    tokens = client.post(
        VERIFY, json={"mfa_token": first["mfa_token"], "code": code_at(setup["secret"], utcnow())}
    )
    assert tokens.status_code == 200, tokens.get_json()
    me = client.get(
        "/api/auth/me/", headers={"Authorization": f"Bearer {tokens.get_json()['access_token']}"}
    )
    assert me.get_json()["id"] == user.id


def test_setup_never_shows_an_enabled_secret_again(client, user, clock):
    enable_2fa(client, user, utcnow())
    assert_problem(client.post(SETUP, headers=user.headers), 409, "two_factor_enabled")


def test_enable_needs_setup_and_the_right_code(client, user, clock):
    assert_problem(
        client.post(ENABLE, json={"code": "123456"}, headers=user.headers),
        409,
        "two_factor_not_set_up",
    )
    secret = client.post(SETUP, headers=user.headers).get_json()["secret"]
    wrong = str((int(code_at(secret, utcnow())) + 1) % 1_000_000).zfill(6)
    assert_problem(
        client.post(ENABLE, json={"code": wrong}, headers=user.headers), 422, "invalid_otp"
    )
    assert client.get("/api/auth/2fa/", headers=user.headers).get_json()["enabled"] is False


def test_a_code_cannot_be_replayed_and_old_codes_expire(client, user, clock):
    secret, _ = enable_2fa(client, user, utcnow())
    used = code_at(secret, utcnow())
    # the code that enabled it cannot sign in within its window
    step = login(client, user).get_json()["mfa_token"]
    assert_problem(client.post(VERIFY, json={"mfa_token": step, "code": used}), 422, "otp_reused")
    # a code two steps old is refused
    clock.shift(90)
    assert_problem(client.post(VERIFY, json={"mfa_token": step, "code": used}), 422, "invalid_otp")


def test_mfa_token_expires_is_single_use_and_is_not_an_access_token(client, user, clock):
    secret, _ = enable_2fa(client, user, utcnow())
    step = login(client, user).get_json()["mfa_token"]
    assert_problem(
        client.get("/api/auth/me/", headers={"Authorization": f"Bearer {step}"}),
        401,
        "token_invalid",
    )
    clock.shift(301)
    assert_problem(
        client.post(VERIFY, json={"mfa_token": step, "code": code_at(secret, utcnow())}),
        401,
        "mfa_token_invalid",
    )
    step = login(client, user).get_json()["mfa_token"]
    clock.shift(30)
    assert (
        client.post(VERIFY, json={"mfa_token": step, "code": code_at(secret, utcnow())}).status_code
        == 200
    )
    clock.shift(30)
    assert_problem(
        client.post(VERIFY, json={"mfa_token": step, "code": code_at(secret, utcnow())}),
        401,
        "mfa_token_invalid",
    )
    assert_problem(
        client.post(VERIFY, json={"mfa_token": "forged.token", "code": "123456"}),
        401,
        "mfa_token_invalid",
    )


def test_recovery_codes_work_once_and_disable_turns_it_off(client, user, clock):
    secret, codes = enable_2fa(client, user, utcnow())
    step = login(client, user).get_json()["mfa_token"]
    assert (
        client.post(VERIFY, json={"mfa_token": step, "recovery_code": codes[0].lower()}).status_code
        == 200
    )
    step = login(client, user).get_json()["mfa_token"]
    assert_problem(
        client.post(VERIFY, json={"mfa_token": step, "recovery_code": codes[0]}), 422, "invalid_otp"
    )
    assert client.get("/api/auth/2fa/", headers=user.headers).get_json()["recovery_codes_left"] == 9
    assert_problem(client.post(VERIFY, json={"mfa_token": step}), 422, "validation_error")

    assert_problem(
        client.post(DISABLE, json={"recovery_code": codes[0]}, headers=user.headers),
        422,
        "invalid_otp",
    )
    assert (
        client.post(DISABLE, json={"recovery_code": codes[1]}, headers=user.headers).status_code
        == 204
    )
    assert "access_token" in login(client, user).get_json()
    assert_problem(
        client.post(DISABLE, json={"code": "123456"}, headers=user.headers),
        409,
        "two_factor_not_enabled",
    )


def test_wrong_codes_count_toward_the_sign_in_lockout(app, client, user, clock, monkeypatch):
    secret, _ = enable_2fa(client, user, utcnow())
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_ENABLED", True)
    monkeypatch.setitem(app.config, "LOGIN_FAILURE_LIMIT", "3/15 minutes")
    app.extensions.pop("deltacrown_login_failures", None)
    try:
        step = login(client, user).get_json()["mfa_token"]
        for _ in range(3):
            assert_problem(client.post(VERIFY, json={"mfa_token": step, "code": "000000"}), 422)
        clock.shift(30)
        locked = client.post(VERIFY, json={"mfa_token": step, "code": code_at(secret, utcnow())})
        assert_problem(locked, 429, "login_locked")
    finally:
        app.extensions.pop("deltacrown_login_failures", None)


# ----- staff must use it ------------------------------------------------------------------
@pytest.fixture
def staff_2fa_required(app, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_REQUIRE_2FA", True)


def test_staff_without_2fa_get_mfa_required_on_staff_apis(client, staff, staff_2fa_required):
    for path in ("/api/admin/users/", "/api/admin/audit/", "/api/admin/payouts/"):
        assert_problem(client.get(path, headers=staff.headers), 403, "mfa_required")
    assert client.get("/api/auth/2fa/", headers=staff.headers).get_json()["required"] is True
    # their own, non-staff requests still work
    assert client.get("/api/auth/me/", headers=staff.headers).status_code == 200


def test_staff_with_2fa_use_staff_apis(client, staff, staff_2fa_required, clock):
    enable_2fa(client, staff, utcnow())
    assert client.get("/api/admin/users/", headers=staff.headers).status_code == 200


def test_the_setting_off_leaves_staff_as_they_are(client, staff):
    assert client.get("/api/admin/users/", headers=staff.headers).status_code == 200


def admin_login(client, login_name, password, code=""):
    page = client.get("/admin/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(
        "/admin/login/",
        data={"csrf_token": token, "login": login_name, "password": password, "code": code},
    )


def test_admin_sends_staff_without_2fa_to_turn_it_on(client, staff, staff_2fa_required):
    assert admin_login(client, staff.username, DEFAULT_PASSWORD).status_code == 302
    response = client.get("/admin/")
    assert (
        response.status_code == 302
        and "/admin/two-factor-required/" in response.headers["Location"]
    )
    page = client.get("/admin/two-factor-required/")
    assert page.status_code == 403 and "/api/auth/2fa/setup/" in page.get_data(as_text=True)


def test_admin_sign_in_asks_for_the_code(client, staff, staff_2fa_required, clock):
    secret, codes = enable_2fa(client, staff, utcnow())
    assert admin_login(client, staff.username, DEFAULT_PASSWORD).status_code == 401
    assert client.get("/admin/").status_code == 302  # not signed in
    clock.shift(30)
    assert admin_login(client, staff.username, DEFAULT_PASSWORD, "000000").status_code == 422
    assert (
        admin_login(client, staff.username, DEFAULT_PASSWORD, code_at(secret, utcnow())).status_code
        == 302
    )
    assert client.get("/admin/").status_code == 200
    client.get("/admin/logout/")
    assert admin_login(client, staff.username, DEFAULT_PASSWORD, codes[0]).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_secret_is_stored_encrypted(app, client, user, clock):
    secret, _ = enable_2fa(client, user, utcnow())
    from deltacrown.accounts.security_models import TwoFactor
    from deltacrown.extensions import db

    with app.app_context():
        stored = db.session.get(TwoFactor, user.id).secret_encrypted
    assert secret not in stored


@pytest.mark.postgres
def test_one_code_raced_by_ten_requests_is_accepted_once(database_url, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    import threading
    import uuid

    from deltacrown.accounts import services, twofactor
    from deltacrown.accounts.models import User
    from deltacrown.accounts.security_models import TwoFactor
    from deltacrown.app import create_app
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    secret = pyotp.random_base32()
    name = f"otp{uuid.uuid4().hex[:8]}"
    with app.app_context(), unit_of_work():
        user = services.register_user(
            username=name, email=f"{name}@example.test", password="long-enough-pw-1"
        )
        encrypted = twofactor._fernet().encrypt(secret.encode()).decode()
        db.session.add(TwoFactor(user_id=user.id, secret_encrypted=encrypted, enabled_at=utcnow()))
        user_id = user.id
    code = pyotp.TOTP(secret).now()
    start = threading.Barrier(10)
    outcomes: list[str] = []

    def attempt() -> None:
        with app.app_context():
            start.wait()
            try:
                with unit_of_work():
                    twofactor.check_second_factor(db.session.get(User, user_id), code=code)
                outcomes.append("accepted")
            except twofactor.OtpReusedError:
                outcomes.append("reused")
            finally:
                db.session.remove()

    try:
        threads = [threading.Thread(target=attempt) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["accepted"] + ["reused"] * 9, outcomes
    finally:
        with app.app_context():
            with unit_of_work():
                db.session.execute(db.delete(User).where(User.id == user_id))
            db.session.remove()
            db.engine.dispose()


def test_staff_only_actions_in_player_operations_answer_mfa_required(
    app, client, staff, make_user, staff_2fa_required, monkeypatch
):
    from tests.factories import make_tournament

    organizer = make_user(username="organizer")
    tournament_id = make_tournament(app, organizer.id, status="registration_open")
    url = f"/api/tournaments/{tournament_id}/close-registration/"
    assert_problem(client.post(url, headers=staff.headers), 403, "mfa_required")
    assert_problem(client.post(url, headers=make_user(username="player").headers), 403, "forbidden")
    monkeypatch.setitem(app.config, "STAFF_REQUIRE_2FA", False)
    assert client.post(url, headers=staff.headers).status_code not in (401, 403)


def test_an_operator_turns_off_a_lost_second_factor(app, client, user, clock):
    enable_2fa(client, user, utcnow())
    result = app.test_cli_runner().invoke(args=["users", "reset-2fa", user.username])
    assert result.exit_code == 0 and "turned off" in result.output, result.output
    assert "access_token" in login(client, user).get_json()
    assert app.test_cli_runner().invoke(args=["users", "reset-2fa", "nobody"]).exit_code == 1
