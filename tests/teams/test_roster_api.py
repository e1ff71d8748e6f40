"""Rosters: leaving, removal, captaincy transfer and the roster lock."""

from tests.helpers import assert_problem
from tests.teams.conftest import audit_actions


def member_url(team_id, user_id):
    return f"/api/teams/{team_id}/members/{user_id}/"


def transfer_url(team_id):
    return f"/api/teams/{team_id}/transfer-captain/"


def roster(client, team_id):
    return {
        m["user_id"]: m["role"] for m in client.get(f"/api/teams/{team_id}/").get_json()["members"]
    }


def membership_row(app, team_id, user_id):
    import sqlalchemy as sa

    from deltacrown.extensions import db
    from deltacrown.teams.models import TeamMembership

    with app.app_context():
        row = db.session.execute(
            sa.select(TeamMembership.status, TeamMembership.removed_by_id, TeamMembership.left_at)
            .where(TeamMembership.team_id == team_id, TeamMembership.user_id == user_id)
            .order_by(TeamMembership.id.desc())
        ).first()
        db.session.remove()
    return row


# ----- leave and remove ----------------------------------------------------------------------
def test_a_member_leaves(client, app, make_player, make_team, join, received):
    captain, member = make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    received.clear()
    assert (
        client.delete(member_url(team["id"], member.id), headers=member.headers).status_code == 204
    )
    assert roster(client, team["id"]) == {captain.id: "captain"}
    status, removed_by, left_at = membership_row(app, team["id"], member.id)
    assert (status, removed_by) == ("left", None) and left_at is not None
    assert received == [
        ("team_member_left", {"team_id": team["id"], "user_id": member.id, "removed_by": None})
    ]
    assert audit_actions(app, team["id"])[-1] == ("team.member_left", member.id)
    # Once gone, the former member may found a team of the same game.
    response = client.post(
        "/api/teams/",
        json={"name": "Solo Act", "tag": "SOLO", "game": "valorant"},
        headers=member.headers,
    )
    assert response.status_code == 201


def test_the_captain_removes_a_member(client, app, make_player, make_team, join, received):
    captain, member = make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    received.clear()
    assert (
        client.delete(member_url(team["id"], member.id), headers=captain.headers).status_code == 204
    )
    status, removed_by, _ = membership_row(app, team["id"], member.id)
    assert (status, removed_by) == ("removed", captain.id)
    assert received == [
        (
            "team_member_left",
            {"team_id": team["id"], "user_id": member.id, "removed_by": captain.id},
        )
    ]
    assert audit_actions(app, team["id"])[-1] == ("team.member_removed", captain.id)
    assert_problem(
        client.delete(member_url(team["id"], member.id), headers=captain.headers),
        404,
        "member_not_found",
    )


def test_removal_permissions(client, make_player, make_team, join, staff):
    captain, first, second, stranger = make_player(), make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, first)
    join(team["id"], captain, second)
    url = member_url(team["id"], first.id)
    assert_problem(client.delete(url), 401)
    assert_problem(client.delete(url, headers=stranger.headers), 403, "forbidden")
    assert_problem(client.delete(url, headers=second.headers), 403, "forbidden")
    assert client.delete(url, headers=staff.headers).status_code == 204
    assert roster(client, team["id"]) == {captain.id: "captain", second.id: "player"}
    assert_problem(
        client.delete(member_url(999999, first.id), headers=staff.headers), 404, "team_not_found"
    )
    # Leaving a team one is not on: nothing to end.
    assert_problem(
        client.delete(member_url(team["id"], stranger.id), headers=stranger.headers),
        404,
        "member_not_found",
    )


def test_the_captain_cannot_leave_or_be_removed(client, make_player, make_team, staff, received):
    captain = make_player()
    team = make_team(captain)
    received.clear()
    url = member_url(team["id"], captain.id)
    assert_problem(client.delete(url, headers=captain.headers), 409, "captain_must_transfer")
    assert_problem(client.delete(url, headers=staff.headers), 409, "captain_must_transfer")
    assert roster(client, team["id"]) == {captain.id: "captain"}
    assert received == []


def test_nobody_leaves_a_disbanded_team(client, make_player, make_team):
    captain = make_player()
    team = make_team(captain)
    client.post(f"/api/teams/{team['id']}/disband/", headers=captain.headers)
    assert_problem(
        client.delete(member_url(team["id"], captain.id), headers=captain.headers),
        409,
        "team_disbanded",
    )


