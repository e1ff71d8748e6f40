"""Flask-Admin for teams: staff-only read-only lists with filters; actions go through services."""

import html
import json
import re

import pytest

from tests.helpers import sign_in_admin
from tests.teams.conftest import audit_actions

VIEWS = ("/admin/admin_teams/", "/admin/admin_team_memberships/", "/admin/admin_team_invites/")


def sign_in(client, user_id):
    sign_in_admin(client, user_id)


def filter_param(page, column, operation):
    """The `flt0_<arg>` query parameter Flask-Admin expects for a column filter."""
    raw = re.search(r'id="filter-groups-data" class="d-none">(.*?)</div>', page, re.S).group(1)
    groups = json.loads(html.unescape(raw))
    [arg] = [f["arg"] for f in groups[column] if f["operation"] == operation]
    return f"flt0_{arg}"


def run_action(client, view, action, ids):
    page = client.get(view).get_data(as_text=True)
    token = re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page
    ).group(1)
    return client.post(
        f"{view}action/",
        data={"csrf_token": token, "action": action, "rowid": [str(i) for i in ids], "url": view},
    )


def usernames(response):
    """The usernames listed in a memberships or invites list page."""
    page = response.get_data(as_text=True)
    return re.findall(r'<td class="col-user\.username">\s*([^<\s]+)\s*</td>', page)


def flashes(client):
    with client.session_transaction() as session:
        return [message for _, message in session.get("_flashes", [])]


def test_team_views_are_for_staff_only(client, user):
    for view in VIEWS:
        response = client.get(view)
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
    sign_in(client, user.id)
    for view in VIEWS:
        assert client.get(view).status_code == 403


def test_staff_lists_and_filters_teams(client, staff, make_player, make_team):
    a, b, c = make_player(), make_player("cs2"), make_player()
    make_team(a, name="Active Valorant", tag="AV")
    make_team(b, game="cs2", name="Active Counter", tag="AC")
    gone = make_team(c, name="Gone Team", tag="GONE")
    client.post(f"/api/teams/{gone['id']}/disband/", headers=c.headers)
    sign_in(client, staff.id)
    page = client.get(VIEWS[0]).get_data(as_text=True)
    assert all(name in page for name in ("Active Valorant", "Active Counter", "Gone Team"))
    active = client.get(VIEWS[0], query_string={filter_param(page, "Is Active", "equals"): "1"})
    text = active.get_data(as_text=True)
    assert "Active Valorant" in text and "Gone Team" not in text
    cs2 = client.get(VIEWS[0], query_string={filter_param(page, "Game", "equals"): "cs2"})
    text = cs2.get_data(as_text=True)
    assert "Active Counter" in text and "Active Valorant" not in text
    found = client.get(VIEWS[0], query_string={"search": "gone"}).get_data(as_text=True)
    assert "Gone Team" in found and "Active Valorant" not in found


def test_staff_filters_memberships_and_invites(client, staff, make_player, make_team, join, invite):
    captain, stayer, leaver, invitee = (
        make_player(username=n) for n in ("cap", "stayer", "leaver", "invitee")
    )
    team = make_team(captain)
    join(team["id"], captain, stayer)
    join(team["id"], captain, leaver)
    client.delete(f"/api/teams/{team['id']}/members/{leaver.id}/", headers=leaver.headers)
    invite(team["id"], captain, invitee.id)
    sign_in(client, staff.id)
    response = client.get(VIEWS[1])
    assert sorted(usernames(response)) == ["cap", "leaver", "stayer"]
    status = filter_param(response.get_data(as_text=True), "Status", "equals")
    assert usernames(client.get(VIEWS[1], query_string={status: "left"})) == ["leaver"]
    # An unknown value is ignored, not a 500.
    ignored = client.get(VIEWS[1], query_string={status: "bogus"})
    assert ignored.status_code == 200 and len(usernames(ignored)) == 3
    response = client.get(VIEWS[2])
    assert sorted(usernames(response)) == ["invitee", "leaver", "stayer"]  # joined via invites
    status = filter_param(response.get_data(as_text=True), "Status", "equals")
    assert usernames(client.get(VIEWS[2], query_string={status: "pending"})) == ["invitee"]
    assert usernames(client.get(VIEWS[2], query_string={status: "expired"})) == []


