"""The league and lobby formats through the API: round robin in groups, Swiss paired round by
round by the service, a group stage handing over to its playoffs, and battle-royale lobbies;
each to its standings and the tournament's completion."""

from __future__ import annotations

from typing import Any

from tests.brackets_api.conftest import all_matches, better_seed
from tests.helpers import assert_problem


def status_of(client: Any, tournament_id: int, headers: Any) -> str:
    return client.get(f"/api/tournaments/{tournament_id}/", headers=headers).get_json()["status"]


def test_round_robin_groups_play_through_with_group_tables(client, cup, api):
    c = cup(8, format="round_robin")
    document = api.generated(c.id, options={"group_size": 4, "best_of": 2})
    (stage,) = document["stages"]
    assert stage["type"] == "round_robin" and stage["best_of"] == 2
    assert [g["name"] for g in stage["groups"]] == ["Group A", "Group B"]
    members = [{p["registration_id"] for p in g["participants"]} for g in stage["groups"]]
    assert members[0] | members[1] == set(c.registrations) and not members[0] & members[1]
    assert all(len(g["match_ids"]) == 6 for g in stage["groups"])
    assert {r["side"] for r in stage["rounds"]} == {"group"}
    assert api.start(c.id).status_code == 200
    first = all_matches(document)["G1.1.1"]
    draw = api.result(first["id"], None, [[1, 0], [0, 1]])
    assert draw.status_code == 200, draw.get_json()
    assert [p["result"] for p in draw.get_json()["participants"]] == ["draw", "draw"]
    table = api.standings(c.id, stage=stage["id"]).get_json()
    assert {r["group"] for r in table} == {"Group A", "Group B"}
    drawn = [
        r for r in table if r["registration_id"] in draw.get_json()["participants"][0].values()
    ]
    assert drawn[0]["draws"] == 1 and drawn[0]["points"] == 1
    assert api.standings(c.id).get_json() == []  # not over yet
    assert api.play(c.id) == 11
    assert status_of(client, c.id, api.headers) == "completed"
    final = api.standings(c.id).get_json()
    assert len(final) == 8 and final[0]["placement"] == 1


def test_swiss_rounds_are_paired_by_the_service(client, cup, api):
    c = cup(8, format="swiss")
    (stage,) = api.generated(c.id)["stages"]
    assert [r["name"] for r in stage["rounds"]] == ["Round 1"]
    assert api.start(c.id).status_code == 200
    played = api.play(c.id)
    assert played == 3 * 4  # ceil(log2 8) rounds of 4 matches, each paired after the last
    document = api.bracket(c.id).get_json()
    assert [r["name"] for r in document["stages"][0]["rounds"]] == ["Round 1", "Round 2", "Round 3"]
    assert status_of(client, c.id, api.headers) == "completed"
    table = api.standings(c.id, stage=stage["id"]).get_json()
    assert table[0]["wins"] == 3 and table[0]["registration_id"] == c.registrations[0]
    assert api.standings(c.id).get_json()[0]["registration_id"] == c.registrations[0]


def test_a_group_stage_hands_over_to_seeded_playoffs(client, cup, api):
    c = cup(8, format="group_stage_playoffs")
    (groups,) = api.generated(
        c.id, options={"group_size": 4, "advance_per_group": 2, "third_place_match": True}
    )["stages"]
    assert groups["type"] == "round_robin" and len(groups["groups"]) == 2
    assert api.start(c.id).status_code == 200
    assert api.play(c.id) == 12 + 4  # the groups, then the playoffs as they appear
    document = api.bracket(c.id).get_json()
    assert [s["type"] for s in document["stages"]] == ["round_robin", "single_elimination"]
    playoffs = document["stages"][1]
    assert playoffs["seeding"] == "standings"
    assert [r["name"] for r in playoffs["rounds"]] == ["Semi-finals", "Final", "Third place"]
    assert status_of(client, c.id, api.headers) == "completed"
    final = api.standings(c.id).get_json()
    assert [s["placement"] for s in final] == [1, 2, 3, 4]
    assert final[0]["registration_id"] == c.registrations[0]