# ----- captaincy -----------------------------------------------------------------------------
def test_transferring_captaincy(client, app, make_player, make_team, join, invite, received):
    captain, member = make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member, role="substitute")
    received.clear()
    response = client.post(
        transfer_url(team["id"]), json={"user": member.id}, headers=captain.headers
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["captain"]["id"] == member.id
    assert [(m["user_id"], m["role"]) for m in body["members"]] == [
        (member.id, "captain"),
        (captain.id, "player"),
    ]
    assert received == [
        (
            "team_captain_transferred",
            {
                "team_id": team["id"],
                "from_user_id": captain.id,
                "to_user_id": member.id,
            },
        )
    ]
    assert audit_actions(app, team["id"])[-1] == ("team.captain_transferred", captain.id)
    # Powers moved with the title; the old captain may now leave.
    newcomer = make_player()
    assert_problem(invite(team["id"], captain, newcomer.id), 403, "forbidden")
    assert invite(team["id"], member, newcomer.id).status_code == 201
    assert (
        client.delete(member_url(team["id"], captain.id), headers=captain.headers).status_code
        == 204
    )


def test_transfer_permissions(client, make_player, make_team, join, staff):
    captain, first, second, stranger = make_player(), make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, first)
    join(team["id"], captain, second)
    url = transfer_url(team["id"])
    assert_problem(client.post(url, json={"user": first.id}), 401)
    assert_problem(
        client.post(url, json={"user": first.id}, headers=stranger.headers), 403, "forbidden"
    )
    assert_problem(
        client.post(url, json={"user": second.id}, headers=first.headers), 403, "forbidden"
    )
    response = client.post(url, json={"user": first.id}, headers=staff.headers)
    assert response.status_code == 200
    assert roster(client, team["id"]) == {
        first.id: "captain",
        captain.id: "player",
        second.id: "player",
    }
    assert_problem(client.post(transfer_url(999999), json={"user": 1}, headers=staff.headers), 404)


def test_transfer_needs_an_active_member(client, make_player, make_team, join, invite):
    captain, gone, outsider, invited = make_player(), make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, gone)
    client.delete(member_url(team["id"], gone.id), headers=gone.headers)
    invite(team["id"], captain, invited.id)
    url = transfer_url(team["id"])
    for target in (gone, outsider, invited):
        problem = assert_problem(
            client.post(url, json={"user": target.id}, headers=captain.headers), 409, "not_a_member"
        )
        assert "user" in problem["errors"]
    assert_problem(
        client.post(url, json={"user": captain.id}, headers=captain.headers), 409, "already_captain"
    )
    assert_problem(client.post(url, json={}, headers=captain.headers), 422, "validation_error")
    client.post(f"/api/teams/{team['id']}/disband/", headers=captain.headers)
    assert_problem(
        client.post(url, json={"user": outsider.id}, headers=captain.headers), 409, "team_disbanded"
    )


# ----- roster lock ---------------------------------------------------------------------------
def test_a_locked_roster_refuses_joins_and_departures(
    client, make_player, make_team, join, invite, roster_hooks, received
):
    captain, member, invitee = make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    sent = invite(team["id"], captain, invitee.id).get_json()
    received.clear()
    roster_hooks.locked[team["id"]] = "registered in tournament 7, which is ongoing"
    accept = client.post(f"/api/team-invites/{sent['id']}/accept/", headers=invitee.headers)
    problem = assert_problem(accept, 409, "roster_locked")
    assert "tournament 7" in problem["detail"]
    url = member_url(team["id"], member.id)
    assert_problem(client.delete(url, headers=member.headers), 409, "roster_locked")
    assert_problem(client.delete(url, headers=captain.headers), 409, "roster_locked")
    assert roster(client, team["id"]) == {captain.id: "captain", member.id: "player"}
    assert received == []
    # Captaincy is not a roster change; a locked team can still hand it over.
    response = client.post(
        transfer_url(team["id"]), json={"user": member.id}, headers=captain.headers
    )
    assert response.status_code == 200
    # Other teams are not affected, and the lock lifts when the hook says so.
    roster_hooks.locked.clear()
    assert (
        client.post(f"/api/team-invites/{sent['id']}/accept/", headers=invitee.headers).status_code
        == 200
    )
