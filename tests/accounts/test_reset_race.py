"""On PostgreSQL, five simultaneous confirmations of one password-reset token: exactly one
sets the password, the others get 400 `token_invalid`."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from deltacrown.accounts import account_tokens, services
from deltacrown.accounts.credential_models import TokenPurpose
from deltacrown.app import create_app
from deltacrown.extensions import db
from tests.helpers import LiveServer

RACERS = 5


def _confirm(url: str, token: str, n: int, start: threading.Barrier, out: list[int]) -> None:
    body = json.dumps({"token": token, "new_password": f"racing-password-{n}-x9"}).encode()
    request = urllib.request.Request(
        f"{url}/api/auth/password-reset/confirm/",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    start.wait()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            out.append(response.status)
    except urllib.error.HTTPError as error:
        out.append(error.code)


@pytest.mark.postgres
def test_one_reset_token_confirmed_at_once_by_many_is_used_once(database_url, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    name = f"reset{uuid.uuid4().hex[:8]}"
    with app.test_request_context():
        user = services.register_user(
            username=name, email=f"{name}@example.test", password="long-enough-pw"
        )
        token = account_tokens.issue(user.id, TokenPurpose.PASSWORD_RESET, timedelta(minutes=30))
        user_id = user.id
        db.session.commit()
    statuses: list[int] = []
    start = threading.Barrier(RACERS)
    try:
        with LiveServer(app) as server:
            threads = [
                threading.Thread(target=_confirm, args=(server.url, token, n, start, statuses))
                for n in range(RACERS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        assert sorted(statuses) == [200] + [400] * (RACERS - 1), statuses
    finally:
        with app.app_context():
            db.session.execute(sa.text("DELETE FROM users WHERE id = :id"), {"id": user_id})
            db.session.commit()
            db.engine.dispose()
