"""The invite-expiry sweep (`teams.expire_invites`, every 10 minutes)."""

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from deltacrown.core.scheduler import find_job, run_job
from deltacrown.core.time import utcnow


def invite_statuses(app):
    from deltacrown.extensions import db
    from deltacrown.teams.models import TeamInvite

    with app.app_context():
        rows = db.session.execute(sa.select(TeamInvite.user_id, TeamInvite.status)).all()
        db.session.remove()
    return {user_id: str(status) for user_id, status in rows}


def test_the_sweep_is_scheduled_every_ten_minutes():
    entry = find_job("expire-team-invites")
    assert entry["task"] == "teams.expire_invites"
    assert entry["schedule"] == timedelta(minutes=10)


def test_the_sweep_marks_only_invites_past_72_hours(
    app, client, make_player, make_team, headers_now, received
):
    from deltacrown.core.audit import AuditEntry
    from deltacrown.extensions import db

    captain, early, late, answered = make_player(), make_player(), make_player(), make_player()
    team = make_team(captain)
    url = f"/api/teams/{team['id']}/invites/"
    start = utcnow()
    with time_machine.travel(start, tick=False):
        for who in (early, answered):
            client.post(url, json={"user": who.id}, headers=headers_now(captain))
        declined = client.get("/api/me/team-invites/", headers=headers_now(answered)).get_json()[0]
        client.post(f"/api/team-invites/{declined['id']}/decline/", headers=headers_now(answered))
    with time_machine.travel(start + timedelta(hours=10), tick=False):
        client.post(url, json={"user": late.id}, headers=headers_now(captain))
    received.clear()
    with time_machine.travel(start + timedelta(hours=72, minutes=1), tick=False):
        result = app.test_cli_runner().invoke(args=["jobs", "run", "expire-team-invites"])
    assert result.exit_code == 0, result.output
    assert "ran expire-team-invites: 1" in result.output
    assert invite_statuses(app) == {
        early.id: "expired",
        late.id: "pending",
        answered.id: "declined",
    }
    [(name, payload)] = received
    assert name == "team_invite_expired"
    assert (payload["team_id"], payload["user_id"]) == (team["id"], early.id)
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "team.invite_expired")
        ).one()
        assert (entry.actor_id, entry.target_type, entry.target_id) == (None, "teams", team["id"])
        assert entry.actor_kind.value == "system"
        db.session.remove()
    # Nothing is due twice; the later invite expires on its own schedule.
    with time_machine.travel(start + timedelta(hours=72, minutes=11), tick=False):
        assert run_job(app, "teams.expire_invites") == 0
    with time_machine.travel(start + timedelta(hours=82), tick=False):
        assert run_job(app, "teams.expire_invites") == 1
    assert invite_statuses(app)[late.id] == "expired"
