"""Reminders: check-in opening in 30 minutes and a match starting in 15, each sent once."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from deltacrown.core.time import isoformat, utcnow
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from deltacrown.notifications import reminders
from deltacrown.tournaments.models import Tournament
from tests.notifications.conftest import told


def test_check_in_opening_is_announced_once_to_confirmed_players(app, cup, organizer):
    start = utcnow().replace(microsecond=0) + timedelta(days=7)
    c = cup(
        2,
        status="registration_open",
        start_at=isoformat(start),
        checkin_opens_at=isoformat(start - timedelta(hours=1)),
        checkin_closes_at=isoformat(start - timedelta(minutes=10)),
    )
    with app.app_context():
        opens_at = db.session.get(Tournament, c.id).checkin_opens_at
        db.session.remove()
    with time_machine.travel(opens_at - timedelta(minutes=45), tick=False), app.app_context():
        with unit_of_work():
            assert reminders.checkin_reminders() == 0  # not yet
    with time_machine.travel(opens_at - timedelta(minutes=29), tick=False), app.app_context():
        with unit_of_work():
            assert reminders.checkin_reminders() == 2
        with unit_of_work():
            assert reminders.checkin_reminders() == 0
    assert told(app, "checkin_opening") == {p.id: ["checkin_opening"] for p in c.players}


def test_a_match_starting_soon_is_announced_once_and_again_when_rescheduled(app, started, m):
    play = started(n=2)
    match_id = play.matches["W1.1"]["id"]
    a, b = play.sides("W1.1")
    kickoff = utcnow().replace(microsecond=0) + timedelta(hours=2)
    m.schedule(match_id, kickoff)
    with time_machine.travel(kickoff - timedelta(minutes=14), tick=False), app.app_context():
        with unit_of_work():
            assert reminders.match_reminders() == 2
        with unit_of_work():
            assert reminders.match_reminders() == 0
    assert told(app, "match_starting") == {a.id: ["match_starting"], b.id: ["match_starting"]}
    later = kickoff + timedelta(hours=3)
    m.schedule(match_id, later)
    with time_machine.travel(later - timedelta(minutes=10), tick=False), app.app_context():
        with unit_of_work():
            assert reminders.match_reminders() == 2