def test_the_lists_cannot_create_edit_or_delete(client, staff, make_player, make_team):
    team = make_team(make_player())
    sign_in(client, staff.id)
    for view in VIEWS:
        assert client.get(f"{view}new/").status_code in (302, 403, 404)
    client.post(f"{VIEWS[0]}delete/", data={"id": team["id"]})
    client.post(f"{VIEWS[0]}edit/?id={team['id']}", data={"name": "Hacked"})
    body = client.get(f"/api/teams/{team['id']}/").get_json()
    assert (body["name"], body["is_active"]) == (team["name"], True)
    assert 'value="delete"' not in client.get(VIEWS[0]).get_data(as_text=True)


def test_staff_disband_action_runs_the_service(
    client, app, staff, make_player, make_team, roster_hooks, received
):
    free, registered = make_player(), make_player()
    free_team, held_team = make_team(free), make_team(registered)
    roster_hooks.registered.add(held_team["id"])
    received.clear()
    sign_in(client, staff.id)
    response = run_action(client, VIEWS[0], "disband", [free_team["id"], held_team["id"]])
    assert response.status_code == 302
    messages = flashes(client)
    assert any("Disbanded 1 team" in m for m in messages)
    assert any(
        f"#{held_team['id']}" in m and "active tournament registration" in m for m in messages
    )
    assert client.get(f"/api/teams/{free_team['id']}/").get_json()["is_active"] is False
    assert client.get(f"/api/teams/{held_team['id']}/").get_json()["is_active"] is True
    assert audit_actions(app, free_team["id"])[-1] == ("team.disbanded", staff.id)
    assert [name for name, _ in received] == ["team_disbanded"]


@pytest.mark.parametrize("view_index", [1, 2])
def test_staff_remove_and_cancel_actions_run_the_services(
    client, app, staff, make_player, make_team, join, invite, view_index
):
    from deltacrown.extensions import db
    from deltacrown.teams.models import TeamInvite, TeamMembership

    captain, member, invitee = make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    sent = invite(team["id"], captain, invitee.id).get_json()
    with app.app_context():
        rows = {
            m.user_id: m.id for m in db.session.query(TeamMembership).filter_by(team_id=team["id"])
        }
        assert db.session.get(TeamInvite, sent["id"]) is not None
        db.session.remove()
    sign_in(client, staff.id)
    if view_index == 1:
        response = run_action(client, VIEWS[1], "remove", [rows[member.id], rows[captain.id]])
        assert response.status_code == 302
        roster = client.get(f"/api/teams/{team['id']}/").get_json()["members"]
        assert [m["user_id"] for m in roster] == [captain.id]
        assert any("captaincy" in m for m in flashes(client))
        assert audit_actions(app, team["id"])[-1] == ("team.member_removed", staff.id)
    else:
        response = run_action(client, VIEWS[2], "cancel", [sent["id"]])
        assert response.status_code == 302
        status = client.get(f"/api/team-invites/{sent['id']}/", headers=invitee.headers).get_json()
        assert status["status"] == "cancelled"
        assert audit_actions(app, team["id"])[-1] == ("team.invite_cancelled", staff.id)


def test_removing_an_old_membership_row_leaves_the_current_one(
    client, app, staff, make_player, make_team, join
):
    from deltacrown.extensions import db
    from deltacrown.teams.models import TeamMembership

    captain, member = make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    left = client.delete(f"/api/teams/{team['id']}/members/{member.id}/", headers=member.headers)
    assert left.status_code in (200, 204), left.get_json()
    join(team["id"], captain, member)
    with app.app_context():
        old = (
            db.session.query(TeamMembership)
            .filter_by(team_id=team["id"], user_id=member.id)
            .order_by(TeamMembership.id)
            .first()
            .id
        )
        db.session.remove()
    sign_in(client, staff.id)
    run_action(client, VIEWS[1], "remove", [old])
    roster = client.get(f"/api/teams/{team['id']}/").get_json()["members"]
    assert member.id in [m["user_id"] for m in roster]
    assert any("not active" in m for m in flashes(client))
