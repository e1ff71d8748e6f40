"""Correcting an entered result through the API: previewed then applied, blocked once a
dependent match started, only for completed matches and organizers, changing a completed
tournament's placements but never reopening it; and the bracket's signals, sent after each
commit from generation to a correction."""

from __future__ import annotations

from typing import Any

import pytest

from tests.brackets_api.conftest import all_matches, play, started, tournament_status
from tests.helpers import assert_problem


# ----- corrections -------------------------------------------------------------------------------
def test_a_correction_is_previewed_then_applied(cup, api):
    c, matches = started(cup, api, 8)
    first = matches["W1.1"]
    play(api, first, slot=0)
    loser = first["participants"][1]["registration_id"]
    winner = first["participants"][0]["registration_id"]
    preview = api.correction(first["id"], loser, preview=True)
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["applied"] is False and body["allowed"] is True and body["blocking"] == []
    semi_id = matches["W2.1"]["id"]
    assert body["changes"]["moves"] == [
        {
            "registration_id": loser,
            "from_match_id": first["id"],
            "outcome": "winner",
            "to_match_id": semi_id,
            "slot": 1,
        }
    ]
    assert body["changes"]["eliminated"] == [winner]
    assert body["changes"]["reinstated"] == [loser]
    semi = all_matches(api.bracket(c.id).get_json())["W2.1"]
    assert semi["participants"][0]["registration_id"] == winner  # a preview changes nothing
    applied = api.correction(first["id"], loser, scores=[[5, 13]])
    assert applied.status_code == 200, applied.get_json()
    assert applied.get_json()["applied"] is True
    document = all_matches(api.bracket(c.id).get_json())
    assert document["W2.1"]["participants"][0]["registration_id"] == loser
    assert document["W1.1"]["winner_registration_id"] == loser
    assert document["W1.1"]["scores"] == [[5, 13]]


def test_a_correction_is_blocked_once_a_dependent_match_started(app, cup, api):
    c, matches = started(cup, api, 8)
    play(api, matches["W1.1"])
    play(api, matches["W1.2"])
    loser = matches["W1.1"]["participants"][1]["registration_id"]
    semi_id = matches["W2.1"]["id"]
    from deltacrown.extensions import db
    from deltacrown.matches.models import Match, MatchStatus

    with app.app_context():
        db.session.get(Match, semi_id).status = MatchStatus.LIVE
        db.session.commit()
        db.session.remove()
    preview = api.correction(matches["W1.1"]["id"], loser, preview=True).get_json()
    assert preview["allowed"] is False and preview["blocking"] == [semi_id]
    assert preview["changes"] is None
    body = assert_problem(api.correction(matches["W1.1"]["id"], loser), 409, "correction_blocked")
    assert body["blocking"] == [semi_id]
    with app.app_context():
        db.session.get(Match, semi_id).status = MatchStatus.READY
        db.session.commit()
        db.session.remove()
    semi = all_matches(api.bracket(c.id).get_json())["W2.1"]
    play(api, semi)
    body = assert_problem(api.correction(matches["W1.1"]["id"], loser), 409, "correction_blocked")
    assert body["blocking"] == [semi_id]


def test_only_completed_matches_are_corrected(cup, api):
    c, matches = started(cup, api, 4)
    match = matches["W1.1"]
    winner = match["participants"][0]["registration_id"]
    assert_problem(api.correction(match["id"], winner), 409, "match_not_completed")


@pytest.mark.parametrize("preview", [True, False])
def test_corrections_are_for_organizers(cup, api, stranger, preview):
    c, matches = started(cup, api, 4)
    play(api, matches["W1.1"])
    other = matches["W1.1"]["participants"][1]["registration_id"]
    path = "correction/preview/" if preview else "correction/"
    response = api.client.post(
        f"/api/matches/{matches['W1.1']['id']}/{path}",
        json={"winner_registration_id": other},
        headers=stranger.headers,
    )
    assert_problem(response, 403, "forbidden")


def test_correcting_the_final_of_a_completed_tournament_changes_the_placements(client, cup, api):
    c, matches = started(cup, api, 4)
    api.play(c.id)
    final = all_matches(api.bracket(c.id).get_json())["W2.1"]
    runner_up = next(p for p in final["participants"] if p["result"] == "loss")
    response = api.correction(final["id"], runner_up["registration_id"])
    assert response.status_code == 200, response.get_json()
    standings = api.standings(c.id).get_json()
    assert standings[0]["registration_id"] == runner_up["registration_id"]
    assert tournament_status(client, c.id, api.headers) == "completed"


def test_a_correction_may_not_reopen_a_completed_tournament(client, cup, api):
    c, _ = started(cup, api, 4, format="double_elimination")
    assert api.play(c.id) == 2 * 4 - 2  # the winners' champion takes the first final
    first_final = all_matches(api.bracket(c.id).get_json())["GF1.1"]
    challenger = first_final["participants"][1]["registration_id"]
    assert_problem(api.correction(first_final["id"], challenger), 409, "tournament_locked")
    assert tournament_status(client, c.id, api.headers) == "completed"


def test_signals_follow_the_bracket_after_each_commit(cup, api):
    from deltacrown.core import signals

    received: list[tuple[str, dict[str, Any]]] = []
    names = (
        "bracket_generated",
        "tournament_started",
        "match_completed",
        "match_result_corrected",
        "tournament_completed",
    )
    connected = []
    for name in names:

        def receiver(sender: Any, _name: str = name, **payload: Any) -> None:
            received.append((_name, payload))

        getattr(signals, name).connect(receiver)
        connected.append((getattr(signals, name), receiver))
    try:
        c = cup(2)
        stage_id = api.generated(c.id)["stages"][0]["id"]
        final = all_matches(api.bracket(c.id).get_json())["W1.1"]
        api.start(c.id)
        assert_problem(api.result(final["id"], 999999, []), 422, "invalid_winner")  # no signal
        play(api, final, slot=1)
        api.correction(final["id"], c.registrations[0], scores=[[13, 5]])
    finally:
        for signal, receiver in connected:
            signal.disconnect(receiver)
    organizer_id = received[0][1]["actor_id"]
    assert received == [
        ("bracket_generated", {"tournament_id": c.id, "stage_ids": [stage_id], "actor_id": organizer_id}),
        ("tournament_started", {"tournament_id": c.id, "actor_id": organizer_id}),
        (
            "match_completed",
            {
                "match_id": final["id"],
                "tournament_id": c.id,
                "stage_id": stage_id,
                "winner_registration_id": c.registrations[1],
                "loser_registration_id": c.registrations[0],
            },
        ),
        ("tournament_completed", {"tournament_id": c.id}),
        ("match_result_corrected", {"match_id": final["id"], "tournament_id": c.id, "actor_id": organizer_id}),
    ]  # fmt: skip
