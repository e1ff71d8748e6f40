"""`flask demo seed` adds a few teams, once."""

import sqlalchemy as sa

from deltacrown.extensions import db


def snapshot(app):
    from deltacrown.teams.models import Team, TeamInvite, TeamMembership

    with app.app_context():
        counts = tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Team, TeamMembership, TeamInvite)
        )
        db.session.remove()
    return counts


def test_demo_seed_adds_teams_with_rosters_and_an_invite_once(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    first = snapshot(app)
    assert first == (
        3,
        4,
        2,
    )  # 3 teams; 3 captains + bob; bob's accepted and carol's pending invite
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    assert snapshot(app) == first
    teams = {t["name"]: t for t in client.get("/api/teams/").get_json()}
    assert set(teams) == {"Crown Vipers", "Blade Runners", "Carol's Comets"}
    vipers = client.get(f"/api/teams/{teams['Crown Vipers']['id']}/").get_json()
    assert [(m["username"], m["role"]) for m in vipers["members"]] == [
        ("alice", "captain"),
        ("bob", "player"),
    ]
    login = client.post("/api/auth/login/", json={"login": "carol", "password": "deltacrown-demo"})
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    [pending] = client.get("/api/me/team-invites/", headers=headers).get_json()
    assert pending["team"]["name"] == "Crown Vipers"
