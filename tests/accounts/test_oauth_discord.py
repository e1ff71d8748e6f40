"""Discord sign-in end to end against a local OAuth 2.0 provider (tests/accounts/
oauth_provider.py) on a real port: new accounts, returning ones, linking by verified e-mail
and from a signed-in account, the front-end code exchange, unlinking, and every refusal
(tampered or missing state, wrong or missing PKCE verifier, a reused code, a denial)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from deltacrown.accounts import oauth
from tests.accounts.oauth_provider import LocalProvider
from tests.helpers import assert_problem

START = "/api/auth/oauth/discord/start/"
DISCORD_USER = {"id": "80351110224678912", "username": "Nelly", "email": "nelly@discord.test"}


@pytest.fixture(scope="module")
def local_provider() -> Iterator[LocalProvider]:
    with LocalProvider() as provider:
        yield provider


@pytest.fixture
def provider(app: Any, local_provider: LocalProvider, monkeypatch: Any) -> LocalProvider:
    for key, value in local_provider.settings().items():
        monkeypatch.setitem(app.config, key, value)
    local_provider.user = {**DISCORD_USER, "verified": True}
    return local_provider


def visit_provider(authorization_url: str) -> str:
    """What the browser does at the provider: the callback URL (path and query) it is sent to."""
    answer = requests.get(authorization_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["Location"])
    return f"{location.path}?{location.query}"


def sign_in(client: Any) -> Any:
    start = client.get(START)
    assert start.status_code == 302
    return client.get(visit_provider(start.headers["Location"]))


def test_the_start_redirects_with_state_and_a_pkce_challenge(client, provider):
    start = client.get(START)
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["client_id"] == ["deltacrown-test-client"]
    assert "HttpOnly" in start.headers["Set-Cookie"]


def test_a_new_player_gets_an_account_and_signs_in_again_later(client, provider, make_user):
    make_user(username="Nelly")
    first = sign_in(client)
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["outcome"] == "created"
    me = client.get("/api/auth/me/", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert (me.get_json()["username"], me.get_json()["email_verified"]) == ("Nelly2", True)
    again = sign_in(client).get_json()
    assert (again["outcome"], again["user_id"]) == ("signed_in", body["user_id"])


def test_an_account_with_the_same_verified_address_is_linked(client, provider, make_user, app):
    owner = make_user(email="nelly@discord.test")
    provider.user["verified"] = False
    assert_problem(sign_in(client), 409, "oauth_email_in_use")
    client.post(
        f"/api/admin/users/{owner.id}/verify-email/", headers=make_user(is_staff=True).headers
    )
    assert_problem(sign_in(client), 409, "oauth_email_in_use")  # Discord's side unverified
    provider.user["verified"] = True
    body = sign_in(client).get_json()
    assert (body["outcome"], body["user_id"]) == ("linked", owner.id)


def test_a_signed_in_player_links_and_unlinks_discord(client, provider, user, make_user):
    start = client.post("/api/auth/oauth/discord/link/start/", headers=user.headers)
    assert start.status_code == 200
    body = client.get(visit_provider(start.get_json()["authorization_url"])).get_json()
    assert (body["outcome"], body["user_id"]) == ("linked", user.id)
    linked = client.get("/api/me/oauth/", headers=user.headers).get_json()
    assert [(a["provider"], a["provider_username"]) for a in linked] == [("discord", "Nelly")]
    other = make_user()
    start = client.post("/api/auth/oauth/discord/link/start/", headers=other.headers)
    refused = client.get(visit_provider(start.get_json()["authorization_url"]))
    assert_problem(refused, 409, "oauth_account_linked")
    assert client.delete("/api/me/oauth/discord/", headers=user.headers).status_code == 204
    assert_problem(client.delete("/api/me/oauth/discord/", headers=user.headers), 404)


def test_an_account_without_a_password_cannot_unlink(client, provider):
    body = sign_in(client).get_json()
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert_problem(
        client.delete("/api/me/oauth/discord/", headers=headers), 409, "password_required"
    )


def test_a_tampered_or_missing_state_is_refused(app, client, provider):
    start = client.get(START)
    callback = visit_provider(start.headers["Location"])
    tampered = callback.replace("state=", "state=x")
    assert_problem(client.get(tampered), 400, "oauth_state_invalid")
    assert_problem(app.test_client().get(callback), 400, "oauth_state_invalid")  # no cookie


def crafted_cookie(app: Any, client: Any, state: str, verifier: str) -> None:
    with app.test_request_context():
        value = oauth._serializer().dumps({"p": "discord", "s": state, "v": verifier, "u": None})
    client.set_cookie(oauth.COOKIE, value, path=oauth.COOKIE_PATH)


@pytest.mark.parametrize("verifier", ["a-wrong-verifier-" * 3, ""])
def test_a_wrong_or_missing_pkce_verifier_is_refused_by_the_provider(
    app, client, provider, verifier
):
    callback = visit_provider(client.get(START).headers["Location"])
    state = parse_qs(urlsplit(callback).query)["state"][0]
    crafted_cookie(app, client, state, verifier)
    assert_problem(client.get(callback), 400, "oauth_failed")


def test_a_reused_code_is_refused(client, provider):
    start = client.get(START)
    cookie = client.get_cookie(oauth.COOKIE, path=oauth.COOKIE_PATH).value
    callback = visit_provider(start.headers["Location"])
    assert client.get(callback).status_code == 200
    client.set_cookie(oauth.COOKIE, cookie, path=oauth.COOKIE_PATH)
    assert_problem(client.get(callback), 400, "oauth_failed")


def test_a_denial_at_the_provider_is_reported(client, provider):
    start = client.get(START)
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    denied = client.get(f"/api/auth/oauth/discord/callback/?error=access_denied&state={state}")
    assert_problem(denied, 400, "oauth_failed")


def test_an_unconfigured_provider_is_404(client):
    assert_problem(client.get(START), 404, "oauth_provider_unknown")
    assert_problem(client.get("/api/auth/oauth/steam/start/"), 404, "oauth_provider_unknown")


def test_with_a_front_end_the_callback_hands_over_a_one_time_code(
    app, client, provider, monkeypatch
):
    monkeypatch.setitem(app.config, "OAUTH_FRONTEND_REDIRECT_URL", "https://play.example/signed-in")
    answer = sign_in(client)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert location.netloc == "play.example"
    query = parse_qs(location.query)
    assert query["outcome"] == ["created"]
    exchange = client.post("/api/auth/oauth/exchange/", json={"code": query["code"][0]})
    assert exchange.status_code == 200 and exchange.get_json()["access_token"]
    again = client.post("/api/auth/oauth/exchange/", json={"code": query["code"][0]})
    assert_problem(again, 400, "token_invalid")
    start = client.get(START)
    failed = client.get(visit_provider(start.headers["Location"]).replace("state=", "state=x"))
    assert failed.status_code == 302 and "error=oauth_state_invalid" in failed.headers["Location"]
