"""`flask demo seed` adds tournaments in several states and a public template, idempotently."""

from __future__ import annotations

import sqlalchemy as sa

from deltacrown.extensions import db
from deltacrown.tournaments.models import CustomField, Tournament, TournamentTemplate


def counts(app):
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Tournament, TournamentTemplate, CustomField)
        )


def test_demo_seed_creates_tournaments_in_several_states_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        states = dict(db.session.execute(sa.select(Tournament.name, Tournament.status)).all())
    assert {name: status.value for name, status in states.items()} == {
        "Dhaka Valorant Open": "registration_open",
        "eFootball Friday Night": "published",
        "CS2 Community Scrims": "draft",
        "PUBG Mobile Squad Showdown": "registration_open",
        "MLBB Rising Stars": "cancelled",
        "DeltaCrown Bracket Demo": "ongoing",  # seeded by brackets.demo, with a bracket
    }
    before = counts(app)
    assert before == (6, 1, 0)
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    assert counts(app) == before


def test_the_demo_template_can_be_applied(app, client):
    from datetime import timedelta

    from deltacrown.core.time import isoformat, utcnow
    from deltacrown.demo import DEMO_PASSWORD

    app.test_cli_runner().invoke(args=["demo", "seed"])
    token = client.post("/api/auth/login/", json={"login": "bob", "password": DEMO_PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    [template] = client.get("/api/tournament-templates/", headers=headers).get_json()
    response = client.post(
        "/api/tournaments/from-template/",
        headers=headers,
        json={
            "template": template["id"],
            "name": "Bob's Cup",
            "start_at": isoformat(utcnow() + timedelta(days=9)),
        },
    )
    assert response.status_code == 201, response.get_json()
    fields = client.get(
        f"/api/tournaments/{response.get_json()['id']}/custom-fields/", headers=headers
    ).get_json()
    assert [f["key"] for f in fields] == ["discord", "rules_accepted"]
