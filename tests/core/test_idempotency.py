"""Idempotency-Key on POST /api/auth/register/: replays, reuse, failures, scopes, expiry, races."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from deltacrown.accounts.models import User
from deltacrown.core.idempotency import IdempotencyKey, request_fingerprint
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from tests.helpers import assert_problem

REGISTER = "/api/auth/register/"
BODY = {"username": "OncePlayer", "email": "once@example.test", "password": "long-enough-pw"}


def register(client, body=None, key=None, **kwargs):
    headers = kwargs.pop("headers", {})
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(REGISTER, json=body or BODY, headers=headers, **kwargs)


def count_users(app, username_key):
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).where(User.username_key == username_key)
        )


def key_rows(app):
    with app.app_context():
        rows = db.session.scalars(sa.select(IdempotencyKey).order_by(IdempotencyKey.id)).all()
        return [(r.scope, r.key, r.route, r.response_status) for r in rows]


def test_register_replays_same_key(app, client):
    first = register(client, key="k-1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers

    second = register(client, key="k-1")
    assert second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.mimetype == "application/json"
    assert second.get_json() == first.get_json()
    assert count_users(app, "onceplayer") == 1
    assert key_rows(app) == [("ip:127.0.0.1", "k-1", "POST /api/auth/register/", 201)]


def test_register_replays_when_only_key_order_and_spacing_differ(app, client):
    first = register(client, key="k-order")
    reordered = json.dumps(dict(reversed(list(BODY.items()))), indent=2)
    second = client.post(
        REGISTER,
        data=reordered,
        content_type="application/json",
        headers={"Idempotency-Key": "k-order"},
    )
    assert second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json() == first.get_json()


def test_register_rejects_same_key_with_other_body(app, client):
    assert register(client, key="k-2").status_code == 201
    other = dict(BODY, username="OtherPlayer", email="other@example.test")
    body = assert_problem(register(client, other, key="k-2"), 422, "idempotency_key_reused")
    assert "Idempotency-Key" in body["errors"]
    assert count_users(app, "otherplayer") == 0


def test_register_without_key_behaves_normally(app, client):
    assert register(client).status_code == 201
    assert_problem(register(client), 409, "username_taken")
    assert key_rows(app) == []


def test_failed_first_attempt_does_not_poison_the_key(app, client, make_user):
    make_user(username="Taken")
    taken = dict(BODY, username="Taken")
    assert_problem(register(client, taken, key="k-3"), 409, "username_taken")
    weak = dict(BODY, password="short")
    assert_problem(register(client, weak, key="k-3"), 422, "weak_password")
    unknown_field = dict(BODY, is_staff=True)
    assert_problem(register(client, unknown_field, key="k-3"), 422, "validation_error")
    assert key_rows(app) == []

    fixed = register(client, key="k-3")
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed.headers
    assert count_users(app, "onceplayer") == 1


def test_keys_are_scoped_per_caller(app, client, user):
    assert register(client, key="shared").status_code == 201

    # Another IP with the same key and another body is not a reuse...
    other = dict(BODY, username="SecondIp", email="second@example.test")
    response = register(client, other, key="shared", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 201
    # ...and the same body from yet another IP is not a replay: it runs, and the name is taken.
    fresh = register(client, key="shared", environ_base={"REMOTE_ADDR": "10.0.0.10"})
    assert_problem(fresh, 409, "username_taken")

    # A signed-in caller has its own scope, whatever its address.
    third = dict(BODY, username="ByUser", email="byuser@example.test")
    assert register(client, third, key="shared", headers=user.headers).status_code == 201
    assert sorted(scope for scope, *_ in key_rows(app)) == [
        "ip:10.0.0.9",
        "ip:127.0.0.1",
        f"user:{user.id}",
    ]


@pytest.mark.parametrize("key", ["", "   ", "x" * 256])
def test_invalid_key_is_a_validation_error(app, client, key):
    body = assert_problem(register(client, key=key), 422, "validation_error")
    assert "Idempotency-Key" in body["errors"]
    assert count_users(app, "onceplayer") == 0


def test_a_key_of_255_characters_is_accepted(client):
    assert register(client, key="x" * 255).status_code == 201


def test_unfinished_reservation_answers_409_in_use(app, client):
    with app.test_request_context(REGISTER, method="POST", json=BODY):
        fingerprint = request_fingerprint()
        now = utcnow()
        db.session.add(
            IdempotencyKey(
                scope="ip:127.0.0.1",
                key="k-stuck",
                route="POST /api/auth/register/",
                fingerprint=fingerprint,
                created_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
        db.session.commit()
    assert_problem(register(client, key="k-stuck"), 409, "idempotency_key_in_use")
    assert count_users(app, "onceplayer") == 0


def test_an_expired_key_counts_as_absent(app, client):
    with time_machine.travel(utcnow() - timedelta(hours=25), tick=False):
        assert register(client, key="k-old").status_code == 201
    other = dict(BODY, username="LaterPlayer", email="later@example.test")
    response = register(client, other, key="k-old")
    assert response.status_code == 201
    assert response.get_json()["username"] == "LaterPlayer"
    assert len(key_rows(app)) == 1


def test_openapi_documents_the_header_and_its_problems(client):
    operation = client.get("/api/openapi.json").get_json()["paths"][REGISTER]["post"]
    params = {p["name"]: p for p in operation["parameters"] if isinstance(p, dict)}
    header = params["Idempotency-Key"]
    assert header["in"] == "header"
    assert header["required"] is False
    assert header["schema"] == {"type": "string", "minLength": 1, "maxLength": 255}
    responses = operation["responses"]
    # Stacked error docs merge: the register view's own codes are still listed.
    assert "`idempotency_key_reused`" in responses["422"]["description"]
    assert "`validation_error`" in responses["422"]["description"]
    assert "`weak_password`" in responses["422"]["description"]
    assert "`idempotency_key_in_use`" in responses["409"]["description"]
    assert "`username_taken`" in responses["409"]["description"]
    assert "201" in responses


def test_sweep_deletes_expired_keys_only(app, client):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        assert register(client, key="k-early").status_code == 201
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        later = dict(BODY, username="LatePlayer", email="late@example.test")
        assert register(client, later, key="k-late").status_code == 201
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        result = app.test_cli_runner().invoke(args=["jobs", "run", "purge-idempotency-keys"])
    assert result.exit_code == 0, result.output
    assert "ran purge-idempotency-keys: 1" in result.output
    assert [key for _, key, *_ in key_rows(app)] == ["k-late"]


def race_one_key(database_url: str, workers: int = 8) -> None:
    """`workers` threads POST one body with one key to a live server on real connections."""
    import urllib.error
    import urllib.request

    from deltacrown.app import create_app
    from tests.helpers import LiveServer

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    name = f"idem{uuid.uuid4().hex[:8]}"
    key = f"race-{uuid.uuid4().hex}"
    body = json.dumps(
        {"username": name, "email": f"{name}@example.test", "password": "long-enough-pw"}
    ).encode()
    results: list[tuple[int, dict[str, object], str | None]] = []
    lock = threading.Lock()
    start = threading.Barrier(workers)

    def post(server_url: str) -> None:
        request = urllib.request.Request(
            f"{server_url}{REGISTER}",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                result = (
                    response.status,
                    json.load(response),
                    response.headers.get("Idempotent-Replayed"),
                )
        except urllib.error.HTTPError as error:
            result = (error.code, json.load(error), None)
        with lock:
            results.append(result)

    engine = sa.create_engine(database_url)
    try:
        with LiveServer(app) as server:
            threads = [threading.Thread(target=post, args=(server.url,)) for _ in range(workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        assert [status for status, _, _ in results] == [201] * workers, results
        assert all(answer == results[0][1] for _, answer, _ in results)
        replayed = sorted(str(flag) for _, _, flag in results)
        assert replayed == ["None"] + ["true"] * (workers - 1)
        with engine.connect() as conn:
            users = conn.execute(
                sa.text("SELECT count(*) FROM users WHERE username_key = :k"), {"k": name}
            ).scalar()
            keys = conn.execute(
                sa.text("SELECT count(*) FROM idempotency_keys WHERE key = :k"), {"k": key}
            ).scalar()
        assert (users, keys) == (1, 1)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM idempotency_keys WHERE key = :k"), {"k": key})
            conn.execute(sa.text("DELETE FROM users WHERE username_key = :k"), {"k": name})
        engine.dispose()
        with app.app_context():
            db.engine.dispose()


@pytest.mark.postgres
def test_concurrent_requests_with_one_key_apply_once(database_url, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    race_one_key(database_url)


def test_concurrent_requests_with_one_key_apply_once_on_sqlite(database_url, is_postgres):
    """The embedded default: BEGIN IMMEDIATE queues the writers, the rest replay."""
    if is_postgres:
        pytest.skip("the SQLite variant of the race test")
    race_one_key(database_url)


def test_multipart_fingerprint_ignores_the_random_boundary(app):
    """A genuine multipart retry has a new boundary; it must fingerprint the same."""
    import io

    from werkzeug.test import EnvironBuilder

    from deltacrown.core.idempotency import request_fingerprint

    def fingerprint(content: bytes, boundary: str) -> str:
        builder = EnvironBuilder(
            path="/api/registrations/1/payment/",
            method="POST",
            data={"method": "bkash", "file": (io.BytesIO(content), "proof.png")},
        )
        built = builder.get_request()
        old = built.mimetype_params["boundary"]
        body = built.get_data()
        environ = EnvironBuilder(
            path="/api/registrations/1/payment/",
            method="POST",
            data=body.replace(old.encode(), boundary.encode()),
            content_type=f"multipart/form-data; boundary={boundary}",
        ).get_environ()
        with app.request_context(environ):
            return request_fingerprint()

    assert fingerprint(b"same-bytes", "aaaa1111") == fingerprint(b"same-bytes", "bbbb2222")
    assert fingerprint(b"same-bytes", "aaaa1111") != fingerprint(b"other-bytes", "aaaa1111")
