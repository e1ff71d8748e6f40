"""E-mail verification: the link sent at sign-up and on request, its confirmation and its
refusals, a change of address, staff marking an address verified (API, admin, CLI), and the
403 on paid actions when verification is required."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from deltacrown.core.audit import AuditEntry
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from tests.accounts.recovery_support import token_in
from tests.factories import tournament_body
from tests.helpers import assert_problem, sign_in_admin
from tests.teams.test_admin import flashes, run_action

SIGN_UP = {"username": "Newcomer", "email": "newcomer@example.test", "password": "long-enough-pw"}


def confirm(client, token):
    return client.post("/api/auth/verify-email/confirm/", json={"token": token})


def me(client, headers):
    return client.get("/api/auth/me/", headers=headers).get_json()


def test_sign_up_sends_a_link_that_verifies_the_address_once(client, outbox):
    body = client.post("/api/auth/register/", json=SIGN_UP).get_json()
    assert body["email_verified"] is False
    assert [m.to for m in outbox] == ["newcomer@example.test"]
    token = token_in(outbox[0])
    answer = confirm(client, token)
    assert answer.status_code == 200
    assert answer.get_json()["email_verified"] is True and answer.get_json()["email_verified_at"]
    assert_problem(confirm(client, token), 400, "token_invalid")


def test_an_expired_or_unknown_link_is_refused(client, user, outbox):
    assert client.post("/api/auth/verify-email/", headers=user.headers).status_code == 202
    with time_machine.travel(utcnow() + timedelta(hours=49), tick=False):
        assert_problem(confirm(client, token_in(outbox[0])), 400, "token_invalid")
    assert_problem(confirm(client, "made-up"), 400, "token_invalid")
    assert me(client, user.headers)["email_verified"] is False


def test_resending_needs_a_sign_in_and_an_unverified_address(client, user, outbox):
    assert_problem(client.post("/api/auth/verify-email/"), 401)
    assert client.post("/api/auth/verify-email/", headers=user.headers).status_code == 202
    assert confirm(client, token_in(outbox[-1])).status_code == 200
    assert_problem(
        client.post("/api/auth/verify-email/", headers=user.headers), 409, "email_already_verified"
    )


def test_changing_the_address_unverifies_it_and_mails_the_new_one(client, user, outbox):
    client.post("/api/auth/verify-email/", headers=user.headers)
    old_token = token_in(outbox[0])
    change = {"new_email": "Moved@Example.test", "password": user.password}
    answer = client.post("/api/auth/change-email/", json=change, headers=user.headers)
    assert answer.status_code == 200
    assert (answer.get_json()["email"], answer.get_json()["email_verified"]) == (
        "moved@example.test",
        False,
    )
    assert outbox[-1].to == "moved@example.test"
    assert_problem(confirm(client, old_token), 400, "token_invalid")
    assert confirm(client, token_in(outbox[-1])).get_json()["email"] == "moved@example.test"


def test_changing_the_address_needs_the_password_and_a_free_address(client, user, make_user):
    other = make_user()
    wrong = {"new_email": "new@example.test", "password": "not-the-password"}
    answer = client.post("/api/auth/change-email/", json=wrong, headers=user.headers)
    assert_problem(answer, 422, "invalid_current_password")
    taken = {"new_email": other.email, "password": user.password}
    answer = client.post("/api/auth/change-email/", json=taken, headers=user.headers)
    assert_problem(answer, 409, "email_taken")
    bad = {"new_email": "not an address", "password": user.password}
    assert_problem(client.post("/api/auth/change-email/", json=bad, headers=user.headers), 422)


def test_staff_mark_an_address_verified_and_it_is_audited(app, client, user, staff):
    url = f"/api/admin/users/{user.id}/verify-email/"
    assert_problem(client.post(url, headers=user.headers), 403)
    answer = client.post(url, headers=staff.headers)
    assert answer.status_code == 200 and answer.get_json()["email_verified"] is True
    assert client.post(url, headers=staff.headers).status_code == 200  # idempotent
    with app.app_context():
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "user.email_verified")
        ).all()
        assert [(e.actor_id, e.target_id) for e in entries] == [(staff.id, user.id)]


def test_the_admin_action_and_the_cli_mark_addresses_verified(app, client, make_user, staff):
    first, second = make_user(), make_user()
    sign_in_admin(client, staff.id)
    page = run_action(client, "/admin/admin_users/", "verify_email", [first.id])
    assert page.status_code == 302
    assert flashes(client) == ["1 address(es) verified."]
    result = app.test_cli_runner().invoke(args=["users", "verify-email", second.username])
    assert result.exit_code == 0, result.output
    assert me(client, first.headers)["email_verified"] is True
    assert me(client, second.headers)["email_verified"] is True
    missing = app.test_cli_runner().invoke(args=["users", "verify-email", "nobody-here"])
    assert missing.exit_code != 0


def test_unverified_addresses_may_not_create_tournaments_or_buy_when_required(
    app, client, user, monkeypatch
):
    monkeypatch.setitem(app.config, "REQUIRE_EMAIL_VERIFICATION", True)
    create = client.post("/api/tournaments/", json=tournament_body(), headers=user.headers)
    assert_problem(create, 403, "email_not_verified")
    buy = client.post("/api/shop/purchases/", json={"item": 1}, headers=user.headers)
    assert_problem(buy, 403, "email_not_verified")
    monkeypatch.setitem(app.config, "REQUIRE_EMAIL_VERIFICATION", False)
    created = client.post("/api/tournaments/", json=tournament_body(), headers=user.headers)
    assert created.status_code == 201
