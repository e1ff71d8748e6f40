"""A completed tournament's detail carries its podium (`results`), read from the recorded
placements, so clients need not read the standings."""

from __future__ import annotations

from tests.brackets_api.test_play_api import started


def detail(client, tournament_id):
    return client.get(f"/api/tournaments/{tournament_id}/").get_json()


def test_a_completed_tournament_names_its_champion_runner_up_and_thirds(client, cup, api):
    c, _ = started(cup, api, 4)
    assert detail(client, c.id)["results"] is None
    api.play(c.id)
    body = detail(client, c.id)
    assert body["status"] == "completed"
    name = {rid: player.username for rid, player in zip(c.registrations, c.players, strict=True)}
    first, second, third, fourth = c.registrations
    assert body["results"] == {
        "champion": [{"registration_id": first, "name": name[first]}],
        "runner_up": [{"registration_id": second, "name": name[second]}],
        # No third-place match: both semi-final losers share third place.
        "third": [{"registration_id": rid, "name": name[rid]} for rid in sorted((third, fourth))],
    }


def test_lists_do_not_carry_results(client, cup, api):
    c, _ = started(cup, api, 4)
    api.play(c.id)
    listed = client.get("/api/tournaments/", query_string={"status": "completed"}).get_json()
    assert [t["id"] for t in listed] == [c.id]
    assert "results" not in listed[0]
