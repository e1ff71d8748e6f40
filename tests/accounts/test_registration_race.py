"""Concurrent sign-ups: on PostgreSQL the unique index decides; on the embedded SQLite default a
200-way burst of sign-ups and logins against a threaded server; nobody gets a 5xx."""

import threading
import uuid

import pytest
import sqlalchemy as sa

from deltacrown.app import create_app
from tests.helpers import LiveServer


@pytest.mark.postgres
def test_simultaneous_signups_for_one_username_create_exactly_one_user(database_url, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    import json
    import urllib.error
    import urllib.request

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    name = f"race{uuid.uuid4().hex[:8]}"
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(10)

    def sign_up(server_url: str, n: int) -> None:
        body = json.dumps(
            {"username": name, "email": f"{name}{n}@example.test", "password": "long-enough-pw"}
        ).encode()
        request = urllib.request.Request(
            f"{server_url}/api/auth/register/",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        with lock:
            statuses.append(status)

    engine = sa.create_engine(database_url)
    try:
        with LiveServer(app) as server:
            threads = [threading.Thread(target=sign_up, args=(server.url, n)) for n in range(10)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        assert sorted(statuses) == [201] + [409] * 9, statuses
        with engine.connect() as conn:
            count = conn.execute(
                sa.text("SELECT count(*) FROM users WHERE username_key = :k"), {"k": name}
            ).scalar()
        assert count == 1
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM users WHERE username_key = :k"), {"k": name})
        engine.dispose()
        with app.app_context():
            from deltacrown.extensions import db

            db.engine.dispose()


def _post(url: str, body: dict) -> int:
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.embedded
def test_two_hundred_simultaneous_signups_and_logins_on_embedded_sqlite_get_no_5xx(tmp_path):
    """The embedded default (a SQLite file, a threaded server): nobody gets a 5xx; a writer
    that cannot get the lock in time would be a 503 `database_busy`, never a 500."""
    from concurrent.futures import ThreadPoolExecutor

    from deltacrown.extensions import db

    clients = 200
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        STORAGE_ROOT=str(tmp_path / "storage"),
        # A real (if modest) argon2 cost, and a third of the default busy timeout so that a
        # lock held across hashing (400 hashes in a row) shows within seconds, not minutes.
        PASSWORD_HASH_PARAMS=(2, 8192, 1),
        SQLITE_BUSY_TIMEOUT_MS=5000,
    )
    with app.app_context():
        db.create_all()
    start = threading.Barrier(clients)

    def sign_up_and_log_in(server_url: str, n: int) -> tuple[int, int]:
        name = f"venue{n:03d}"
        password = f"venue-player-{n:03d}-secret"
        start.wait()
        registered = _post(
            f"{server_url}/api/auth/register/",
            {"username": name, "email": f"{name}@example.test", "password": password},
        )
        logged_in = _post(f"{server_url}/api/auth/login/", {"login": name, "password": password})
        return registered, logged_in

    try:
        with LiveServer(app) as server, ThreadPoolExecutor(max_workers=clients) as pool:
            results = list(pool.map(lambda n: sign_up_and_log_in(server.url, n), range(clients)))
        statuses = [status for pair in results for status in pair]
        assert [s for s in statuses if s >= 500] == [], sorted(statuses)
        assert statuses.count(201) == clients and statuses.count(200) == clients
        with app.app_context():
            from deltacrown.accounts.models import User

            assert db.session.query(User).count() == clients
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
