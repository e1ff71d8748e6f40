"""Teams: create, list, read, edit and disband, with permissions, audit and signals."""

import json

from tests.helpers import assert_problem
from tests.teams.conftest import audit_actions

URL = "/api/teams/"


def item(team_id):
    return f"{URL}{team_id}/"


# ----- create --------------------------------------------------------------------------------
def test_create_makes_the_caller_captain_and_shows_no_emails(client, make_player, received):
    captain = make_player(display_name="Cap Tain")
    response = client.post(
        URL,
        json={
            "name": "  Crown   Vipers ",
            "tag": "cvp",
            "game": "valorant",
            "description": "We play.",
            "logo_url": "https://cdn.example.test/v.png",
            "logo_alt_text": "A green viper coiled around a crown",
            "region": "South Asia",
        },
        headers=captain.headers,
    )
    assert response.status_code == 201, response.get_json()
    team = response.get_json()
    assert (team["name"], team["tag"], team["slug"]) == ("Crown Vipers", "CVP", "crown-vipers")
    assert (team["game"], team["is_active"], team["region"]) == ("valorant", True, "South Asia")
    assert team["captain"] == {
        "id": captain.id,
        "username": captain.username,
        "display_name": "Cap Tain",
    }
    [member] = team["members"]
    assert set(member) == {"user_id", "username", "display_name", "role", "joined_at"}
    assert (member["user_id"], member["role"]) == (captain.id, "captain")
    assert member["joined_at"].endswith(("Z", "+00:00"))
    assert "@" not in json.dumps(team)
    assert received == [("team_created", {"team_id": team["id"], "captain_id": captain.id})]


def test_create_needs_a_token(client):
    assert_problem(client.post(URL, json={"name": "Anon", "tag": "AN", "game": "valorant"}), 401)


def test_create_needs_a_game_profile_for_the_game(client, make_player, received):
    player = make_player("cs2")
    body = {"name": "No Profile", "tag": "NOP", "game": "valorant"}
    problem = assert_problem(
        client.post(URL, json=body, headers=player.headers), 422, "game_profile_required"
    )
    assert "game" in problem["errors"]
    assert received == []


def test_create_takes_a_game_id_and_rejects_unknown_games(client, make_player):
    player = make_player("cs2")
    cs2_id = client.get("/api/games/cs2/").get_json()["id"]
    body = {"name": "By Id", "tag": "BID", "game": cs2_id}
    assert client.post(URL, json=body, headers=player.headers).get_json()["game"] == "cs2"
    body = {"name": "Chess Club", "tag": "CHS", "game": "chess"}
    assert_problem(client.post(URL, json=body, headers=player.headers), 404, "game_not_found")


def test_create_validates_name_tag_and_logo(client, make_player):
    player = make_player()

    def post(**fields):
        body = {"name": "Valid Name", "tag": "VAL", "game": "valorant", **fields}
        return client.post(URL, json=body, headers=player.headers)

    for name in ("ab", "x" * 51, "bad\u0007name"):
        assert "name" in assert_problem(post(name=name), 422, "validation_error")["errors"]
    for tag in ("A", "TOOLONG", "A-B", "ÄBC"):
        assert "tag" in assert_problem(post(tag=tag), 422, "validation_error")["errors"]
    assert "logo_url" in assert_problem(post(logo_url="ftp://x.test/a.png"), 422)["errors"]
    assert "game" in assert_problem(post(game=None), 422)["errors"]
    assert "members" in assert_problem(post(members=[1]), 422)["errors"]


def test_name_and_tag_are_unique_per_game_case_insensitively(client, make_player, make_team):
    first, second, other_game = make_player(), make_player(), make_player("cs2")
    make_team(first, name="Alpha Squad", tag="ALP")
    same_name = {"name": "ALPHA   squad", "tag": "NEW", "game": "valorant"}
    problem = assert_problem(
        client.post(URL, json=same_name, headers=second.headers), 409, "team_name_taken"
    )
    assert "name" in problem["errors"]
    same_tag = {"name": "Another Squad", "tag": "alp", "game": "valorant"}
    assert_problem(client.post(URL, json=same_tag, headers=second.headers), 409, "team_tag_taken")
    # Another game may reuse both; the slug stays unique across games.
    team = make_team(other_game, game="cs2", name="Alpha Squad", tag="ALP")
    assert team["slug"] == "alpha-squad-2"


