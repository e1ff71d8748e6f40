"""Test helpers: problem assertions, users and tokens, a live server for real sockets."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status (and code)."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json", response.mimetype
    body = response.get_json()
    assert body["status"] == status
    assert body["type"].startswith("https://deltacrown.dev/problems/")
    assert isinstance(body["title"], str) and body["title"]
    if code is not None:
        assert body["code"] == code, body
    return body


@dataclass
class UserInfo:
    id: int
    username: str
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def refresh_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.refresh_token}"}


def create_user(
    app: Flask,
    *,
    username: str | None = None,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    is_staff: bool = False,
    is_superuser: bool = False,
    is_active: bool = True,
    **extra: Any,
) -> UserInfo:
    from deltacrown.accounts import services, tokens
    from deltacrown.extensions import db

    n = next(_counter)
    username = username or f"player{n}"
    email = email or f"{username.lower()}@example.test"
    with app.test_request_context():
        user = services.register_user(
            username=username,
            email=email,
            password=password,
            is_staff=is_staff,
            is_superuser=is_superuser,
            **extra,
        )
        user.is_active = is_active
        db.session.commit()
        pair = tokens.tokens_for(user)
        info = UserInfo(
            user.id,
            user.username,
            user.email,
            password,
            pair["access_token"],
            pair["refresh_token"],
        )
        db.session.remove()
    return info


def sign_in_admin(client: Any, user_id: int) -> None:
    """Give the test client's browser session a signed-in admin session for the user."""
    from deltacrown.accounts.models import User
    from deltacrown.core.admin import start_admin_session
    from deltacrown.extensions import db

    with client.application.test_request_context():
        user = db.session.get(User, user_id)
        start_admin_session(user)
        from flask import session

        values = dict(session)
    with client.session_transaction() as browser_session:
        browser_session.clear()
        browser_session.update(values)


class LiveServer:
    """A real HTTP server for `app` on a free local port, in a thread."""

    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def delete_rows_of(conn: Any, *, tournament_ids: list[int], user_ids: list[int]) -> None:
    """Delete committed tournaments and users and every row that refers to them (followed
    through the schema's foreign keys, children first): for tests that commit for real (races
    across connections), whatever other domains wrote in reaction goes too."""
    import sqlalchemy as sa

    from deltacrown.core.purge import purge

    conn.execute(
        sa.text(
            "DELETE FROM audit_entries WHERE actor_id = ANY(:u) "
            "OR (target_type = 'tournaments' AND target_id = ANY(:t))"
        ),
        {"t": tournament_ids or [-1], "u": user_ids or [-1]},
    )
    purge(conn, {"tournaments": set(tournament_ids), "users": set(user_ids)})
