"""Starting a tournament, entering results, the matches list and the standings, whole
play-throughs to the tournament's completion, and a match reading only its own sides' names,
through the API. Corrections of entered results are in test_corrections_api.py."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.extensions import db
from tests.brackets_api.conftest import (
    add_co_organizer,
    all_matches,
    play,
    started,
    tournament_status,
)
from tests.helpers import assert_problem

STATE_EVENTS = {"tournament.started", "tournament.state_changed", "match.state_changed"}


def next_event(feed: Any) -> dict[str, Any]:
    """The next bracket event, past the start's (with Redis it may arrive after a later
    subscription) and the generic state changes (tested in tests/live)."""
    while True:
        event = feed.get(timeout=2)
        assert event is not None, "no event"
        if event["type"] not in STATE_EVENTS:
            return event


# ----- start -------------------------------------------------------------------------------------
def test_start_needs_a_bracket(cup, api):
    c = cup(4)
    assert_problem(api.start(c.id), 409, "bracket_missing")


def test_start_only_from_registration_closed(cup, api):
    c = cup(4, status="registration_open")
    body = assert_problem(api.start(c.id), 409, "invalid_transition")
    assert body["from_status"] == "registration_open" and body["to_status"] == "ongoing"
    d = cup(4)
    api.generated(d.id)
    assert api.start(d.id).status_code == 200
    assert_problem(api.start(d.id), 409, "invalid_transition")


def test_only_organizers_and_staff_start(app, cup, api, stranger, staff, co_organizer, organizer):
    c = cup(4)
    api.generated(c.id)
    assert_problem(api.start(c.id, headers={}), 401, "authentication_required")
    assert_problem(api.start(c.id, headers=stranger.headers), 403, "forbidden")
    assert_problem(api.start(c.id, headers=c.players[0].headers), 403, "forbidden")
    response = api.start(c.id, headers=staff.headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "ongoing"
    d = cup(4)
    api.generated(d.id)
    add_co_organizer(app, d.id, organizer, co_organizer)
    assert api.start(d.id, headers=co_organizer.headers).status_code == 200


def test_start_refuses_a_bracket_of_other_participants(app, cup, api):
    c = cup(4)
    api.generated(c.id)
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db
    from deltacrown.registrations import services

    with app.app_context():
        leaving = c.players[1]
        services.cancel_registration(c.registrations[1], actor=db.session.get(User, leaving.id))
        db.session.commit()
        db.session.remove()
    body = assert_problem(api.start(c.id), 409, "bracket_outdated")
    assert body["withdrawn"] == [c.registrations[1]] and body["added"] == []
    api.generated(c.id)
    assert api.start(c.id).status_code == 200


def test_starting_announces_it(app, cup, api):
    from deltacrown.core import realtime

    c = cup(4, auto_start_matches=False)  # the tournament's own events, without its matches
    api.generated(c.id)
    with app.app_context():
        sub = realtime.subscribe(f"tournament:{c.id}")
    try:
        assert api.start(c.id).status_code == 200
        changed, event = sub.get(timeout=1), sub.get(timeout=1)
        assert changed["type"] == "tournament.state_changed"
        assert changed["data"]["from"] == "registration_closed"
        assert changed["data"]["to"] == "ongoing"
        assert event["type"] == "tournament.started"
        assert event["data"] == {"tournament_id": c.id}
    finally:
        sub.close()


# ----- results -----------------------------------------------------------------------------------
def test_results_wait_for_the_start(cup, api):
    c = cup(4)
    match = all_matches(api.generated(c.id))["W1.1"]
    winner = match["participants"][0]["registration_id"]
    body = assert_problem(api.result(match["id"], winner, [[1, 0]]), 409, "tournament_not_ongoing")
    assert body["tournament_status"] == "registration_closed"


def test_who_may_enter_a_result(app, cup, api, stranger, staff, co_organizer, organizer):
    c, matches = started(cup, api, 8)
    match = matches["W1.1"]
    winner = match["participants"][0]["registration_id"]
    assert_problem(api.result(match["id"], winner, headers={}), 401, "authentication_required")
    assert_problem(api.result(match["id"], winner, headers=stranger.headers), 403, "forbidden")
    player = c.player_of(winner)
    assert_problem(api.result(match["id"], winner, headers=player.headers), 403, "forbidden")
    assert api.result(match["id"], winner, headers=staff.headers).status_code == 200
    add_co_organizer(app, c.id, organizer, co_organizer)
    other = matches["W1.2"]
    winner = other["participants"][1]["registration_id"]
    assert api.result(other["id"], winner, headers=co_organizer.headers).status_code == 200


def test_a_private_tournaments_matches_are_not_found_by_strangers(app, cup, api, stranger):
    c = cup(4, visibility="private")
    match = all_matches(api.generated(c.id))["W1.1"]
    api.start(c.id)
    winner = match["participants"][0]["registration_id"]
    assert_problem(
        api.result(match["id"], winner, headers=stranger.headers), 404, "match_not_found"
    )
    assert_problem(api.result(999999, winner), 404, "match_not_found")


def test_a_result_moves_the_winner_on_and_announces_it(app, cup, api):
    from deltacrown.core import realtime

    c, matches = started(cup, api, 8, auto_start_matches=False)  # announces `match.ready`
    first, second = matches["W1.1"], matches["W1.2"]
    with app.app_context():
        tournament_feed = realtime.subscribe(f"tournament:{c.id}")
        match_feed = realtime.subscribe(f"match:{matches['W2.1']['id']}")
    try:
        body = play(api, first, slot=1)
        winner = first["participants"][1]["registration_id"]
        assert body["status"] == "completed" and body["winner_registration_id"] == winner
        assert body["completed_at"] is not None
        assert [p["result"] for p in body["participants"]] == ["loss", "win"]
        assert [p["score"] for p in body["participants"]] == [5, 13]
        semi = all_matches(api.bracket(c.id).get_json())["W2.1"]
        assert semi["status"] == "scheduled"
        assert [p["registration_id"] for p in semi["participants"]] == [winner, None]
        assert next_event(tournament_feed)["type"] == "match.completed"
        play(api, second)
        semi = all_matches(api.bracket(c.id).get_json())["W2.1"]
        assert semi["status"] == "ready"
        assert (
            semi["participants"][1]["registration_id"]
            == second["participants"][0]["registration_id"]
        )
        types = [next_event(tournament_feed)["type"] for _ in range(2)]
        assert types == ["match.completed", "match.ready"]
        ready = next_event(match_feed)
        assert ready["type"] == "match.ready" and ready["data"]["match_id"] == semi["id"]
    finally:
        tournament_feed.close()
        match_feed.close()


def test_results_of_unready_finished_or_foreign_matches_are_refused(cup, api):
    c, matches = started(cup, api, 8)
    semi = matches["W2.1"]
    assert_problem(api.result(semi["id"], c.registrations[0]), 409, "match_not_ready")
    first = matches["W1.1"]
    outsider = matches["W1.2"]["participants"][0]["registration_id"]
    body = assert_problem(api.result(first["id"], outsider), 422, "invalid_winner")
    assert "winner_registration_id" in body["errors"]
    play(api, first)
    winner = first["participants"][0]["registration_id"]
    assert_problem(api.result(first["id"], winner), 409, "match_already_completed")


def test_scores_must_fit_the_winner_and_the_best_of(cup, api):
    c, matches = started(cup, api, 4, options={"best_of": 3})
    match = matches["W1.1"]
    winner = match["participants"][0]["registration_id"]
    for scores in ([[5, 13]], [[13, 5], [5, 13]], [[13, 5], [13, 5], [13, 5], [13, 5]]):
        body = assert_problem(api.result(match["id"], winner, scores), 422, "invalid_scores")
        assert "scores" in body["errors"]
    body = assert_problem(api.result(match["id"], winner, [[13, -1]]), 422, "validation_error")
    assert "scores" in body["errors"]
    assert_problem(api.result(match["id"], winner, [[13]]), 422, "validation_error")
    assert_problem(api.result(match["id"], winner, [[13, 5]], forfeit=True), 422, "invalid_scores")
    ok = api.result(match["id"], winner, [[13, 5], [9, 13], [13, 11]])
    assert ok.status_code == 200
    assert [p["score"] for p in ok.get_json()["participants"]] == [2, 1]


def test_a_forfeit_is_a_result_without_scores(cup, api):
    c, matches = started(cup, api, 4)
    match = matches["W1.2"]
    winner = match["participants"][1]["registration_id"]
    body = api.result(match["id"], winner, [], forfeit=True).get_json()
    assert body["status"] == "forfeit" and body["scores"] == []
    assert [p["result"] for p in body["participants"]] == ["loss", "win"]
    final = all_matches(api.bracket(c.id).get_json())["W2.1"]
    assert final["participants"][1]["registration_id"] == winner


# ----- matches list ------------------------------------------------------------------------------
def test_matches_filter_by_round_side_status_and_registration(cup, api):
    c, matches = started(cup, api, 8, format="double_elimination")
    listed = api.matches(c.id, headers={})
    assert listed.status_code == 200
    assert len(listed.get_json()) == 15  # 7 + 6 losers + grand final and reset
    assert listed.headers["X-Pagination"]
    first_round = api.matches(c.id, round=1, side="winners").get_json()
    assert [m["code"] for m in first_round] == ["W1.1", "W1.2", "W1.3", "W1.4"]
    assert first_round[0]["round"] == {
        "number": 1,
        "name": "Winners quarter-finals",
        "side": "winners",
    }
    assert {m["code"] for m in api.matches(c.id, round=1).get_json()} >= {"W1.1", "L1.1"}
    assert {m["status"] for m in api.matches(c.id, status="live").get_json()} == {"live"}
    assert api.matches(c.id, status="ready").get_json() == []  # started by themselves
    seed_one = c.registrations[0]
    mine = api.matches(c.id, registration=seed_one).get_json()
    assert [m["code"] for m in mine] == ["W1.1"]
    play(api, matches["W1.1"])
    mine = api.matches(c.id, registration=seed_one).get_json()
    assert [m["code"] for m in mine] == ["W1.1", "W2.1"]
    page = api.client.get(
        f"/api/tournaments/{c.id}/matches/", query_string={"page_size": 5, "page": 4}
    )
    assert page.status_code == 200 and page.get_json() == []
    assert_problem(
        api.client.get(f"/api/tournaments/{c.id}/matches/", query_string={"page_size": 101}),
        422,
    )
    assert_problem(api.matches(c.id, status="sleeping"), 422, "validation_error")


# ----- standings ---------------------------------------------------------------------------------
def test_standings_are_empty_until_known_and_stages_are_checked(cup, api):
    c, _ = started(cup, api, 4)
    response = api.standings(c.id, headers={})
    assert response.status_code == 200 and response.get_json() == []
    assert_problem(api.standings(c.id, stage=999999), 404, "stage_not_found")


# ----- play-throughs -----------------------------------------------------------------------------
def test_eight_player_single_elimination_with_third_place_plays_through(client, cup, api):
    c, matches = started(cup, api, 8, options={"third_place_match": True})
    assert api.play(c.id) == 8  # 4 + 2 + final + third place
    seeds = {rid: n for n, rid in enumerate(c.registrations, start=1)}
    standings = api.standings(c.id, headers={}).get_json()
    assert [(s["placement"], seeds[s["registration_id"]]) for s in standings] == [
        (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (5, 6), (5, 7), (5, 8),
    ]  # fmt: skip
    assert standings[0]["name"] == c.players[0].username
    document = all_matches(api.bracket(c.id).get_json())
    third = document["TP1.1"]
    assert third["status"] == "completed"
    assert {p["registration_id"] for p in third["participants"]} == {
        c.registrations[2],
        c.registrations[3],
    }
    assert document["W3.1"]["winner_registration_id"] == c.registrations[0]
    assert tournament_status(client, c.id, api.headers) == "completed"
    stage_id = api.bracket(c.id).get_json()["stages"][0]["id"]
    table = api.standings(c.id, stage=stage_id).get_json()
    assert [(r["placement"], r["registration_id"]) for r in table] == [
        (s["placement"], s["registration_id"]) for s in standings
    ]
    assert table[0]["wins"] == 3 and table[0]["losses"] == 0 and table[0]["group"] is None
    paged = api.standings(c.id, page_size=3, page=2).get_json()
    assert [s["placement"] for s in paged] == [4, 5, 5]
    # The matches domain keeps TournamentResult rows even when the organizer override
    # completed the tournament.
    from deltacrown.brackets.models import TournamentResult

    with client.application.app_context():
        rows = db.session.execute(
            sa.select(TournamentResult.placement, TournamentResult.registration_id)
            .where(TournamentResult.tournament_id == c.id)
            .order_by(TournamentResult.placement, TournamentResult.registration_id)
        ).all()
    assert sorted((p, r) for p, r in rows) == sorted(
        (s["placement"], s["registration_id"]) for s in standings
    )


def test_six_player_double_elimination_plays_through_with_a_bracket_reset(client, app, cup, api):
    from deltacrown.core import realtime

    c, matches = started(cup, api, 6, format="double_elimination")
    seeds = {rid: n for n, rid in enumerate(c.registrations, start=1)}

    def pick(match):  # better seed wins, except the losers' finalist takes the first final
        first, second = match["participants"]
        if match["code"] == "GF1.1":
            return second["registration_id"]
        return min((first, second), key=lambda p: p["seed"])["registration_id"]

    with app.app_context():
        feed = realtime.subscribe(f"tournament:{c.id}")
    try:
        played = api.play(c.id, pick)
        events = []
        while (event := feed.get(timeout=0.5)) is not None:
            events.append(event["type"])
    finally:
        feed.close()
    assert played == 2 * 6 - 1  # everyone but the champion loses twice; the champion once
    document = all_matches(api.bracket(c.id).get_json())
    assert document["GF2.1"]["status"] == "completed"
    standings = api.standings(c.id).get_json()
    ranks = [(s["placement"], seeds[s["registration_id"]]) for s in standings]
    assert ranks[:3] == [(1, 1), (2, 2), (3, 3)]
    assert sorted(seeds[s["registration_id"]] for s in standings) == [1, 2, 3, 4, 5, 6]
    assert [p for p, _ in ranks] == sorted(p for p, _ in ranks)
    assert tournament_status(client, c.id, api.headers) == "completed"
    assert events.count("match.completed") == played
    assert events[-1] == "tournament.completed"
    # Nobody was eliminated before losing twice: count each participant's losses.
    losses = {rid: 0 for rid in c.registrations}
    for match in document.values():
        if match["status"] == "completed":
            loser = next(p for p in match["participants"] if p["result"] == "loss")
            losses[loser["registration_id"]] += 1
    assert sorted(losses.values()) == [1, 2, 2, 2, 2, 2]  # the champion lost the first final


def test_double_elimination_without_a_needed_reset_skips_it(client, cup, api):
    c, _ = started(cup, api, 6, format="double_elimination")
    assert api.play(c.id) == 2 * 6 - 2
    document = all_matches(api.bracket(c.id).get_json())
    assert document["GF2.1"]["status"] == "skipped"  # not "cancelled": nothing waits on it
    assert tournament_status(client, c.id, api.headers) == "completed"
    assert api.standings(c.id).get_json()[0]["registration_id"] == c.registrations[0]


def test_no_result_is_taken_once_the_tournament_is_over(cup, api):
    c, matches = started(cup, api, 2)
    final = matches["W1.1"]
    play(api, final)
    body = assert_problem(
        api.result(final["id"], c.registrations[0]), 409, "tournament_not_ongoing"
    )
    assert body["tournament_status"] == "completed"


def test_a_match_reads_the_names_of_its_own_sides_not_of_the_whole_bracket(
    cup: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deltacrown.brackets import queries

    c, by_code = started(cup, api, 16)
    first = api.matches(c.id).get_json()[0]
    asked: list[set[int]] = []
    original = queries.registration_names

    def recording(ids: Any) -> dict[int, str]:
        asked.append(set(ids))
        return original(ids)

    monkeypatch.setattr(queries, "registration_names", recording)
    shown = api.client.get(f"/api/matches/{first['id']}/", headers=api.headers).get_json()
    sides = {p["registration_id"] for p in shown["participants"]}
    assert asked == [sides]  # 2 of the 16 registrations
    assert [p["name"] for p in shown["participants"]] == [p["name"] for p in first["participants"]]
    assert [p["seed"] for p in shown["participants"]] == [p["seed"] for p in first["participants"]]
