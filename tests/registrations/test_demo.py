"""`flask demo seed` enters the demo players in the demo tournaments they qualify for, once."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from deltacrown.core.time import utcnow
from deltacrown.extensions import db


def registrations(app):
    from deltacrown.accounts.models import User
    from deltacrown.registrations.models import Registration
    from deltacrown.tournaments.models import Tournament

    with app.app_context():
        rows = db.session.execute(
            sa.select(
                Tournament.name, User.username, Registration.status, Registration.payment_status
            )
            .join(Tournament, Tournament.id == Registration.tournament_id)
            .join(User, User.id == Registration.user_id)
            # The bracket demo brings its own (confirmed) players; this test is about the rest.
            .where(Tournament.name != "DeltaCrown Bracket Demo")
            .order_by(Registration.id)
        ).all()
        db.session.remove()
    return [(t, u, s.value, p.value) for t, u, s, p in rows]


def test_demo_players_enter_the_efootball_cup_once_it_opens(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    # On a fresh seed nobody qualifies: the only open tournament is 5v5.
    assert registrations(app) == []
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    assert registrations(app) == []
    with time_machine.travel(utcnow() + timedelta(days=3), tick=False):
        assert runner.invoke(args=["jobs", "run", "apply-tournament-schedules"]).exit_code == 0
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        expected = [
            ("eFootball Friday Night", "bob", "confirmed", "verified"),
            ("eFootball Friday Night", "carol", "confirmed", "verified"),
        ]
        assert registrations(app) == expected
        assert runner.invoke(args=["demo", "seed"]).exit_code == 0
        assert registrations(app) == expected
