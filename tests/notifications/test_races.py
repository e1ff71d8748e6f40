"""Sweeps racing each other on PostgreSQL (committed data, one connection per worker): a
reminder is claimed by exactly one, a person's digest is sent once a day."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from deltacrown.app import create_app
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db

WORKERS = 6
NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def race_app(database_url: str, is_postgres: bool) -> Iterator[Flask]:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": WORKERS, "max_overflow": 0},
    )
    app.extensions["race_users"] = []
    try:
        yield app
    finally:
        with app.app_context():
            users = app.extensions["race_users"] or [-1]
            db.session.execute(
                sa.text("DELETE FROM sent_reminders WHERE subject_id = -4242"),
            )
            db.session.execute(sa.text("DELETE FROM users WHERE id = ANY(:u)"), {"u": users})
            db.session.commit()
            db.engine.dispose()


def at_once(app: Flask, work: Any) -> list[Any]:
    """Run `work()` in WORKERS threads released together, each in its own unit of work."""
    gate = threading.Barrier(WORKERS)
    results: list[Any] = []

    def run() -> None:
        with app.app_context():
            gate.wait()
            try:
                with unit_of_work():
                    results.append(work())
            except Exception as exc:  # a loser may fail its commit: it sent nothing
                results.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
def test_racing_sweeps_claim_a_reminder_once(race_app):
    from deltacrown.notifications import reminders
    from deltacrown.notifications.kinds import NotificationType as T

    results = at_once(race_app, lambda: reminders._claim(T.MATCH_STARTING, -4242, NOW))
    assert results.count(True) == 1 and results.count(False) == WORKERS - 1


@pytest.mark.postgres
def test_racing_digest_sweeps_send_each_digest_once(race_app):
    from deltacrown.accounts import services as accounts
    from deltacrown.core import mail
    from deltacrown.notifications import mailing, services
    from deltacrown.notifications.kinds import NotificationType as T

    prefix = f"nr{uuid.uuid4().hex[:6]}"
    with race_app.test_request_context(), unit_of_work():
        for n in range(3):
            user = accounts.register_user(
                username=f"{prefix}{n}",
                email=f"{prefix}{n}@example.test",
                password="long-enough-pw",
            )
            race_app.extensions["race_users"].append(user.id)
            services.update_preferences(user.id, email_digest=True)
            services.notify([user.id], services.Notice(T.MATCH_READY, {"match_id": n}))
    outbox = race_app.extensions[mail.EXTENSION].outbox
    outbox.clear()  # the notices' own e-mails

    results = at_once(race_app, lambda: mailing.send_digests(now=NOW))
    assert sum(r for r in results if isinstance(r, int)) == 3
    assert sorted(message.to for message in outbox) == sorted(
        f"{prefix}{n}@example.test" for n in range(3)
    )
