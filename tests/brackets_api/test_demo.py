"""The demo bracket: after `flask demo seed`, `seed_demo_brackets()` registers the demo players,
generates and starts the bracket and plays its first match; running it again changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from deltacrown.extensions import db


def snapshot(app):
    from deltacrown.brackets.models import Stage
    from deltacrown.matches.models import Match
    from deltacrown.registrations.models import Registration
    from deltacrown.tournaments.models import Tournament

    with app.app_context():
        tournament = db.session.scalar(
            sa.select(Tournament).where(Tournament.name == "DeltaCrown Bracket Demo")
        )
        state = (
            tournament.status.value,
            db.session.scalar(sa.select(sa.func.count(Registration.id))),
            db.session.scalar(sa.select(sa.func.count(Stage.id))),
            sorted(
                (m.engine_id, m.status.value)
                for m in db.session.scalars(
                    sa.select(Match).where(Match.tournament_id == tournament.id)
                )
            ),
        )
        db.session.remove()
    return state


def seed_brackets(app):
    from deltacrown.brackets.demo import seed_demo_brackets
    from deltacrown.core.transaction import unit_of_work

    with app.app_context():
        with unit_of_work():
            tournament_id = seed_demo_brackets()
        db.session.remove()
    return tournament_id


def test_the_demo_bracket_is_seeded_once(app, client):
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    tournament_id = seed_brackets(app)
    first = snapshot(app)
    status, registrations, stages, matches = first
    assert status == "ongoing" and registrations == 4 and stages == 1
    assert matches == [
        ("TP1.1", "scheduled"),
        ("W1.1", "completed"),
        ("W1.2", "live"),  # started by itself
        ("W2.1", "scheduled"),
    ]
    assert seed_brackets(app) == tournament_id
    assert snapshot(app) == first
    bracket = client.get(f"/api/tournaments/{tournament_id}/bracket/").get_json()
    names = {p["name"] for r in bracket["stages"][0]["rounds"] for m in r["matches"]
             for p in m["participants"] if p["name"]}  # fmt: skip
    assert names == {"Alice", "Bob", "Carol", "Dave"}


def test_without_the_demo_users_nothing_is_seeded(app):
    assert seed_brackets(app) is None
