"""Two posts at once by the side whose turn it is: exactly one applies. The veto locks the
tournament row, then the match row, before reading the history, so the second post waits and
then finds the turn has passed (`not_your_turn`). Committed set-up on PostgreSQL (the brackets
race tests' `Race`), one connection per worker, everything deleted afterwards."""

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


@pytest.fixture
def race(database_url: str, is_postgres: bool) -> Iterator[Race]:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    race = Race(database_url)
    try:
        yield race
    finally:
        race.clean_up()


def test_two_bans_at_once_by_the_side_on_turn_apply_once(race, monkeypatch):
    from deltacrown.accounts.models import User
    from deltacrown.matches import veto
    from deltacrown.matches.game_models import MatchVeto
    from deltacrown.matches.veto_rules import NotYourTurnError
    from deltacrown.registrations.models import Registration

    tournament_id, _ = race.setup(4)
    match = race.matches(tournament_id)["W1.1"]
    with race.app.app_context():
        user_id = db.session.scalar(
            sa.select(Registration.user_id).where(Registration.id == match["participants"][0])
        )
        db.session.remove()
    real_state_of = veto.state_of

    def slow_state_of(*args: Any, **kwargs: Any) -> Any:
        found = real_state_of(*args, **kwargs)
        time.sleep(0.3)  # widen the window between reading the history and writing it
        return found

    monkeypatch.setattr(veto, "state_of", slow_state_of)
    start = threading.Barrier(2, timeout=10)
    outcomes: list[Any] = []

    def ban(map_name: str) -> None:
        try:
            with race.app.test_request_context():
                start.wait()
                with unit_of_work():
                    veto.act(match["id"], actor=db.session.get(User, user_id), action="ban",
                             map=map_name)  # fmt: skip
                db.session.remove()
            outcomes.append("applied")
        except NotYourTurnError:
            outcomes.append("not_your_turn")
        except BaseException as exc:  # noqa: BLE001  (reported below)
            outcomes.append(exc)

    workers = [threading.Thread(target=ban, args=(name,)) for name in ("Bind", "Haven")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(map(str, outcomes)) == ["applied", "not_your_turn"]
    with race.app.app_context():
        history = db.session.scalar(
            sa.select(MatchVeto.history).where(MatchVeto.match_id == match["id"])
        )
        db.session.remove()
    assert len(history) == 1
