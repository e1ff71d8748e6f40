"""The password rules beyond length: common, repetitive, sequential, and the account's own
name or e-mail are refused with 422 `weak_password` naming the rule."""

from __future__ import annotations

import pytest

from deltacrown.accounts.password_policy import password_problem
from deltacrown.demo import DEMO_PASSWORD
from tests.helpers import DEFAULT_PASSWORD, assert_problem


def problem(password, **kwargs):
    return password_problem(password, min_length=10, **kwargs)


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaa",
        "aaaaabbbbb",
        "abcabcabcabc",
        "1234567890",
        "abcdefghijk",
        "9876543210",
        "password123",
        "Password2026!",
        "qwertyuiop",
        "1q2w3e4r5t",
        "iloveyou12",
        "liverpool1",
    ],
)
def test_guessable_passwords_are_refused(password):
    assert problem(password) is not None


@pytest.mark.parametrize(
    "password",
    [
        DEMO_PASSWORD,
        DEFAULT_PASSWORD,
        "long-enough-pw",
        "live-test-password",
        "bench-password",
        "brand-new-password",
        "another-long-pw",
        "Tr0ub4dor&3x",
    ],
)
def test_ordinary_passwords_pass(password):
    assert problem(password) is None


def test_the_accounts_own_username_or_e_mail_is_refused():
    assert problem("ShadowHunter", username="shadowhunter") is not None
    assert problem("rahim.hasan.bd@example.test", email="rahim.hasan.bd@example.test") is not None
    assert problem("rahim.hasan.bd", email="Rahim.Hasan.BD@example.test") is not None
    assert problem("rahim.hasan.bd", email="someone@example.test") is None


def test_length_bounds_still_apply():
    assert "at least 10" in problem("Xk9#qL2")
    assert problem("Xk9#qL2m-" * 120) is not None


def register(client, **overrides):
    body = {"username": "NewPlayer", "email": "new@example.test", "password": "long-enough-pw"}
    return client.post("/api/auth/register/", json={**body, **overrides})


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("qqqqxxxxqqxq", "different characters"),
        ("password123", "most common"),
        ("newplayer", "at least"),
        ("NewPlayer2026", "username"),
    ],
)
def test_register_refuses_weak_passwords_with_a_clear_message(client, password, words):
    body = assert_problem(register(client, password=password), 422, "weak_password")
    assert body["errors"]["password"] == [body["detail"]]
    if words:
        assert words in body["detail"]


def test_register_refuses_the_username_as_password(client):
    body = assert_problem(
        register(client, username="ShadowHunter", password="shadowhunter"), 422, "weak_password"
    )
    assert "username" in body["detail"]


def test_change_password_applies_the_same_rules(client, user):
    response = client.post(
        "/api/auth/change-password/",
        json={"current_password": user.password, "new_password": "1234567890"},
        headers=user.headers,
    )
    body = assert_problem(response, 422, "weak_password")
    assert "new_password" in body["errors"]
