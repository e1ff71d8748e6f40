"""Both sides submitting the same result at once: exactly one match completion.

Every lifecycle use case locks the tournament row and then the match row before reading the
match's submissions, so the second submitter waits, then sees the first one's pending
submission and confirms it. Without the lock both would see no submission, both would leave
theirs pending, and the match would sit awaiting a confirmation nobody owes.

The set-up is committed for real on PostgreSQL by a separate app (the brackets race tests'
`Race`), each worker runs in its own unit of work on its own connection, and everything
committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from tests.brackets_api.test_races import Race

pytestmark = pytest.mark.postgres


class MatchRace(Race):
    def clean_up(self) -> None:
        engine = sa.create_engine(self.database_url)
        with engine.begin() as conn:
            for table in (
                "match_events",
                "disputes",
                "result_submissions",
                "match_checkins",
                "tournament_results",
            ):
                if table == "result_submissions" or table == "match_checkins":
                    conn.execute(
                        sa.text(
                            f"DELETE FROM {table} WHERE match_id IN "  # noqa: S608  (fixed names)
                            "(SELECT id FROM matches WHERE tournament_id = ANY(:t))"
                        ),
                        {"t": self.tournament_ids or [-1]},
                    )
                else:
                    conn.execute(
                        sa.text(f"DELETE FROM {table} WHERE tournament_id = ANY(:t)"),  # noqa: S608
                        {"t": self.tournament_ids or [-1]},
                    )
        engine.dispose()
        super().clean_up()


@pytest.fixture
def race(database_url: str, is_postgres: bool) -> Iterator[MatchRace]:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    race = MatchRace(database_url)
    try:
        yield race
    finally:
        race.clean_up()


def test_both_sides_submitting_at_once_complete_the_match_once(race, monkeypatch):
    from deltacrown.accounts.models import User
    from deltacrown.matches import queries, services
    from deltacrown.matches.models import Match, MatchStatus, ResultSubmission
    from deltacrown.registrations.models import Registration

    tournament_id, _ = race.setup(4)
    match = race.matches(tournament_id)["W1.1"]
    with race.app.test_request_context(), unit_of_work():
        assert db.session.get(Match, match["id"]).status is MatchStatus.LIVE  # by itself
        users = [
            db.session.scalar(sa.select(Registration.user_id).where(Registration.id == r))
            for r in match["participants"]
        ]
    real_current = queries.current_submissions

    def slow_current(*args: Any, **kwargs: Any) -> Any:
        found = real_current(*args, **kwargs)
        time.sleep(0.3)  # widen the window between reading the submissions and writing
        return found

    monkeypatch.setattr(queries, "current_submissions", slow_current)
    start = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def submit(user_id: int) -> None:
        try:
            with race.app.test_request_context():
                start.wait()
                with unit_of_work():
                    services.submit_result(
                        match["id"], games=[[13, 7]], actor=db.session.get(User, user_id)
                    )
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    workers = [threading.Thread(target=submit, args=(user_id,)) for user_id in users]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    after = race.matches(tournament_id)
    assert after["W1.1"]["status"] == "completed"
    with race.app.app_context():
        statuses = db.session.scalars(
            sa.select(ResultSubmission.status).where(ResultSubmission.match_id == match["id"])
        ).all()
        db.session.remove()
    assert sorted(s.value for s in statuses) == ["confirmed", "confirmed"]
