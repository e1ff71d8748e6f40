"""Concurrent batches on PostgreSQL (the completion task and `flask certificates generate`
at once): the partial unique index keeps one certificate per person and language, the loser
retries and finds it, and the loser's files are deleted with its rollback.

Setup is committed through a separate app on real connections (the per-test transaction
would serialise the workers) and removed again afterwards.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.app import create_app
from tests.certificates.conftest import build_completed
from tests.helpers import create_user

pytestmark = pytest.mark.postgres


def test_concurrent_batches_make_each_certificate_once(
    database_url: str, is_postgres: bool, tmp_path: Path, quick_draw: list[Any]
) -> None:
    from deltacrown.certificates import batch

    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    root = tmp_path / "storage"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, STORAGE_ROOT=str(root))
    organizer = create_user(app, username="racecertorg")
    cup = build_completed(app, organizer.id, [], extra=3)
    barrier = threading.Barrier(4)
    summaries: list[Any] = []

    def run() -> None:
        with app.app_context():
            barrier.wait()
            summaries.append(batch.generate(cup.id, "en"))

    try:
        workers = [threading.Thread(target=run) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [(s.made, s.failed) for s in summaries] == [(3, [])] * 4
        engine = sa.create_engine(database_url)
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT user_id FROM certificates WHERE tournament_id = :t"), {"t": cup.id}
            ).all()
        engine.dispose()
        assert sorted(r[0] for r in rows) == sorted(cup.user_ids)
        assert len(list(root.rglob("*.pdf"))) == 3 and len(list(root.rglob("*.png"))) == 3
    finally:
        users = [organizer.id, *cup.user_ids]
        engine = sa.create_engine(database_url)
        with engine.begin() as conn:
            for statement in (
                "DELETE FROM certificates WHERE tournament_id = :t",
                "DELETE FROM tournament_results WHERE tournament_id = :t",
                "DELETE FROM registration_members WHERE tournament_id = :t",
                "DELETE FROM registrations WHERE tournament_id = :t",
                "DELETE FROM audit_entries WHERE actor_id = ANY(:u) "
                "OR (target_type = 'tournaments' AND target_id = :t)",
                "DELETE FROM tournaments WHERE id = :t",
                "DELETE FROM users WHERE id = ANY(:u)",
            ):
                conn.execute(sa.text(statement), {"t": cup.id, "u": users})
        engine.dispose()
        with app.app_context():
            from deltacrown.extensions import db

            db.engine.dispose()
