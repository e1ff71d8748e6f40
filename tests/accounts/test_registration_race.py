"""Concurrent sign-ups on PostgreSQL: the unique index decides, nobody gets a 500."""

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
