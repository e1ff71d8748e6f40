"""A sanction and its revocation take effect at once on another server process: two
gunicorn processes in server mode share the database and Redis (where the enforcement cache
lives); one caches "not sanctioned", the other bans and then lifts the ban, and the first
answers accordingly on the very next request. The accounts are committed for real and
deleted afterwards, with their sanctions, audit entries and cache keys."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.live.support import delete_created_rows
from tests.live.test_cross_process import (  # noqa: F401  (fixtures)
    RECEIVE_SECONDS,
    SECRET,
    server_urls,
    two_servers,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def accounts(server_urls: tuple[str, str]) -> Iterator[dict[str, Any]]:  # noqa: F811
    """A player and a staff member, committed, with access tokens the servers accept."""
    from deltacrown.accounts import services
    from deltacrown.accounts.tokens import tokens_for
    from deltacrown.app import create_app
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.extensions import db

    database_url, redis_url = server_urls
    app: Flask = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url, JWT_SECRET_KEY=SECRET, SECRET_KEY=SECRET
    )
    prefix = f"md{uuid.uuid4().hex[:8]}"
    made: dict[str, Any] = {}
    with app.test_request_context(), unit_of_work():
        for role, is_staff in (("player", False), ("staff", True)):
            user = services.register_user(
                username=f"{prefix}{role}",
                email=f"{prefix}{role}@moderation.test",
                password="moderation-test-password",  # noqa: S106  (a throwaway account)
                is_staff=is_staff,
            )
            db.session.flush()
            made[role] = user.id
            made[f"{role}_token"] = tokens_for(user)["access_token"]
    try:
        yield made
    finally:
        engine = sa.create_engine(database_url)
        delete_created_rows(engine, db.metadata, {"users": {made["player"], made["staff"]}})
        engine.dispose()
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"*moderation:user:{made['player']}:sanctions"):
            client.delete(key)
        client.close()
        with app.app_context():
            db.engine.dispose()


def call(base: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310  (a local test server)
        f"{base}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=RECEIVE_SECONDS) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_ban_and_its_revocation_apply_at_once_on_another_process(
    accounts: dict[str, Any],
    two_servers: tuple[str, str],  # noqa: F811
) -> None:
    player_side, staff_side = two_servers
    me = ("GET", "/api/auth/me/", accounts["player_token"])
    assert call(player_side, *me)[0] == 200  # "not sanctioned" is now cached

    ban = {"user_id": accounts["player"], "type": "ban", "scope": "global", "reason_code": "test"}
    status, sanction = call(
        staff_side, "POST", "/api/admin/sanctions/", accounts["staff_token"], ban
    )
    assert status == 201, sanction
    status, refused = call(player_side, *me)
    assert (status, refused["code"], refused["sanction_id"]) == (
        403,
        "account_banned",
        sanction["id"],
    )

    path = f"/api/admin/sanctions/{sanction['id']}/revoke/"
    assert call(staff_side, "POST", path, accounts["staff_token"], {})[0] == 200
    assert call(player_side, *me)[0] == 200
