"""The map veto through the API: turns, refusals, the games' maps, the live event, the turn
timer (time travel) and the row lock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine

from deltacrown.core import realtime
from deltacrown.core.time import utcnow
from tests.helpers import assert_problem


def veto_events(app: Any, match_id: int, after_seq: int = 0) -> list[dict[str, Any]]:
    """The channel's `veto.updated` events after `after_seq`. The history is bounded and
    outlives a rolled-back test whose match id comes back: read it from `after_seq`, since its
    oldest events may be gone (reading from 0 then answers None)."""
    with app.app_context():
        kept = realtime.history(f"match:{match_id}", after_seq)
    assert kept is not None, "the events after after_seq are no longer kept"
    return [e for e in kept if e["type"] == "veto.updated"]


def last_seq(app: Any, match_id: int) -> int:
    with app.app_context():
        return realtime.last_seq(f"match:{match_id}")


def veto(client: Any, match_id: int, headers: Any = None, **body: Any) -> Any:
    if body:
        return client.post(f"/api/matches/{match_id}/veto/", json=body, headers=headers)
    return client.get(f"/api/matches/{match_id}/veto/", headers=headers)


def test_a_valorant_best_of_three_veto_runs_turn_by_turn_and_sets_the_games_maps(
    started, client, app, organizer
):
    play = started(best_of=3)
    match_id = play.matches["W1.1"]["id"]
    first, second = play.sides("W1.1")
    before = last_seq(app, match_id)
    state = veto(client, match_id).get_json()
    assert state["next"] == {"action": "ban", "by": 1, "map": None,
                             "registration_id": play.ids("W1.1")[0]}  # fmt: skip
    assert state["pool"] == ["Abyss", "Ascent", "Bind", "Corrode", "Haven", "Lotus", "Sunset"]

    assert_problem(veto(client, match_id, second.headers, action="ban", map="Bind"), 409,
                   "not_your_turn")  # fmt: skip
    assert veto(client, match_id, first.headers, action="ban", map="Bind").status_code == 200
    assert_problem(veto(client, match_id, second.headers, action="ban", map="Bind"), 422,
                   "map_unavailable")  # fmt: skip
    assert_problem(veto(client, match_id, second.headers, action="pick", map="Haven"), 422,
                   "invalid_veto_action")  # fmt: skip
    steps = [
        (second, {"action": "ban", "map": "Abyss"}),
        (first, {"action": "pick", "map": "Haven"}),
        (second, {"action": "side", "side": "defense"}),
        (second, {"action": "pick", "map": "Lotus"}),
        (first, {"action": "side", "side": "attack"}),
        (first, {"action": "ban", "map": "Ascent"}),
        (second, {"action": "ban", "map": "Corrode"}),
    ]
    for who, body in steps:
        response = veto(client, match_id, who.headers, **body)
        assert response.status_code == 200, response.get_json()
    # the decider's side: the side that did not act last; an organizer acts for it
    done = veto(client, match_id, organizer.headers, action="side", side="attack").get_json()
    assert done["complete"] is True and done["next"] is None
    assert [(g["map"], g["picked_by"], g["side_chosen_by"], g["starting_side"])
            for g in done["maps"]] == [
        ("Haven", 1, 2, "defense"), ("Lotus", 2, 1, "attack"), ("Sunset", None, 1, "attack")
    ]  # fmt: skip
    assert_problem(veto(client, match_id, first.headers, action="ban", map="Sunset"), 409,
                   "veto_complete")  # fmt: skip

    with app.app_context():
        from deltacrown.matches.veto import games_of

        assert [(g.number, g.map) for g in games_of(match_id)] == [
            (1, "Haven"), (2, "Lotus"), (3, "Sunset")
        ]  # fmt: skip
    events = veto_events(app, match_id, after_seq=before)
    assert len(events) == 9 and events[-1]["data"]["complete"] is True


def test_strangers_cannot_veto_and_a_best_of_seven_has_no_veto(started, client, stranger, m):
    play = started(best_of=3)
    match_id = play.matches["W1.1"]["id"]
    assert_problem(veto(client, match_id, stranger.headers, action="ban", map="Bind"), 403)
    assert m.patch(match_id, best_of=7).status_code == 200
    assert_problem(veto(client, match_id), 409, "veto_not_available")


def test_an_expired_turn_is_taken_at_random_and_a_late_sweep_catches_up(started, app, client):
    play = started(best_of=3, settings={"veto_turn_seconds": 60})
    match_id = play.matches["W1.1"]["id"]
    first, _ = play.sides("W1.1")
    from deltacrown.extensions import db
    from deltacrown.matches import veto as service

    with app.app_context():
        assert service.sweep()["opened"] == 2  # both semi-finals
        db.session.commit()
    assert veto(client, match_id, first.headers, action="ban", map="Bind").status_code == 200
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        with app.app_context():
            assert service.sweep()["random_actions"] == 2  # side 2 here, side 1 in W1.2
            db.session.commit()
        state = veto(client, match_id).get_json()
    assert state["history"][1]["auto"] is True and state["history"][1]["by"] == 2
    with time_machine.travel(utcnow() + timedelta(hours=1), tick=False):
        with app.app_context():
            service.sweep()
            db.session.commit()
        state = veto(client, match_id).get_json()
    assert state["complete"] is True and len(state["maps"]) == 3


def dota(app: Any, tournament_id: int) -> None:
    """Make the cup a Dota 2 one (its players' game ids are not the point here)."""
    from deltacrown.extensions import db
    from deltacrown.games.models import Game
    from deltacrown.tournaments.models import Tournament

    with app.app_context():
        tournament = db.session.get(Tournament, tournament_id)
        tournament.game_id = db.session.query(Game.id).filter_by(slug="dota2").scalar()
        db.session.commit()


def test_a_result_carries_each_games_draft_checked_by_the_games_rules(started, app, client, m):
    play = started(best_of=1)
    match_id = play.matches["W1.1"]["id"]
    first, _ = play.sides("W1.1")
    m.live(match_id)
    picks = {"picks": ["Axe", "Lion", "Lina", "Sven", "Tiny"], "bans": []}
    other = {"picks": ["Mars", "Pudge", "Zeus", "Viper", "Ursa"], "bans": []}
    game = {"p1": 2, "p2": 1, "draft": {"mode": "all_pick", "p1": picks, "p2": other}}
    body = {"games": [game]}
    response = m.post(match_id, "submit-result", first.headers, **body)
    assert assert_problem(response, 422, "invalid_draft")["rule"] == "no_drafts"  # Valorant

    dota(app, play.cup.id)
    game["draft"]["p2"] = dict(other, bans=["Axe"])
    problem = assert_problem(m.post(match_id, "submit-result", first.headers, **body), 422,
                             "invalid_draft")  # fmt: skip
    assert problem["rule"] == "all_pick_bans" and "games.0.draft.p2.bans" in problem["errors"]
    game["draft"]["p2"] = other
    assert m.post(match_id, "submit-result", first.headers, **body).status_code == 200
    games = client.get(f"/api/matches/{match_id}/games/").get_json()
    assert games[0]["draft"]["p1"]["picks"][0] == "Axe" and games[0]["map"] is None
    # a body without drafts (existing clients) keeps working
    other_match = play.matches["W1.2"]["id"]
    m.live(other_match)
    assert m.submit(other_match, [(1, 0)], play.sides("W1.2")[0].headers).status_code == 200