def test_one_active_team_per_game_for_the_captain(client, make_player, make_team):
    captain = make_player("valorant", "cs2")
    first = make_team(captain)
    problem = assert_problem(
        client.post(
            URL, json={"name": "Second", "tag": "SEC", "game": "valorant"}, headers=captain.headers
        ),
        409,
        "already_in_team",
    )
    assert problem["team_id"] == first["id"]
    make_team(captain, game="cs2")  # another game is fine


def test_a_disbanded_teams_name_and_tag_are_free_again(client, make_player, make_team):
    captain, successor = make_player(), make_player()
    old = make_team(captain, name="Phoenix Rising", tag="PHX")
    assert client.post(f"{item(old['id'])}disband/", headers=captain.headers).status_code == 200
    new = make_team(successor, name="phoenix rising", tag="PHX")
    assert new["slug"] == "phoenix-rising-2"
    assert client.get(item(old["id"])).get_json()["slug"] == "phoenix-rising"


# ----- read ----------------------------------------------------------------------------------
def test_list_filters_by_game_and_search_and_hides_disbanded(client, make_player, make_team):
    a, b, c, d = make_player(), make_player(), make_player("cs2"), make_player()
    alpha = make_team(a, name="Alpha Wolves", tag="AWF")
    bravo = make_team(b, name="Bravo Bears", tag="BRV")
    charlie = make_team(c, game="cs2", name="Charlie Alpha", tag="CHA")
    gone = make_team(d, name="Alpha Gone", tag="GONE")
    client.post(f"{item(gone['id'])}disband/", headers=d.headers)

    def ids(query=""):
        response = client.get(URL + query)
        assert response.status_code == 200
        return [t["id"] for t in response.get_json()]

    assert ids() == [alpha["id"], bravo["id"], charlie["id"]]
    assert ids("?game=valorant") == [alpha["id"], bravo["id"]]
    cs2_id = client.get("/api/games/cs2/").get_json()["id"]
    assert ids(f"?game={cs2_id}") == [charlie["id"]]
    assert ids("?search=ALPHA") == [alpha["id"], charlie["id"]]
    assert ids("?search=brv") == [bravo["id"]]
    assert ids("?search=%25") == []
    assert ids("?game=chess") == []
    response = client.get(URL + "?page_size=2")
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    assert "members" not in response.get_json()[0]


def test_a_team_is_public_with_an_etag(client, make_player, make_team, join):
    captain, player = make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, player, role="substitute")
    response = client.get(item(team["id"]))
    assert response.status_code == 200
    body = response.get_json()
    assert [(m["user_id"], m["role"]) for m in body["members"]] == [
        (captain.id, "captain"),
        (player.id, "substitute"),
    ]
    etag = response.headers["ETag"]
    assert etag.startswith('W/"')
    assert client.get(item(team["id"]), headers={"If-None-Match": etag}).status_code == 304
    assert_problem(client.get(item(999999)), 404, "team_not_found")


