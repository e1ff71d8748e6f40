"""Sign-up, login, tokens and the current user, through the API."""

from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token

from tests.helpers import DEFAULT_PASSWORD, assert_problem


def register(client, **overrides):
    body = {"username": "NewPlayer", "email": "New@Example.test", "password": "long-enough-pw"}
    body.update(overrides)
    return client.post("/api/auth/register/", json=body)


def login(client, login_name, password=DEFAULT_PASSWORD):
    return client.post("/api/auth/login/", json={"login": login_name, "password": password})


def test_register_creates_user_and_hides_password(client):
    response = register(client)
    assert response.status_code == 201
    body = response.get_json()
    assert body["username"] == "NewPlayer"
    assert body["email"] == "new@example.test"
    assert body["is_staff"] is False
    assert "password" not in body and "password_hash" not in body


def test_register_rejects_username_taken_in_other_case(client, make_user):
    make_user(username="Taken")
    assert_problem(register(client, username="tAKEN"), 409, "username_taken")


def test_register_rejects_duplicate_email_in_other_case(client, make_user):
    make_user(username="first", email="dup@example.test")
    assert_problem(register(client, email="DUP@example.test"), 409, "email_taken")


def test_register_rejects_short_password(client):
    body = assert_problem(register(client, password="short"), 422, "weak_password")
    assert "password" in body["errors"]


@pytest.mark.parametrize("username", ["ab", "has space", "x" * 31, "bad/char"])
def test_register_rejects_malformed_usernames(client, username):
    assert_problem(register(client, username=username), 422)


def test_register_rejects_unknown_fields_and_wrong_types(client):
    body = assert_problem(register(client, is_staff=True), 422, "validation_error")
    assert "is_staff" in body["errors"]
    body = assert_problem(register(client, username=123), 422, "validation_error")
    assert "username" in body["errors"]


def test_login_with_username_or_email_returns_tokens(client, user):
    for name in (user.username, user.username.upper(), user.email):
        response = login(client, name)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 900
        assert body["access_token"] and body["refresh_token"]


def test_login_with_wrong_password_or_unknown_user_is_401(client, user):
    assert_problem(login(client, user.username, "wrong-password!"), 401, "invalid_credentials")
    assert_problem(login(client, "nobody-here"), 401, "invalid_credentials")


def test_login_to_disabled_account_is_403(client, make_user):
    disabled = make_user(is_active=False)
    assert_problem(login(client, disabled.username), 403, "account_disabled")


def test_me_requires_a_token(client):
    body = assert_problem(client.get("/api/auth/me/"), 401, "authentication_required")
    assert "detail" in body


def test_me_returns_the_current_user_with_is_staff(client, staff):
    response = client.get("/api/auth/me/", headers=staff.headers)
    assert response.status_code == 200
    assert response.get_json()["is_staff"] is True
    assert response.get_json()["email"] == staff.email


def test_malformed_token_is_401_token_invalid(client):
    headers = {"Authorization": "Bearer not.a.jwt"}
    assert_problem(client.get("/api/auth/me/", headers=headers), 401, "token_invalid")
    headers = {"Authorization": "Basic abc"}
    assert_problem(client.get("/api/auth/me/", headers=headers), 401)


