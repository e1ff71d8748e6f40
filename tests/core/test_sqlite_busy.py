"""SQLite under contention: slow work runs outside the write transaction, and a write lock
that stays taken past the busy timeout is a 503 `database_busy` with `Retry-After`."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa

from deltacrown.app import create_app
from deltacrown.extensions import db
from tests.helpers import assert_problem


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'busy.sqlite3'}",
        STORAGE_ROOT=str(tmp_path / "storage"),
        SQLITE_BUSY_TIMEOUT_MS=300,
    )
    with app.app_context():
        db.create_all()
    yield app, tmp_path / "busy.sqlite3"
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_write_lock_held_elsewhere_past_the_timeout_is_503_database_busy(sqlite_app):
    app, path = sqlite_app
    other = sqlite3.connect(path, isolation_level=None)  # another process's writer
    other.execute("BEGIN IMMEDIATE")
    try:
        response = app.test_client().post(
            "/api/auth/register/",
            json={"username": "blocked", "email": "b@example.test", "password": "long-enough-pw"},
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    body = assert_problem(response, 503, "database_busy")
    assert response.headers["Retry-After"] == "2"
    assert "retry" in body["detail"]


def test_writers_of_one_process_queue_without_polling(sqlite_app):
    """Another thread of this process holding the write transaction: the next writer waits
    for it (and gets its turn as soon as it ends) rather than failing."""
    app, _ = sqlite_app
    release = threading.Event()
    holding = threading.Event()

    def hold_the_lock() -> None:
        from deltacrown.core.transaction import unit_of_work

        with app.app_context(), unit_of_work():
            db.session.execute(sa.text("CREATE TABLE IF NOT EXISTS scratch (x INTEGER)"))
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    holding.wait(5)
    threading.Timer(0.1, release.set).start()
    response = app.test_client().post(
        "/api/auth/register/",
        json={"username": "queued", "email": "q@example.test", "password": "long-enough-pw"},
    )
    holder.join(5)
    assert response.status_code == 201, response.get_json()


def test_password_hashing_does_not_hold_the_write_lock(sqlite_app, monkeypatch):
    from deltacrown.accounts import passwords

    app, path = sqlite_app
    observed: list[bool] = []
    original = passwords.hash_password

    def probing_hash(password: str) -> str:
        probe = sqlite3.connect(path, isolation_level=None, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")  # fails at once if a writer holds the lock
            probe.execute("ROLLBACK")
            observed.append(True)
        except sqlite3.OperationalError:
            observed.append(False)
        finally:
            probe.close()
        return original(password)

    monkeypatch.setattr(passwords, "hash_password", probing_hash)
    client = app.test_client()
    created = client.post(
        "/api/auth/register/",
        json={"username": "hasher", "email": "h@example.test", "password": "long-enough-pw"},
    )
    assert created.status_code == 201
    with app.test_request_context():
        from deltacrown.accounts import tokens
        from deltacrown.accounts.models import User

        user = db.session.get(User, created.get_json()["id"])
        token = tokens.access_token_for(user)["access_token"]
    changed = client.post(
        "/api/auth/change-password/",
        json={"current_password": "long-enough-pw", "new_password": "another-long-pw"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert changed.status_code == 200, changed.get_json()
    assert len(observed) == 2 and all(observed), observed


def test_database_busy_is_documented_on_writes(client):
    spec = client.get("/api/openapi.json").get_json()
    register = spec["paths"]["/api/auth/register/"]["post"]["responses"]
    assert "database_busy" in register["503"]["description"]
    read = spec["paths"]["/api/games/"]["get"]["responses"]["503"]["description"]
    assert "service_unavailable" in read and "database_busy" not in read
