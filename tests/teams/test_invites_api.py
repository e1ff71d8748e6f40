"""Invitations: send, inbox, accept, decline, cancel; roster limit and 72-hour expiry."""

import re
from datetime import datetime, timedelta

import time_machine

from deltacrown.core.time import utcnow
from tests.helpers import assert_problem

INBOX = "/api/me/team-invites/"


def invite_url(invite_id, action=""):
    return f"/api/team-invites/{invite_id}/" + (f"{action}/" if action else "")


def members(client, team_id):
    return {
        m["user_id"]: m["role"] for m in client.get(f"/api/teams/{team_id}/").get_json()["members"]
    }


# ----- send ----------------------------------------------------------------------------------
def test_captain_invites_and_the_invitee_finds_it_in_the_inbox(
    client, make_player, make_team, invite, received
):
    captain, invitee, other = make_player(), make_player(display_name="Inv"), make_player()
    team = make_team(captain)
    received.clear()
    response = invite(team["id"], captain, invitee.id, role="substitute")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["role"]) == ("pending", "substitute")
    assert body["team"] == {
        "id": team["id"],
        "name": team["name"],
        "tag": team["tag"],
        "slug": team["slug"],
        "game": "valorant",
    }
    assert body["user"] == {"id": invitee.id, "username": invitee.username, "display_name": "Inv"}
    assert body["invited_by"]["id"] == captain.id
    created = datetime.fromisoformat(body["created_at"])
    assert datetime.fromisoformat(body["expires_at"]) - created == timedelta(hours=72)
    assert [i["id"] for i in client.get(INBOX, headers=invitee.headers).get_json()] == [body["id"]]
    assert client.get(INBOX, headers=other.headers).get_json() == []
    assert_problem(client.get(INBOX), 401)
    assert received == [
        (
            "team_invite_sent",
            {
                "team_id": team["id"],
                "invite_id": body["id"],
                "user_id": invitee.id,
                "invited_by": captain.id,
            },
        )
    ]


def test_invite_permissions(client, make_player, make_team, join, invite, staff):
    captain, member, stranger, target = make_player(), make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    url = f"/api/teams/{team['id']}/invites/"
    assert_problem(client.post(url, json={"user": target.id}), 401)
    assert_problem(invite(team["id"], stranger, target.id), 403, "forbidden")
    assert_problem(invite(team["id"], member, target.id), 403, "forbidden")
    response = invite(team["id"], staff, target.id)
    assert response.status_code == 201
    assert response.get_json()["invited_by"]["id"] == staff.id
    assert_problem(invite(999999, staff, target.id), 404, "team_not_found")


def test_invite_input_and_unknown_users(client, make_player, make_team, invite, make_user):
    captain = make_player()
    team = make_team(captain)
    assert_problem(invite(team["id"], captain, 999999), 404, "user_not_found")
    disabled = make_user(is_active=False)
    assert_problem(invite(team["id"], captain, disabled.id), 404, "user_not_found")
    target = make_player()
    assert (
        "role"
        in assert_problem(invite(team["id"], captain, target.id, role="captain"), 422)["errors"]
    )
    assert "user" in assert_problem(invite(team["id"], captain, str(target.id)), 422)["errors"]


def test_members_and_invited_users_cannot_be_invited_again(
    client, make_player, make_team, join, invite
):
    captain, member, invitee = make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    assert_problem(invite(team["id"], captain, member.id), 409, "already_member")
    assert_problem(invite(team["id"], captain, captain.id), 409, "already_member")
    assert invite(team["id"], captain, invitee.id).status_code == 201
    assert_problem(invite(team["id"], captain, invitee.id), 409, "already_invited")


def test_roster_holds_eight_counting_pending_invites(client, make_player, make_team, join, invite):
    captain = make_player()
    team = make_team(captain)
    join(team["id"], captain, make_player())  # 2 members
    invited = [invite(team["id"], captain, make_player().id).get_json() for _ in range(6)]
    assert all(i["status"] == "pending" for i in invited)  # 2 + 6 = 8
    problem = assert_problem(invite(team["id"], captain, make_player().id), 409, "roster_full")
    assert problem["limit"] == 8
    # A declined or cancelled invite frees its place.
    assert client.delete(invite_url(invited[0]["id"]), headers=captain.headers).status_code == 204
    assert invite(team["id"], captain, make_player().id).status_code == 201
    assert_problem(invite(team["id"], captain, make_player().id), 409, "roster_full")


