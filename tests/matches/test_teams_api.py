"""A team acts through its captain or a player on its registration's roster; other users,
including members of the team left off the roster, do not."""

from __future__ import annotations

from tests.brackets_api.conftest import all_matches, close_registration
from tests.factories import make_tournament
from tests.helpers import assert_problem
from tests.registrations.conftest import team_of  # noqa: F401  (fixture)
from tests.teams.conftest import headers_now, invite, join, make_team  # noqa: F401  (fixtures)


def test_captains_and_roster_players_act_for_their_team(
    app,
    client,
    organizer,
    api,
    m,
    team_of,  # noqa: F811
):
    tid = make_tournament(
        app,
        organizer.id,
        status="registration_open",
        participant_type="team",
        team_size=2,
        max_participants=4,
    )
    teams = []
    for _ in range(2):
        team, captain, (mate, benched) = team_of(3)
        response = client.post(
            f"/api/tournaments/{tid}/registrations/",
            json={"team": team["id"], "roster": [captain.id, mate.id]},
            headers=captain.headers,
        )
        assert response.status_code == 201, response.get_json()
        teams.append((response.get_json()["id"], captain, mate, benched))
    close_registration(app, tid, organizer)
    final = all_matches(api.generated(tid, options={"best_of": 1}))["W1.1"]
    assert api.start(tid).status_code == 200
    match_id = final["id"]
    assert m.get(match_id).get_json()["status"] == "live"  # started by itself
    first, second = final["participants"]
    by_registration = {t[0]: t for t in teams}
    _, captain1, _mate1, benched1 = by_registration[first["registration_id"]]
    _, _captain2, mate2, _ = by_registration[second["registration_id"]]
    assert_problem(m.submit(match_id, [(13, 2)], benched1.headers), 403, "forbidden")
    body = m.submit(match_id, [(13, 2)], captain1.headers).get_json()
    assert body["submissions"][0]["registration_id"] == first["registration_id"]
    body = m.confirm(match_id, mate2.headers).get_json()
    assert body["status"] == "completed"
    assert body["winner_registration_id"] == first["registration_id"]
