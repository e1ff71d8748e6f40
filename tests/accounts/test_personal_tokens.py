"""Personal access tokens: made, listed and revoked by their owner; scopes checked on a sample
of operations drawn from the URL map; never staff rights; their own rate limit; last use
recorded at most once a minute."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from deltacrown.core.scopes import PAT_PREFIX, SCOPES, STAFF_PATH_PREFIX, scope_for
from deltacrown.core.time import utcnow
from tests.helpers import assert_problem

ALL_SCOPES = sorted(SCOPES)


def make_token(client, user, scopes, **extra):
    response = client.post(
        "/api/me/tokens/", json={"name": "bot", "scopes": scopes, **extra}, headers=user.headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_listed_without_its_text_and_revoked(client, user):
    made = make_token(client, user, ["profile:read", "tournaments:read"])
    assert made["token"].startswith(PAT_PREFIX) and made["token"].startswith(made["prefix"])
    me = client.get("/api/auth/me/", headers=bearer(made["token"]))
    assert me.status_code == 200 and me.get_json()["id"] == user.id

    listed = client.get("/api/me/tokens/", headers=user.headers).get_json()
    assert [t["id"] for t in listed] == [made["id"]]
    assert "token" not in listed[0] and listed[0]["scopes"] == ["profile:read", "tournaments:read"]
    assert listed[0]["last_used_at"] is not None

    assert client.delete(f"/api/me/tokens/{made['id']}/", headers=user.headers).status_code == 204
    assert_problem(client.get("/api/auth/me/", headers=bearer(made["token"])), 401, "token_revoked")
    assert client.get("/api/me/tokens/", headers=user.headers).get_json() == []
    assert_problem(
        client.delete(f"/api/me/tokens/{made['id']}/", headers=user.headers), 404, "token_not_found"
    )


def test_expired_and_unknown_tokens_get_401(client, user):
    made = make_token(
        client, user, ["profile:read"], expires_at=(utcnow() + timedelta(hours=1)).isoformat()
    )
    assert client.get("/api/auth/me/", headers=bearer(made["token"])).status_code == 200
    with time_machine.travel(utcnow() + timedelta(hours=1, seconds=1)):
        assert_problem(
            client.get("/api/auth/me/", headers=bearer(made["token"])), 401, "token_expired"
        )
    forged = PAT_PREFIX + "x" * 43
    assert_problem(client.get("/api/auth/me/", headers=bearer(forged)), 401, "token_invalid")


def test_bad_requests_for_a_token_change_nothing(client, user, make_user):
    post = lambda body: client.post("/api/me/tokens/", json=body, headers=user.headers)  # noqa: E731
    assert_problem(post({"name": "x", "scopes": ["staff:all"]}), 422, "validation_error")
    assert_problem(post({"name": "x", "scopes": []}), 422, "validation_error")
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    assert_problem(post({"name": "x", "scopes": ["profile:read"], "expires_at": past}), 422)
    assert client.get("/api/me/tokens/", headers=user.headers).get_json() == []
    other = make_token(client, make_user(username="other"), ["profile:read"])
    assert_problem(
        client.delete(f"/api/me/tokens/{other['id']}/", headers=user.headers),
        404,
        "token_not_found",
    )


def test_a_token_cannot_manage_tokens_or_refresh(client, user):
    token = make_token(client, user, ALL_SCOPES)["token"]
    assert_problem(client.get("/api/me/tokens/", headers=bearer(token)), 403, "insufficient_scope")
    assert_problem(
        client.post(
            "/api/me/tokens/", json={"name": "x", "scopes": ["profile:read"]}, headers=bearer(token)
        ),
        403,
        "insufficient_scope",
    )
    assert_problem(client.post("/api/auth/refresh/", headers=bearer(token)), 401, "token_invalid")
    assert_problem(
        client.post("/api/auth/2fa/setup/", headers=bearer(token)), 403, "insufficient_scope"
    )


def test_a_staff_members_token_has_no_staff_rights(client, staff):
    token = make_token(client, staff, ALL_SCOPES)["token"]
    assert client.get("/api/auth/me/", headers=bearer(token)).get_json()["is_staff"] is False
    for path in ("/api/admin/users/", "/api/admin/audit/", "/api/admin/shop/items/"):
        assert_problem(client.get(path, headers=bearer(token)), 403, "insufficient_scope")
    # the staff member's own session keeps its rights
    assert client.get("/api/admin/users/", headers=staff.headers).status_code == 200


# ----- scopes across the URL map ----------------------------------------------------------
def _operations(app):
    """(method, rule, needed scope) of every signed-in /api/ operation that takes a token."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule.startswith(STAFF_PATH_PREFIX):
            continue
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        blueprint = app.blueprints.get(rule.endpoint.rsplit(".", 1)[0])
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            handler = getattr(view_class, method.lower(), None)
            doc = getattr(handler, "_apidoc", {})
            if not doc.get("token_auth"):
                continue
            found.append(
                (
                    method,
                    rule.rule,
                    scope_for(doc, getattr(blueprint, "token_scopes", None), method),
                )
            )
    return found


