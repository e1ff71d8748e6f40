"""The outbox relay on PostgreSQL with real commits: one leader at a time, woken by the
commit's NOTIFY; and a result entered in worker mode, delivered by it."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from deltacrown.accounts.models import User
from deltacrown.core import outbox, outbox_relay, signals
from deltacrown.core.outbox import OutboxMessage
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from deltacrown.matches import services
from tests.brackets_api.conftest import (  # noqa: F401  (fixtures)
    api,
    organizer,
)
from tests.brackets_api.conftest import cup as any_cup  # noqa: F401  (fixture)
from tests.matches.conftest import Play, all_matches
from tests.teams.conftest import give_profile, make_player  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres


def _until(condition: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def _stored(app: Flask) -> int:
    with app.app_context():
        count = int(db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) or 0)
        db.session.rollback()
        return count


@pytest.mark.own_isolation
def test_one_relay_leads_at_a_time_and_a_standby_takes_over(app: Flask, worker_mode: None) -> None:
    with app.app_context():
        with db.engine.connect() as first, db.engine.connect() as second:
            assert outbox_relay.try_lead(first)
            assert not outbox_relay.try_lead(second)
            assert outbox_relay.relay_outbox.run() == 0  # the beat task finds a relay running
            outbox_relay.release(first)
            assert outbox_relay.try_lead(second)
            outbox_relay.release(second)


@pytest.mark.own_isolation
def test_the_relay_delivers_a_commit_when_its_notify_arrives(app: Flask, worker_mode: None) -> None:
    heard: list[int] = []

    def receiver(sender: Any, *, sanction_id: int, **kwargs: Any) -> None:
        heard.append(sanction_id)

    signals.sanction_created.connect(receiver, weak=False)
    stop = threading.Event()

    def loop() -> None:
        with app.app_context():
            # It would poll only after 60 s: a delivery sooner is the NOTIFY's doing.
            outbox_relay.run(poll=60.0, stop=stop)

    def leading() -> bool:
        with app.app_context():
            locks = db.session.scalar(
                sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :k"),
                {"k": outbox_relay.LOCK_KEY},
            )
            db.session.rollback()
            return bool(locks)

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        assert _until(leading)
        with app.app_context():
            with unit_of_work():
                signals.send_after_commit(
                    signals.sanction_created, "tests", sanction_id=41, user_id=1, team_id=None,
                    type="warning", scope="global",
                )  # fmt: skip
        assert _until(lambda: heard == [41])
        # The relay deletes the row once delivered: its commit may follow the receiver's call.
        assert _until(lambda: _stored(app) == 0)
    finally:
        stop.set()
        with app.app_context():
            db.session.execute(sa.text(f"SELECT pg_notify('{outbox.NOTIFY_CHANNEL}', '')"))
            db.session.commit()
        thread.join(10)
        signals.sanction_created.disconnect(receiver)
        with app.app_context():
            db.session.execute(sa.delete(OutboxMessage))
            db.session.commit()
    assert not thread.is_alive()
    assert not leading()  # it let go of the lock when it stopped


def test_a_result_in_worker_mode_is_announced_by_the_relay(
    app: Flask,
    worker_mode: None,
    any_cup: Any,  # noqa: F811
    api: Any,  # noqa: F811
    organizer: Any,  # noqa: F811
) -> None:
    cup = any_cup(4, format="single_elimination")
    play = Play(cup, all_matches(api.generated(cup.id, options={"best_of": 1})))
    assert api.start(cup.id).status_code == 200
    completed: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        completed.append(kwargs)

    match_id = play.matches["W1.1"]["id"]
    first, second = play.ids("W1.1")
    signals.match_completed.connect(receiver, weak=False)
    try:
        with app.app_context():
            with unit_of_work():
                actor = db.session.get(User, organizer.id)
                services.enter_result(
                    match_id, winner=first, games=[[1, 0]], actor=actor, expect="open"
                )
            assert completed == []
            stored = [
                outbox.untag(row.messages)
                for row in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
            ]
            messages = stored[-1]
            kinds = {(m[0], m[2] if m[0] == "event" else m[1]) for m in messages}
            assert ("event", "match.completed") in kinds
            assert ("signal", "match_completed") in kinds
            assert outbox_relay.drain() >= 1
    finally:
        signals.match_completed.disconnect(receiver)
    assert completed == [
        {"match_id": match_id, "tournament_id": cup.id, "stage_id": completed[0]["stage_id"],
         "winner_registration_id": first, "loser_registration_id": second}
    ]  # fmt: skip
    detail = api.client.get(f"/api/matches/{match_id}/").get_json()
    assert detail["status"] == "completed"


def _settle() -> None:
    """Deliver until nothing is left: reactions run by the relay (tasks run in place here)
    commit and store what they announce in turn."""
    for _ in range(10):
        if outbox_relay.drain() == 0:
            return
    raise AssertionError("the outbox did not settle")


def test_a_cup_played_over_the_api_is_announced_only_by_the_relay_and_completes_once(
    app: Flask,
    worker_mode: None,
    any_cup: Any,  # noqa: F811
    api: Any,  # noqa: F811
) -> None:
    cup = any_cup(4, format="single_elimination")
    play = Play(cup, all_matches(api.generated(cup.id, options={"best_of": 1})))
    assert api.start(cup.id).status_code == 200
    with app.app_context():
        _settle()  # what setting the cup up stored
    heard: list[tuple[str, int]] = []

    def on_match(sender: Any, *, match_id: int, **kwargs: Any) -> None:
        heard.append(("match_completed", match_id))

    def on_tournament(sender: Any, *, tournament_id: int, **kwargs: Any) -> None:
        heard.append(("tournament_completed", tournament_id))

    signals.match_completed.connect(on_match, weak=False)
    signals.tournament_completed.connect(on_tournament, weak=False)
    try:
        for code in ("W1.1", "W1.2"):
            first, _ = play.ids(code)
            assert api.result(play.matches[code]["id"], first, [[1, 0]]).status_code == 200
        final_id = play.matches["W2.1"]["id"]
        detail = api.client.get(f"/api/matches/{final_id}/").get_json()
        winner = detail["participants"][0]["registration_id"]
        assert api.result(final_id, winner, [[1, 0]]).status_code == 200
        assert heard == []  # every request answered; nothing was announced by them
        with app.app_context():
            assert outbox_relay.drain() == 3  # a commit each
            _settle()
    finally:
        signals.match_completed.disconnect(on_match)
        signals.tournament_completed.disconnect(on_tournament)
    assert heard == [
        ("match_completed", play.matches["W1.1"]["id"]),
        ("match_completed", play.matches["W1.2"]["id"]),
        ("match_completed", final_id),
        ("tournament_completed", cup.id),
    ]
    assert api.client.get(f"/api/tournaments/{cup.id}/").get_json()["status"] == "completed"