def test_correcting_the_groups_regenerates_unstarted_playoffs(app, cup, api):
    # Playoffs that started by themselves would block the correction: they wait here.
    c = cup(8, format="group_stage_playoffs", auto_start_matches=False)
    api.generated(c.id, options={"group_size": 4, "advance_per_group": 2})
    api.start(c.id)
    group_matches = api.playable(c.id)
    assert len(group_matches) == 12  # every group match is under way at once
    for match in group_matches:
        assert api.result(match["id"], better_seed(match), []).status_code == 200
    document = api.bracket(c.id).get_json()
    assert len(document["stages"]) == 2
    old_semis = [
        [p["registration_id"] for p in m["participants"]]
        for m in document["stages"][1]["rounds"][0]["matches"]
    ]
    # Group A's top seed loses every match after all: the group's order changes.
    top = c.registrations[0]
    for match in (m for m in all_matches(document).values() if m["code"].startswith("G1.")):
        ids = [p["registration_id"] for p in match["participants"]]
        if top in ids:
            other = ids[1 - ids.index(top)]
            response = api.correction(match["id"], other)
            assert response.status_code == 200, response.get_json()
    document = api.bracket(c.id).get_json()
    new_semis = [
        [p["registration_id"] for p in m["participants"]]
        for m in document["stages"][1]["rounds"][0]["matches"]
    ]
    assert new_semis != old_semis and top not in {r for pair in new_semis for r in pair}
    semi = document["stages"][1]["rounds"][0]["matches"][0]
    assert api.result(semi["id"], better_seed(semi), []).status_code == 200
    some_group_match = next(iter(group_matches))
    winner = some_group_match["participants"][0]["registration_id"]
    loser = some_group_match["participants"][1]["registration_id"]
    now_winner = next(
        m for m in all_matches(document).values() if m["id"] == some_group_match["id"]
    )["winner_registration_id"]
    flip = loser if now_winner == winner else winner
    body = assert_problem(api.correction(some_group_match["id"], flip), 409, "correction_blocked")
    assert body["blocking"] == [semi["id"]]


def test_battle_royale_lobbies_record_games_to_the_standings(client, cup, api):
    c = cup(6, format="battle_royale", game="pubg-mobile")
    (stage,) = api.generated(c.id, options={"lobby_size": 3, "games": 2})["stages"]
    assert stage["type"] == "battle_royale" and stage["rounds"] == []
    lobbies = stage["lobbies"]
    assert [(lobby["name"], lobby["games_total"]) for lobby in lobbies] == [
        ("Lobby 1", 2),
        ("Lobby 2", 2),
    ]

    def game(number, order, tid=c.id, **extra):
        body = {
            "results": [
                {"registration_id": rid, "placement": i + 1, "kills": 3 - i}
                for i, rid in enumerate(order)
            ],
            **extra,
        }
        return api.client.post(
            f"/api/tournaments/{tid}/lobbies/{number}/games/", json=body, headers=api.headers
        )

    first = [p["registration_id"] for p in lobbies[0]["participants"]]
    assert_problem(game(1, first), 409, "tournament_not_ongoing")
    assert api.start(c.id).status_code == 200
    body = assert_problem(game(1, first[:2]), 422, "invalid_lobby_result")
    assert "results" in body["errors"]
    assert_problem(game(9, first), 404, "lobby_not_found")
    player = api.client.post(
        f"/api/tournaments/{c.id}/lobbies/1/games/",
        json={"results": [{"registration_id": r, "placement": i + 1, "kills": 0}
                          for i, r in enumerate(first)]},
        headers=c.players[0].headers,
    )  # fmt: skip
    assert_problem(player, 403, "forbidden")
    response = game(1, first)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["stages"][0]["lobbies"][0]["games_played"] == 1
    assert game(1, first).status_code == 200
    assert_problem(game(1, first), 409, "match_already_completed")
    assert game(1, list(reversed(first)), game=2).status_code == 200  # replace game 2
    second = [p["registration_id"] for p in lobbies[1]["participants"]]
    table = api.standings(c.id, stage=stage["id"]).get_json()
    assert {r["group"] for r in table} == {"Lobby 1", "Lobby 2"}
    assert table[0]["played"] == 2 and "kills" in table[0]
    assert game(2, second).status_code == 200
    assert status_of(client, c.id, api.headers) == "ongoing"
    assert game(2, second).status_code == 200
    assert status_of(client, c.id, api.headers) == "completed"
    final = api.standings(c.id).get_json()
    assert [s["placement"] for s in final] == [1, 1, 3, 3, 5, 5]
