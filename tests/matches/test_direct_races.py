"""Direct results (`matches.services.direct`) at once with each other and with the full path:
every result lands, the next match gets both sides, the stage's open-match count and the
rows' versions count every write, and nobody deadlocks.

The direct path takes the locks the full path takes, in its order (the tournament, then the
match, the matches it feeds and their stage), so a second result waits for the first to
commit and then reads what the first wrote. A pause between the locking read and the write
widens the window: without the locks both results would read the next match with two empty
slots, and the slower write would erase the faster one's participant.

The set-up is committed for real on PostgreSQL by a separate app (`MatchRace`), each worker
runs in its own unit of work on its own connection, and everything is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from tests.matches.test_races import MatchRace, race  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres


def _open_count(match_race: MatchRace, tournament_id: int) -> int:
    from deltacrown.brackets.models import Stage

    with match_race.app.app_context():
        count = db.session.scalar(
            sa.select(Stage.open_count).where(Stage.tournament_id == tournament_id)
        )
        db.session.remove()
    return int(count or 0)


def _run(workers: list[Callable[[], None]]) -> list[BaseException]:
    start = threading.Barrier(len(workers), timeout=10)
    errors: list[BaseException] = []

    def run(work: Callable[[], None]) -> None:
        try:
            start.wait()
            work()
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def _slow_writes(monkeypatch: pytest.MonkeyPatch, taken: list[bool]) -> None:
    """Pause every direct result between its locking read and its write, and count them."""
    from deltacrown.matches.services import direct

    real_write, real_try = direct._write, direct.try_enter

    def slow_write(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.3)
        real_write(*args, **kwargs)

    def counted(*args: Any, **kwargs: Any) -> bool:
        done = real_try(*args, **kwargs)
        taken.append(done)
        return done

    monkeypatch.setattr(direct, "_write", slow_write)
    monkeypatch.setattr(direct, "try_enter", counted)


def _enter(match_race: MatchRace, organizer_id: int, match: dict[str, Any]) -> Callable[[], None]:
    def work() -> None:
        from deltacrown.accounts.models import User
        from deltacrown.matches import services

        with match_race.app.app_context():
            with unit_of_work():
                services.enter_result(
                    match["id"],
                    winner=match["participants"][0],
                    games=[[1, 0]],
                    actor=db.session.get(User, organizer_id),
                )
            db.session.remove()

    return work


def test_two_direct_results_feeding_one_match_both_land(race, monkeypatch):  # noqa: F811
    tournament_id, organizer_id = race.setup(8)
    before = race.matches(tournament_id)
    open_before = _open_count(race, tournament_id)
    taken: list[bool] = []
    _slow_writes(monkeypatch, taken)

    errors = _run([_enter(race, organizer_id, before[code]) for code in ("W1.1", "W1.2")])

    assert errors == []
    assert taken == [True, True]  # both took the direct path
    after = race.matches(tournament_id)
    assert after["W1.1"]["status"] == after["W1.2"]["status"] == "completed"
    assert after["W2.1"]["participants"] == [
        before["W1.1"]["participants"][0],
        before["W1.2"]["participants"][0],
    ]
    assert after["W2.1"]["version"] == before["W2.1"]["version"] + 2  # one write after the other
    assert _open_count(race, tournament_id) == open_before - 2


def test_a_direct_result_and_a_forfeit_on_the_full_path_do_not_deadlock(
    race,  # noqa: F811
    monkeypatch,
):
    from deltacrown.accounts.models import User
    from deltacrown.matches import services

    tournament_id, organizer_id = race.setup(8)
    before = race.matches(tournament_id)
    open_before = _open_count(race, tournament_id)
    taken: list[bool] = []
    _slow_writes(monkeypatch, taken)

    def forfeit() -> None:
        with race.app.app_context():
            with unit_of_work():
                services.forfeit(
                    before["W1.2"]["id"],
                    loser=before["W1.2"]["participants"][1],
                    reason="no show",
                    actor=db.session.get(User, organizer_id),
                )
            db.session.remove()

    errors = _run([_enter(race, organizer_id, before["W1.1"]), forfeit])

    assert errors == []
    after = race.matches(tournament_id)
    assert after["W1.1"]["status"] == "completed"
    assert after["W1.2"]["status"] == "forfeit"
    assert after["W2.1"]["participants"] == [
        before["W1.1"]["participants"][0],
        before["W1.2"]["participants"][0],
    ]
    assert _open_count(race, tournament_id) == open_before - 2