def _sample(app):
    """Per blueprint, its first read and its first write that a token may call."""
    chosen: dict[tuple[str, bool], tuple[str, str, str]] = {}
    for method, rule, scope in sorted(_operations(app), key=lambda op: (op[1], op[0])):
        if scope is None:
            continue
        endpoint = next(r.endpoint for r in app.url_map.iter_rules() if r.rule == rule)
        chosen.setdefault((endpoint.split(".")[0], method == "GET"), (method, rule, scope))
    return sorted(chosen.values())


def _url(rule: str) -> str:
    return re.sub(
        r"<(?:(\w+):)?(\w+)>", lambda m: "999999" if m.group(1) == "int" else "nothing", rule
    )


def test_every_blueprint_declares_scopes_and_staff_operations_take_none(app):
    operations = _operations(app)
    assert {scope for _, _, scope in operations} - {None} <= set(SCOPES)
    assert len(_sample(app)) >= 25  # the domains' reads and writes are sampled
    for method, rule, scope in operations:
        if rule.startswith("/api/me/tokens") or rule.startswith("/api/auth/2fa"):
            assert scope is None, (method, rule)


def test_a_token_needs_the_operations_scope_on_a_sample_of_the_url_map(app, client, user):
    tokens = {scope: make_token(client, user, [scope])["token"] for scope in ALL_SCOPES}
    for method, rule, scope in _sample(app):
        url = _url(rule)
        endpoint = next(r.endpoint for r in app.url_map.iter_rules() if r.rule == rule)
        multipart = getattr(app.view_functions[endpoint].view_class, "accepts_multipart", False)
        body = None if method == "GET" or multipart else {}
        other = next(s for s in ALL_SCOPES if s != scope)
        denied = client.open(url, method=method, json=body, headers=bearer(tokens[other]))
        assert_problem(denied, 403, "insufficient_scope")
        allowed = client.open(url, method=method, json=body, headers=bearer(tokens[scope]))
        body = allowed.get_json(silent=True) or {}
        assert allowed.status_code != 401, (method, rule, body)
        assert body.get("code") != "insufficient_scope", (method, rule, body)
        assert allowed.status_code < 500, (method, rule, body)


# ----- rate limit and last use ------------------------------------------------------------
def test_each_token_has_its_own_rate_limit(app, client, user, monkeypatch):
    first = make_token(client, user, ["profile:read"])["token"]
    second = make_token(client, user, ["profile:read"])["token"]
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "RATELIMIT_TOKEN", "2/minute")
    monkeypatch.setitem(app.config, "RATELIMIT_KEY_PREFIX", f"pat-test-{id(client)}")
    for _ in range(2):
        assert client.get("/api/auth/me/", headers=bearer(first)).status_code == 200
    limited = assert_problem(
        client.get("/api/auth/me/", headers=bearer(first)), 429, "rate_limited"
    )
    assert limited["status"] == 429
    assert client.get("/api/auth/me/", headers=bearer(second)).status_code == 200


@pytest.mark.usefixtures("app")
def test_last_use_is_written_at_most_once_a_minute(client, user):
    made = make_token(client, user, ["profile:read"])

    def last_used():
        return client.get("/api/me/tokens/", headers=user.headers).get_json()[0]["last_used_at"]

    start = utcnow().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        assert last_used() is None
        client.get("/api/auth/me/", headers=bearer(made["token"]))
        first = last_used()
        assert first is not None
        clock.shift(30)
        client.get("/api/auth/me/", headers=bearer(made["token"]))
        assert last_used() == first
        clock.shift(31)
        client.get("/api/auth/me/", headers=bearer(made["token"]))
        assert last_used() > first


def test_idempotency_keys_are_scoped_to_the_token_and_replays_need_it_valid(
    client, user, make_user
):
    token = make_token(client, user, ["profile:read"])
    other = make_token(client, make_user(username="other"), ["profile:read"])
    body = {"username": "KeyedPlayer", "email": "keyed@example.test", "password": "long-enough-pw"}

    def register(pat):
        headers = {**bearer(pat["token"]), "Idempotency-Key": "k-pat"}
        return client.post("/api/auth/register/", json=body, headers=headers)

    assert register(token).status_code == 201
    assert register(token).headers["Idempotent-Replayed"] == "true"
    assert_problem(register(other), 409, "username_taken")  # another token's key is its own
    client.delete(f"/api/me/tokens/{token['id']}/", headers=user.headers)
    assert_problem(register(token), 401, "token_revoked")
