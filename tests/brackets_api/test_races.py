"""Two results at once on the two matches that feed the same next match both land.

Each result locks the tournament and then the stage row before loading the matches it touches
(`SELECT ... FOR UPDATE`), so the second waits for the first to commit and then sees the slot
the first one filled. A pause between the load and the save widens the window: without the
lock both would load the next match with two empty slots, and the slower save would either
erase the faster one's participant or fail on the match's version.

The set-up is committed for real on PostgreSQL by a separate app (the per-test transaction
would serialise the two workers), each worker runs in its own unit of work on its own
connection, and everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from deltacrown.app import create_app
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db

pytestmark = pytest.mark.postgres


class Race:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.app: Flask = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=database_url,
            SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 4, "max_overflow": 0},
        )
        self.prefix = f"br{uuid.uuid4().hex[:6]}"
        self.user_ids: list[int] = []
        self.tournament_ids: list[int] = []

    def setup(self, players: int) -> tuple[int, int]:
        """Commit an ongoing 8-player single elimination; (tournament id, organizer id)."""
        from deltacrown.accounts import services as accounts
        from deltacrown.brackets import services as brackets
        from deltacrown.core.time import isoformat, utcnow
        from deltacrown.registrations import services as registrations
        from deltacrown.tournaments import services as tournaments
        from deltacrown.tournaments.schemas import TournamentCreateArgs

        with self.app.test_request_context(), unit_of_work():
            organizer = accounts.register_user(
                username=f"{self.prefix}org",
                email=f"{self.prefix}org@example.test",
                password="long-enough-pw",
            )
            self.user_ids.append(organizer.id)
            now = utcnow().replace(microsecond=0)
            body = {
                "name": f"Bracket Race {self.prefix}",
                "game": "valorant",
                "format": "single_elimination",
                "participant_type": "solo",
                "max_participants": players,
                "registration_opens_at": isoformat(now + timedelta(days=1)),
                "registration_closes_at": isoformat(now + timedelta(days=5)),
                "start_at": isoformat(now + timedelta(days=7)),
            }
            tournament = tournaments.create_tournament(
                actor=organizer, data=TournamentCreateArgs().load(body)
            )
            self.tournament_ids.append(tournament.id)
            tournaments.publish_tournament(tournament.id, actor=organizer)
            tournaments.open_registration(tournament.id, actor=organizer)
            for n in range(players):
                player = accounts.register_user(
                    username=f"{self.prefix}p{n}",
                    email=f"{self.prefix}p{n}@example.test",
                    password="long-enough-pw",
                )
                self.user_ids.append(player.id)
                accounts.add_game_profile(
                    player, game_ref="valorant", in_game_id=f"{self.prefix}{n}#B{n:04d}"
                )
                registrations.register(tournament.id, actor=player)
            tournaments.close_registration(tournament.id, actor=organizer)
            brackets.generate_bracket(tournament.id, actor=organizer)
            brackets.start_tournament(tournament.id, actor=organizer)
            return tournament.id, organizer.id

    def matches(self, tournament_id: int) -> dict[str, Any]:
        from deltacrown.matches.models import Match

        with self.app.app_context():
            rows = db.session.scalars(
                sa.select(Match).where(Match.tournament_id == tournament_id)
            ).all()
            found = {
                m.engine_id: {
                    "id": m.id,
                    "status": m.status.value,
                    "participants": list(m.participant_ids),
                    "version": m.version,
                }
                for m in rows
            }
            db.session.remove()
        return found

    def clean_up(self) -> None:
        from tests.helpers import delete_rows_of

        engine = sa.create_engine(self.database_url)
        with engine.begin() as conn:
            delete_rows_of(conn, tournament_ids=self.tournament_ids, user_ids=self.user_ids)
        engine.dispose()
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture
def race(database_url: str, is_postgres: bool) -> Iterator[Race]:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    race = Race(database_url)
    try:
        yield race
    finally:
        race.clean_up()


def test_two_results_feeding_one_match_both_land(race, monkeypatch):
    from deltacrown.brackets import services, store
    from deltacrown.core.time import utcnow

    tournament_id, _organizer_id = race.setup(8)
    before = race.matches(tournament_id)
    semi = before["W2.1"]
    assert semi["participants"] == [None, None]
    loaded = threading.Barrier(2, timeout=10)
    real_save = store.save

    def slow_save(loaded_stage: Any, **kwargs: Any) -> Any:
        # Both workers reach this point only if the lock lets them hold the stage at once:
        # with the lock, the second waits in lock_stage and the barrier times out for the
        # first (which then saves alone), so the pause is what a real interleaving would be.
        try:
            loaded.wait(timeout=0.5)
        except threading.BrokenBarrierError:
            pass
        time.sleep(0.2)
        return real_save(loaded_stage, **kwargs)

    monkeypatch.setattr(store, "save", slow_save)
    start = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def enter(code: str) -> None:
        match = before[code]
        try:
            with race.app.app_context():
                start.wait()
                with unit_of_work():
                    services.apply_result(
                        match["id"],
                        winner=match["participants"][0],
                        games=[[13, 7]],
                        now=utcnow(),
                    )
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    workers = [threading.Thread(target=enter, args=(code,)) for code in ("W1.1", "W1.2")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    after = race.matches(tournament_id)
    assert after["W1.1"]["status"] == after["W1.2"]["status"] == "completed"
    assert after["W2.1"]["participants"] == [
        before["W1.1"]["participants"][0],
        before["W1.2"]["participants"][0],
    ]
    assert after["W2.1"]["status"] == "ready"
    assert after["W2.1"]["version"] == semi["version"] + 2  # two saves, one after the other
