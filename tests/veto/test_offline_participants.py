"""Participants without accounts: added by organizers, imported from CSV (preview, errors,
idempotency), played through a bracket to completion, and claimed with an account."""

from __future__ import annotations

import io
from typing import Any

from tests.factories import make_tournament
from tests.helpers import assert_problem


def add(client: Any, tid: int, headers: Any, **body: Any) -> Any:
    return client.post(f"/api/tournaments/{tid}/participants/", json=body, headers=headers)


def upload(client: Any, tid: int, headers: Any, text: str, commit: bool = False) -> Any:
    return client.post(
        f"/api/tournaments/{tid}/participants/import/",
        query_string={"commit": "true" if commit else "false"},
        data={"file": (io.BytesIO(text.encode()), "players.csv")},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_guests_play_a_bracket_to_completion_with_organizers_reporting(
    app, client, organizer, stranger, api
):
    tid = make_tournament(app, organizer.id, status="registration_closed",
                          participant_type="solo", max_participants=4)  # fmt: skip
    assert_problem(add(client, tid, stranger.headers, name="Nobody"), 403)
    ids = []
    for n in range(4):
        response = add(client, tid, organizer.headers, name=f"Guest {n}", seed=n + 1)
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    assert_problem(add(client, tid, organizer.headers, name="Fifth"), 409, "tournament_full")
    listed = client.get(f"/api/tournaments/{tid}/participants/", headers=organizer.headers)
    assert [p["name"] for p in listed.get_json()] == [f"Guest {n}" for n in range(4)]

    document = api.generated(tid, seeding="manual", seeds=ids)
    names = {p["name"] for s in document["stages"] for r in s["rounds"] for m in r["matches"]
             for p in m["participants"] if p}  # fmt: skip
    assert {"Guest 0", "Guest 3"} <= names
    assert api.start(tid).status_code == 200
    assert api.play(tid) == 3
    tournament = client.get(f"/api/tournaments/{tid}/", headers=organizer.headers).get_json()
    assert tournament["status"] == "completed"
    assert tournament["results"]["champion"][0]["name"] == "Guest 0"  # the better seed won


def test_a_csv_import_previews_errors_and_commits_new_rows_once(app, client, organizer):
    tid = make_tournament(app, organizer.id, status="registration_open",
                          participant_type="team", max_participants=8)  # fmt: skip
    text = ("name,team,seed,email\n"
            "Rafi,Dhaka Dragons,1,rafi@example.test\n"
            "Mina,,2,mina@example\n"  # no team in a team event, a bad e-mail
            "Tanvir,Chittagong Kings,x,\n")  # fmt: skip
    preview = upload(client, tid, organizer.headers, text).get_json()
    assert preview["committed"] is False and preview["counts"] == {
        "new": 1,
        "exists": 0,
        "error": 2,
    }
    bad = preview["rows"][1]
    assert bad["line"] == 3 and set(bad["errors"]) == {"team", "email"}
    assert preview["rows"][2]["errors"] == {"seed": ["A whole number from 1 to 1024."]}
    assert_problem(upload(client, tid, organizer.headers, text, commit=True), 422,
                   "invalid_import")  # fmt: skip

    fixed = "name,team,seed,email,key\nRafi,Dhaka Dragons,1,,r1\nMina,Sylhet Stars,2,,m2\n"
    first = upload(client, tid, organizer.headers, fixed, commit=True).get_json()
    assert first["committed"] is True and first["counts"]["new"] == 2
    again = upload(client, tid, organizer.headers, fixed, commit=True).get_json()
    assert again["counts"] == {"new": 0, "exists": 2, "error": 0}
    assert [r["registration_id"] for r in again["rows"]] == [
        r["registration_id"] for r in first["rows"]
    ]
    listed = client.get(f"/api/tournaments/{tid}/participants/", headers=organizer.headers)
    assert [p["team"] for p in listed.get_json()] == ["Dhaka Dragons", "Sylhet Stars"]
    too_many = "name\n" + "".join(f"p{i}\n" for i in range(1025))
    assert_problem(upload(client, tid, organizer.headers, too_many), 422, "invalid_import")
    assert_problem(upload(client, tid, organizer.headers, "nick,clan\nA,B\n"), 422,
                   "invalid_import")  # fmt: skip


def test_an_invite_lets_a_signed_in_user_claim_the_place_once(app, client, organizer, make_user):
    tid = make_tournament(app, organizer.id, status="registration_open",
                          participant_type="solo", max_participants=4)  # fmt: skip
    guest = add(client, tid, organizer.headers, name="Walk-in").get_json()
    invite = client.post(f"/api/tournaments/{tid}/participants/{guest['id']}/invite/",
                         headers=organizer.headers)  # fmt: skip
    assert invite.status_code == 201
    token = invite.get_json()["token"]
    assert invite.get_json()["claim_url"].endswith(token)
    player, other = make_user(username="walkin"), make_user(username="late")
    assert_problem(client.post("/api/participants/claim/", json={"token": token + "x"},
                               headers=player.headers), 404, "invalid_claim_token")  # fmt: skip
    claimed = client.post("/api/participants/claim/", json={"token": token}, headers=player.headers)
    assert claimed.status_code == 200, claimed.get_json()
    assert claimed.get_json()["claimed"] is True and claimed.get_json()["user_id"] == player.id
    assert_problem(client.post("/api/participants/claim/", json={"token": token},
                               headers=other.headers), 409, "already_claimed")  # fmt: skip
    mine = client.get(f"/api/registrations/{guest['id']}/", headers=player.headers)
    assert mine.status_code == 200, mine.get_json()  # the place is theirs now


def test_in_a_team_event_the_captain_claims_the_place_for_their_team(
    app, client, organizer, make_player, make_team
):
    tid = make_tournament(app, organizer.id, status="registration_open",
                          participant_type="team", max_participants=4)  # fmt: skip
    guest = add(client, tid, organizer.headers, name="Coach", team="Walk-in Five").get_json()
    token = client.post(f"/api/tournaments/{tid}/participants/{guest['id']}/invite/",
                        headers=organizer.headers).get_json()["token"]  # fmt: skip
    captain, member = make_player(), make_player()
    team = make_team(captain)
    claim = {"token": token, "team_id": team["id"]}
    assert_problem(client.post("/api/participants/claim/", json={"token": token},
                               headers=captain.headers), 422)  # fmt: skip
    assert_problem(client.post("/api/participants/claim/", json=claim, headers=member.headers),
                   403, "not_team_captain")  # fmt: skip
    claimed = client.post("/api/participants/claim/", json=claim, headers=captain.headers)
    assert claimed.status_code == 200, claimed.get_json()
    assert claimed.get_json()["team_id"] == team["id"]