# ----- edit ----------------------------------------------------------------------------------
def test_captain_edits_the_team_and_the_slug_stays(client, app, make_player, make_team, received):
    captain = make_player()
    team = make_team(captain, name="Old Name", tag="OLD")
    etag = client.get(item(team["id"])).headers["ETag"]
    response = client.patch(
        item(team["id"]),
        json={"name": "New Name", "tag": "nw1", "region": "EU", "logo_url": None},
        headers={**captain.headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["name"], body["tag"], body["slug"], body["region"]) == (
        "New Name",
        "NW1",
        "old-name",
        "EU",
    )
    assert response.headers["ETag"] != etag
    assert audit_actions(app, team["id"])[-1] == ("team.updated", captain.id)
    assert received[-1] == (
        "team_updated",
        {"team_id": team["id"], "actor_id": captain.id, "fields": ["name", "region", "tag"]},
    )


def test_edit_permissions(client, make_player, make_team, join, staff):
    captain, member, stranger = make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    url = item(team["id"])
    assert_problem(client.patch(url, json={"region": "X"}), 401)
    assert_problem(
        client.patch(url, json={"region": "X"}, headers=stranger.headers), 403, "forbidden"
    )
    assert_problem(
        client.patch(url, json={"region": "X"}, headers=member.headers), 403, "forbidden"
    )
    response = client.patch(url, json={"region": "Staff"}, headers=staff.headers)
    assert response.status_code == 200
    assert response.get_json()["region"] == "Staff"
    assert_problem(client.patch(item(999999), json={"region": "X"}, headers=staff.headers), 404)


def test_edit_with_a_stale_if_match_is_412(client, make_player, make_team):
    captain = make_player()
    team = make_team(captain)
    stale = client.get(item(team["id"])).headers["ETag"]
    client.patch(item(team["id"]), json={"region": "A"}, headers=captain.headers)
    response = client.patch(
        item(team["id"]), json={"region": "B"}, headers={**captain.headers, "If-Match": stale}
    )
    assert_problem(response, 412, "precondition_failed")
    assert client.get(item(team["id"])).get_json()["region"] == "A"


def test_edit_keeps_names_and_tags_unique(client, make_player, make_team):
    a, b = make_player(), make_player()
    make_team(a, name="Taken Name", tag="TKN")
    team = make_team(b, name="Mine", tag="MINE")
    url = item(team["id"])
    assert_problem(
        client.patch(url, json={"name": "taken name"}, headers=b.headers), 409, "team_name_taken"
    )
    assert_problem(client.patch(url, json={"tag": "tkn"}, headers=b.headers), 409, "team_tag_taken")
    # Changing only the case of one's own name is fine.
    assert client.patch(url, json={"name": "MINE"}, headers=b.headers).get_json()["name"] == "MINE"
    assert_problem(client.patch(url, json={"tag": "x"}, headers=b.headers), 422, "validation_error")


def test_a_disbanded_team_cannot_be_edited(client, make_player, make_team):
    captain = make_player()
    team = make_team(captain)
    client.post(f"{item(team['id'])}disband/", headers=captain.headers)
    assert_problem(
        client.patch(item(team["id"]), json={"region": "X"}, headers=captain.headers),
        409,
        "team_disbanded",
    )


# ----- disband -------------------------------------------------------------------------------
def test_disband_ends_memberships_and_cancels_invites(
    client, app, make_player, make_team, join, invite, received
):
    captain, member, invitee = make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    pending = invite(team["id"], captain, invitee.id).get_json()
    received.clear()
    response = client.post(f"{item(team['id'])}disband/", headers=captain.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["is_active"], body["members"]) == (False, [])
    assert body["disbanded_at"] is not None
    assert received == [
        (
            "team_disbanded",
            {
                "team_id": team["id"],
                "disbanded_by": captain.id,
                "member_ids": [captain.id, member.id],
            },
        ),
    ]
    assert (
        client.get(f"/api/team-invites/{pending['id']}/", headers=invitee.headers).get_json()[
            "status"
        ]
        == "cancelled"
    )
    assert client.get("/api/me/team-invites/", headers=invitee.headers).get_json() == []
    assert audit_actions(app, team["id"])[-1] == ("team.disbanded", captain.id)
    # Everyone is free to found or join another team of the game.
    with app.app_context():
        from deltacrown.teams import queries

        assert queries.find_active_membership_in_game(member.id, team["game_id"]) is None


def test_disband_permissions(client, make_player, make_team, join, staff):
    captain, member, stranger = make_player(), make_player(), make_player()
    team = make_team(captain)
    join(team["id"], captain, member)
    url = f"{item(team['id'])}disband/"
    assert_problem(client.post(url), 401)
    assert_problem(client.post(url, headers=stranger.headers), 403, "forbidden")
    assert_problem(client.post(url, headers=member.headers), 403, "forbidden")
    assert client.post(url, headers=staff.headers).status_code == 200
    assert_problem(client.post(url, headers=staff.headers), 409, "team_disbanded")
    assert_problem(
        client.post(f"{item(999999)}disband/", headers=staff.headers), 404, "team_not_found"
    )


def test_a_registered_team_cannot_disband(client, make_player, make_team, roster_hooks, received):
    captain = make_player()
    team = make_team(captain)
    received.clear()
    roster_hooks.registered.add(team["id"])
    url = f"{item(team['id'])}disband/"
    assert_problem(client.post(url, headers=captain.headers), 409, "team_registered")
    assert client.get(item(team["id"])).get_json()["is_active"] is True
    assert received == []
    roster_hooks.registered.clear()
    assert client.post(url, headers=captain.headers).status_code == 200


def test_signals_follow_commits_only(client, make_player, make_team, received):
    captain = make_player()
    make_team(captain, name="Signal Team", tag="SIG")
    assert [name for name, _ in received] == ["team_created"]
    response = client.post(
        URL,
        json={"name": "signal team", "tag": "SG2", "game": "valorant"},
        headers=make_player().headers,
    )
    assert_problem(response, 409, "team_name_taken")
    assert [name for name, _ in received] == ["team_created"]


def test_every_change_is_audited_with_the_acting_user(
    client, app, make_player, make_team, invite, staff
):
    captain, member, leaver, declined = make_player(), make_player(), make_player(), make_player()
    team = make_team(captain)
    tid = team["id"]
    for user in (member, leaver):
        invite_id = invite(tid, captain, user.id).get_json()["id"]
        client.post(f"/api/team-invites/{invite_id}/accept/", headers=user.headers)
    declined_id = invite(tid, captain, declined.id).get_json()["id"]
    client.post(f"/api/team-invites/{declined_id}/decline/", headers=declined.headers)
    cancelled_id = invite(tid, staff, declined.id).get_json()["id"]
    client.delete(f"/api/team-invites/{cancelled_id}/", headers=captain.headers)
    client.patch(item(tid), json={"region": "EU"}, headers=captain.headers)
    client.delete(f"{item(tid)}members/{leaver.id}/", headers=leaver.headers)
    client.post(f"{item(tid)}transfer-captain/", json={"user": member.id}, headers=captain.headers)
    client.delete(f"{item(tid)}members/{captain.id}/", headers=member.headers)
    client.post(f"{item(tid)}disband/", headers=staff.headers)
    assert audit_actions(app, tid) == [
        ("team.created", captain.id),
        ("team.invite_sent", captain.id),
        ("team.member_joined", member.id),
        ("team.invite_sent", captain.id),
        ("team.member_joined", leaver.id),
        ("team.invite_sent", captain.id),
        ("team.invite_declined", declined.id),
        ("team.invite_sent", staff.id),
        ("team.invite_cancelled", captain.id),
        ("team.updated", captain.id),
        ("team.member_left", leaver.id),
        ("team.captain_transferred", captain.id),
        ("team.member_removed", member.id),
        ("team.disbanded", staff.id),
    ]


def test_a_logo_needs_its_alt_text_which_is_returned_beside_it(client, make_player):
    captain = make_player()
    body = {"name": "Alt Texters", "tag": "ALT", "game": "valorant"}
    logo = {"logo_url": "https://cdn.example.test/a.png"}
    refused = client.post(URL, json={**body, **logo}, headers=captain.headers)
    assert "logo_alt_text" in assert_problem(refused, 422, "validation_error")["errors"]
    created = client.post(
        URL, json={**body, **logo, "logo_alt_text": "A red A"}, headers=captain.headers
    )
    assert created.status_code == 201, created.get_json()
    team = created.get_json()
    assert (team["logo_url"], team["logo_alt_text"]) == (logo["logo_url"], "A red A")
    item = f"{URL}{team['id']}/"
    cleared = client.patch(item, json={"logo_alt_text": None}, headers=captain.headers)
    assert "logo_alt_text" in assert_problem(cleared, 422, "validation_error")["errors"]
    swapped = client.patch(
        item, json={"logo_url": "https://cdn.example.test/b.png"}, headers=captain.headers
    )
    assert swapped.status_code == 200 and swapped.get_json()["logo_alt_text"] == "A red A"