def test_token_signed_with_another_key_is_invalid(client, app, user):
    import jwt as pyjwt

    forged = pyjwt.encode({"sub": str(user.id), "type": "access"}, "x" * 40, algorithm="HS256")
    response = client.get("/api/auth/me/", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(response, 401, "token_invalid")


def test_expired_token_is_401_token_expired(client, app, user):
    with app.app_context():
        token = create_access_token(
            identity=str(user.id), additional_claims={"cv": 1}, expires_delta=timedelta(seconds=-5)
        )
    response = client.get("/api/auth/me/", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401, "token_expired")


def test_refresh_token_used_as_access_token_is_rejected(client, user):
    assert_problem(client.get("/api/auth/me/", headers=user.refresh_headers), 401, "token_invalid")


def test_access_token_used_to_refresh_is_rejected(client, user):
    assert_problem(client.post("/api/auth/refresh/", headers=user.headers), 401, "token_invalid")


def test_refresh_returns_a_working_access_token(client, user):
    response = client.post("/api/auth/refresh/", headers=user.refresh_headers)
    assert response.status_code == 200
    token = response.get_json()["access_token"]
    me = client.get("/api/auth/me/", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200


def test_logout_revokes_the_refresh_token(client, user):
    assert client.post("/api/auth/logout/", headers=user.refresh_headers).status_code == 204
    response = client.post("/api/auth/refresh/", headers=user.refresh_headers)
    assert_problem(response, 401, "token_revoked")


def test_token_of_deactivated_user_stops_working(client, app, user):
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    with app.app_context():
        db.session.get(User, user.id).is_active = False
        db.session.commit()
    assert_problem(client.get("/api/auth/me/", headers=user.headers), 401, "token_invalid")


def test_patch_me_updates_profile_and_etag(client, user):
    first = client.get("/api/auth/me/", headers=user.headers)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    response = client.patch(
        "/api/auth/me/",
        json={"display_name": "Ace", "country": "bd"},
        headers={**user.headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["country"] == "BD"
    assert response.headers["ETag"] != etag
    stale = client.patch(
        "/api/auth/me/", json={"display_name": "Late"}, headers={**user.headers, "If-Match": etag}
    )
    assert_problem(stale, 412, "precondition_failed")


def test_patch_me_without_if_match_is_allowed(client, user):
    response = client.patch("/api/auth/me/", json={"display_name": "NoEtag"}, headers=user.headers)
    assert response.status_code == 200
    assert response.get_json()["display_name"] == "NoEtag"


def test_patch_me_rejects_bad_country(client, user):
    assert_problem(client.patch("/api/auth/me/", json={"country": "1!"}, headers=user.headers), 422)


def test_change_password_with_wrong_current_is_422(client, user):
    response = client.post(
        "/api/auth/change-password/",
        json={"current_password": "not-my-password", "new_password": "another-long-pw"},
        headers=user.headers,
    )
    assert_problem(response, 422, "invalid_current_password")


def test_change_password_invalidates_old_tokens_and_returns_new(client, user):
    response = client.post(
        "/api/auth/change-password/",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "brand-new-password"},
        headers=user.headers,
    )
    assert response.status_code == 200
    fresh = response.get_json()["access_token"]
    assert_problem(client.get("/api/auth/me/", headers=user.headers), 401, "token_invalid")
    assert_problem(client.post("/api/auth/refresh/", headers=user.refresh_headers), 401)
    assert (
        client.get("/api/auth/me/", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    )
    assert login(client, user.username, "brand-new-password").status_code == 200
    assert_problem(login(client, user.username), 401, "invalid_credentials")


def test_user_search_by_prefix_shows_public_fields_only(client, make_user, user):
    make_user(username="zed_one")
    make_user(username="Zed_two")
    make_user(username="other")
    response = client.get("/api/users/?search=zed", headers=user.headers)
    assert response.status_code == 200
    names = [u["username"] for u in response.get_json()]
    assert names == ["zed_one", "Zed_two"]
    assert all("email" not in u for u in response.get_json())
    assert "X-Pagination" in response.headers


def test_user_search_treats_wildcards_literally(client, make_user, user):
    make_user(username="a_b")
    make_user(username="axb")
    names = [
        u["username"] for u in client.get("/api/users/?search=a_", headers=user.headers).get_json()
    ]
    assert names == ["a_b"]


def test_public_profile_and_unknown_user(client, user):
    response = client.get(f"/api/users/{user.id}/", headers=user.headers)
    assert response.status_code == 200
    assert "email" not in response.get_json()
    assert_problem(client.get("/api/users/999999/", headers=user.headers), 404, "user_not_found")


def test_timestamps_are_iso_8601_with_z(client, user):
    created = client.get("/api/auth/me/", headers=user.headers).get_json()["created_at"]
    assert created.endswith("Z") and "T" in created


def test_register_signs_the_new_account_in_with_the_login_token_pair(client):
    body = register(client).get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    me = client.get("/api/auth/me/", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "NewPlayer"
    refreshed = client.post(
        "/api/auth/refresh/", headers={"Authorization": f"Bearer {body['refresh_token']}"}
    )
    assert refreshed.status_code == 200


def test_register_documents_the_tokens_in_its_201(app):
    spec = app.test_client().get("/api/openapi.json").get_json()
    response = spec["paths"]["/api/auth/register/"]["post"]["responses"]["201"]
    ref = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    fields = spec["components"]["schemas"][ref]["properties"]
    assert {"id", "username", "access_token", "refresh_token", "token_type", "expires_in"} <= set(
        fields
    )
