"""Concurrency on PostgreSQL: simultaneous cancels signal once, simultaneous creates get
distinct slugs, twin custom-field keys conflict cleanly, overlapping sweeps apply once.

Setup is committed on the real database through a separate app (the per-test transaction
would serialise the workers); each test deletes what it created.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from deltacrown.app import create_app
from deltacrown.core.signals import tournament_cancelled
from tests.factories import make_tournament, tournament_body
from tests.helpers import LiveServer, create_user

pytestmark = pytest.mark.postgres
WORKERS = 8


@pytest.fixture
def real_app(database_url: str, is_postgres: bool) -> Iterator[Any]:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    yield app
    with app.app_context():
        from deltacrown.extensions import db

        db.engine.dispose()


@contextmanager
def cleanup(database_url: str, user_ids: list[int]) -> Iterator[None]:
    """Delete the users' tournaments, templates, audit entries and the users afterwards."""
    try:
        yield
    finally:
        engine = sa.create_engine(database_url)
        with engine.begin() as conn:
            ids = {"ids": user_ids}
            tournaments = [
                r[0]
                for r in conn.execute(
                    sa.text("SELECT id FROM tournaments WHERE organizer_id = ANY(:ids)"), ids
                )
            ]
            conn.execute(
                sa.text(
                    "DELETE FROM audit_entries WHERE actor_id = ANY(:ids) OR "
                    "(target_type = 'tournaments' AND target_id = ANY(:t))"
                ),
                {**ids, "t": tournaments},
            )
            conn.execute(sa.text("DELETE FROM tournaments WHERE organizer_id = ANY(:ids)"), ids)
            conn.execute(sa.text("DELETE FROM users WHERE id = ANY(:ids)"), ids)
        engine.dispose()


def run_together(count: int, work: Any) -> list[Any]:
    results: list[Any] = []
    lock = threading.Lock()
    barrier = threading.Barrier(count)

    def worker(n: int) -> None:
        barrier.wait()
        result = work(n)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def http(method: str, url: str, token: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def username() -> str:
    return f"race{uuid.uuid4().hex[:10]}"


def test_simultaneous_cancels_apply_and_signal_once(real_app, database_url):
    owner = create_user(real_app, username=username())
    with cleanup(database_url, [owner.id]):
        tournament_id = make_tournament(real_app, owner.id, status="registration_open")
        signals: list[int] = []
        receiver = lambda sender, **payload: signals.append(payload["tournament_id"])  # noqa: E731
        tournament_cancelled.connect(receiver)
        try:
            with LiveServer(real_app) as server:
                url = f"{server.url}/api/tournaments/{tournament_id}/cancel/"
                results = run_together(
                    WORKERS, lambda n: http("POST", url, owner.access_token, {"reason": f"r{n}"})
                )
        finally:
            tournament_cancelled.disconnect(receiver)
        assert [status for status, _ in results] == [200] * WORKERS
        reasons = {body["cancel_reason"] for _, body in results}
        assert len(reasons) == 1  # everyone sees the one cancellation that won
        assert signals == [tournament_id]
        engine = sa.create_engine(database_url)
        with engine.connect() as conn:
            audited = conn.execute(
                sa.text(
                    "SELECT count(*) FROM audit_entries WHERE action = 'tournament.cancelled' "
                    "AND target_id = :id"
                ),
                {"id": tournament_id},
            ).scalar()
        engine.dispose()
        assert audited == 1


def test_simultaneous_creates_with_one_name_get_distinct_slugs(real_app, database_url):
    owner = create_user(real_app, username=username())
    name = f"Race Cup {uuid.uuid4().hex[:6]}"
    with cleanup(database_url, [owner.id]), LiveServer(real_app) as server:
        results = run_together(
            WORKERS,
            lambda n: http(
                "POST",
                f"{server.url}/api/tournaments/",
                owner.access_token,
                tournament_body(name=name),
            ),
        )
        assert [status for status, _ in results] == [201] * WORKERS, results
        slugs = sorted(body["slug"] for _, body in results)
        base = name.lower().replace(" ", "-")
        assert slugs == sorted([base] + [f"{base}-{n}" for n in range(2, WORKERS + 1)])


def test_twin_custom_field_keys_conflict_cleanly(real_app, database_url):
    owner = create_user(real_app, username=username())
    with cleanup(database_url, [owner.id]):
        tournament_id = make_tournament(real_app, owner.id)
        with LiveServer(real_app) as server:
            url = f"{server.url}/api/tournaments/{tournament_id}/custom-fields/"
            results = run_together(
                WORKERS,
                lambda n: http(
                    "POST",
                    url,
                    owner.access_token,
                    {"key": "discord", "label": f"D{n}", "type": "text"},
                ),
            )
        statuses = sorted(status for status, _ in results)
        assert statuses == [201] + [409] * (WORKERS - 1), results
        assert {body["code"] for status, body in results if status == 409} == {"field_key_taken"}


def test_overlapping_sweeps_open_registration_once(real_app, database_url):
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.tournaments.services import apply_scheduled_transitions

    owner = create_user(real_app, username=username())
    with cleanup(database_url, [owner.id]):
        tournament_id = make_tournament(real_app, owner.id, status="published")
        engine = sa.create_engine(database_url)
        with engine.connect() as conn:
            opens = conn.execute(
                sa.text("SELECT registration_opens_at FROM tournaments WHERE id = :id"),
                {"id": tournament_id},
            ).scalar()

        def sweep(n: int) -> dict[str, int]:
            with real_app.app_context(), unit_of_work():
                return apply_scheduled_transitions(now=opens + timedelta(seconds=1))

        with time_machine.travel(opens + timedelta(seconds=1), tick=False):
            results = run_together(4, sweep)
        assert sum(r["opened"] for r in results) == 1
        with engine.connect() as conn:
            audited = conn.execute(
                sa.text(
                    "SELECT count(*) FROM audit_entries WHERE action = 'tournament.registration_open' "
                    "AND target_id = :id"
                ),
                {"id": tournament_id},
            ).scalar()
        engine.dispose()
        assert audited == 1