def test_an_expired_invite_frees_its_place_and_can_be_renewed(
    client, make_player, make_team, invite, headers_now
):
    captain, invitee = make_player(), make_player()
    team = make_team(captain)
    first = invite(team["id"], captain, invitee.id).get_json()
    for _ in range(6):
        invite(team["id"], captain, make_player().id)  # 1 + 7 = 8, full
    assert_problem(invite(team["id"], captain, make_player().id), 409, "roster_full")
    later = datetime.fromisoformat(first["expires_at"]) + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        url = f"/api/teams/{team['id']}/invites/"
        renewed = client.post(url, json={"user": invitee.id}, headers=headers_now(captain))
        assert renewed.status_code == 201, renewed.get_json()
        assert renewed.get_json()["id"] != first["id"]
        old = client.get(invite_url(first["id"]), headers=headers_now(invitee)).get_json()
        assert old["status"] == "expired"


# ----- accept --------------------------------------------------------------------------------
def test_accepting_joins_the_team_with_the_invites_role(
    client, make_player, make_team, invite, received
):
    captain, invitee = make_player(), make_player()
    team = make_team(captain)
    sent = invite(team["id"], captain, invitee.id, role="substitute").get_json()
    before = client.get(f"/api/teams/{team['id']}/").headers["ETag"]
    received.clear()
    response = client.post(invite_url(sent["id"], "accept"), headers=invitee.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "accepted"
    assert response.get_json()["responded_at"] is not None
    assert members(client, team["id"]) == {captain.id: "captain", invitee.id: "substitute"}
    assert client.get(f"/api/teams/{team['id']}/").headers["ETag"] != before
    assert client.get(INBOX, headers=invitee.headers).get_json() == []
    assert received == [("team_member_joined", {"team_id": team["id"], "user_id": invitee.id})]


def test_only_the_invitee_answers_others_see_nothing(
    client, make_player, make_team, join, invite, staff
):
    captain, member, invitee, stranger = make_player(), make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    sent = invite(team["id"], captain, invitee.id).get_json()
    for action in ("accept", "decline"):
        url = invite_url(sent["id"], action)
        assert_problem(client.post(url), 401)
        for who in (captain, member, stranger, staff):
            assert_problem(client.post(url, headers=who.headers), 404, "invite_not_found")
        assert_problem(client.post(invite_url(999999, action), headers=invitee.headers), 404)
    assert (
        client.get(invite_url(sent["id"]), headers=invitee.headers).get_json()["status"]
        == "pending"
    )


def test_accepting_needs_a_game_profile(client, make_player, make_team, invite, received):
    captain, invitee = make_player(), make_player("cs2")
    team = make_team(captain)
    sent = invite(team["id"], captain, invitee.id).get_json()
    received.clear()
    response = client.post(invite_url(sent["id"], "accept"), headers=invitee.headers)
    assert_problem(response, 422, "game_profile_required")
    assert invitee.id not in members(client, team["id"])
    assert received == []


def test_accepting_while_on_another_team_of_the_game_is_409(
    client, make_player, make_team, join, invite
):
    first_captain, second_captain, player = (
        make_player(),
        make_player(),
        make_player("valorant", "cs2"),
    )
    first = make_team(first_captain)
    second = make_team(second_captain)
    join(first["id"], first_captain, player)
    sent = invite(second["id"], second_captain, player.id).get_json()
    problem = assert_problem(
        client.post(invite_url(sent["id"], "accept"), headers=player.headers),
        409,
        "already_in_team",
    )
    assert problem["team_id"] == first["id"]
    # Leaving the first team makes the invite usable.
    client.delete(f"/api/teams/{first['id']}/members/{player.id}/", headers=player.headers)
    assert client.post(invite_url(sent["id"], "accept"), headers=player.headers).status_code == 200
    # Teams of another game are unaffected.
    cs2_captain = make_player("cs2")
    cs2_team = make_team(cs2_captain, game="cs2")
    join(cs2_team["id"], cs2_captain, player)


def test_an_expired_invite_cannot_be_accepted_before_the_sweep(
    client, make_player, make_team, invite, headers_now
):
    captain, invitee = make_player(), make_player()
    team = make_team(captain)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        sent = invite(team["id"], captain, invitee.id).get_json()
    with time_machine.travel(start + timedelta(hours=71, minutes=59), tick=False):
        inbox = client.get(INBOX, headers=headers_now(invitee)).get_json()
        assert [i["id"] for i in inbox] == [sent["id"]]
    with time_machine.travel(start + timedelta(hours=72), tick=False):
        mine, captains = headers_now(invitee), headers_now(captain)
        accept = client.post(invite_url(sent["id"], "accept"), headers=mine)
        expired = assert_problem(accept, 409, "invite_expired")
        assert re.search(r"expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\.$", expired["detail"])
        assert expired["expires_at"] == sent["expires_at"]
        decline = client.post(invite_url(sent["id"], "decline"), headers=mine)
        assert_problem(decline, 409, "invite_expired")
        assert_problem(
            client.delete(invite_url(sent["id"]), headers=captains), 409, "invite_expired"
        )
        assert client.get(INBOX, headers=mine).get_json() == []
        assert client.get(invite_url(sent["id"]), headers=mine).get_json()["status"] == "expired"
    assert invitee.id not in members(client, team["id"])


def test_an_answered_invite_cannot_be_answered_again(client, make_player, make_team, invite):
    captain, invitee = make_player(), make_player()
    team = make_team(captain)
    sent = invite(team["id"], captain, invitee.id).get_json()
    assert client.post(invite_url(sent["id"], "accept"), headers=invitee.headers).status_code == 200
    for action in ("accept", "decline"):
        assert_problem(
            client.post(invite_url(sent["id"], action), headers=invitee.headers),
            409,
            "invalid_transition",
        )
    assert_problem(
        client.delete(invite_url(sent["id"]), headers=captain.headers), 409, "invalid_transition"
    )


def test_invites_of_a_disbanded_team_are_dead(client, make_player, make_team, invite):
    captain, invitee = make_player(), make_player()
    team = make_team(captain)
    sent = invite(team["id"], captain, invitee.id).get_json()
    client.post(f"/api/teams/{team['id']}/disband/", headers=captain.headers)
    assert_problem(
        client.post(invite_url(sent["id"], "accept"), headers=invitee.headers),
        409,
        "invalid_transition",
    )
    assert_problem(invite(team["id"], captain, invitee.id), 409, "team_disbanded")


# ----- decline and cancel --------------------------------------------------------------------
def test_declining_leaves_the_roster_alone(client, make_player, make_team, invite, received):
    captain, invitee = make_player(), make_player()
    team = make_team(captain)
    sent = invite(team["id"], captain, invitee.id).get_json()
    received.clear()
    response = client.post(invite_url(sent["id"], "decline"), headers=invitee.headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "declined"
    assert members(client, team["id"]) == {captain.id: "captain"}
    assert received == [
        (
            "team_invite_declined",
            {"team_id": team["id"], "invite_id": sent["id"], "user_id": invitee.id},
        )
    ]
    # A declined invite does not block a new one.
    assert invite(team["id"], captain, invitee.id).status_code == 201


def test_cancel_permissions(client, make_player, make_team, join, invite, staff, received):
    captain, member, invitee, stranger = make_player(), make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    first = invite(team["id"], captain, invitee.id).get_json()
    url = invite_url(first["id"])
    assert_problem(client.delete(url), 401)
    assert_problem(client.delete(url, headers=stranger.headers), 404, "invite_not_found")
    assert_problem(client.delete(url, headers=member.headers), 404, "invite_not_found")
    assert_problem(client.delete(url, headers=invitee.headers), 403, "forbidden")
    received.clear()
    assert client.delete(url, headers=captain.headers).status_code == 204
    assert received == [
        (
            "team_invite_cancelled",
            {
                "team_id": team["id"],
                "invite_id": first["id"],
                "user_id": invitee.id,
                "cancelled_by": captain.id,
            },
        )
    ]
    assert_problem(client.delete(url, headers=captain.headers), 409, "invalid_transition")
    assert_problem(
        client.post(invite_url(first["id"], "accept"), headers=invitee.headers),
        409,
        "invalid_transition",
    )
    second = invite(team["id"], captain, invitee.id).get_json()
    assert client.delete(invite_url(second["id"]), headers=staff.headers).status_code == 204
    assert_problem(
        client.delete(invite_url(999999), headers=staff.headers), 404, "invite_not_found"
    )


def test_invite_visibility(client, make_player, make_team, join, invite, staff):
    captain, member, invitee, stranger = make_player(), make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    url = invite_url(invite(team["id"], captain, invitee.id).get_json()["id"])
    for who in (invitee, captain, staff):
        assert client.get(url, headers=who.headers).status_code == 200
    for who in (member, stranger):
        assert_problem(client.get(url, headers=who.headers), 404, "invite_not_found")
    assert_problem(client.get(url), 401)


def test_team_invite_list_is_for_the_captain_and_staff(
    client, make_player, make_team, join, invite, staff
):
    captain, member, stranger = make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    ids = [invite(team["id"], captain, make_player().id).get_json()["id"] for _ in range(2)]
    url = f"/api/teams/{team['id']}/invites/"
    for who in (captain, staff):
        assert [i["id"] for i in client.get(url, headers=who.headers).get_json()] == ids[::-1]
    for who in (member, stranger):
        assert_problem(client.get(url, headers=who.headers), 403, "forbidden")
    assert_problem(client.get(url), 401)
    assert_problem(client.get("/api/teams/999999/invites/", headers=staff.headers), 404)
