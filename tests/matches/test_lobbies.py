"""Battle-royale lobbies through the match lifecycle: a match per lobby, member check-in,
per-game submissions confirmed by the other members (or disputed, or auto-confirmed), the
organizer's final word, the no-show rule, and a whole battle royale played to its placements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.core.time import utcnow
from tests.brackets_api.conftest import db_scalar
from tests.helpers import assert_problem
from tests.matches.conftest import REASON
from tests.matches.test_services import sweep


@dataclass
class Royale:
    """A started battle royale; `lobbies[i]` is lobby i+1's match id and member ids."""

    cup: Any
    stage: dict[str, Any]
    lobbies: list[tuple[int, list[int]]]

    def headers(self, registration_id: int) -> dict[str, str]:
        return self.cup.player_of(registration_id).headers


@pytest.fixture
def royale(cup: Any, api: Any) -> Any:
    """`royale(n=6, lobby_size=3, games=2, **tournament fields)`: started, lobbies ready."""

    def build(n: int = 6, lobby_size: int = 3, games: int = 2, **fields: Any) -> Royale:
        c = cup(n, format="battle_royale", game="pubg-mobile", **fields)
        document = api.generated(c.id, options={"lobby_size": lobby_size, "games": games})
        response = api.start(c.id)
        assert response.status_code == 200, response.get_json()
        (stage,) = document["stages"]
        lobbies = [
            (lobby["match_id"], [p["registration_id"] for p in lobby["participants"]])
            for lobby in stage["lobbies"]
        ]
        return Royale(c, stage, lobbies)

    return build


def results(order: list[int], kills: int = 2) -> list[dict[str, int]]:
    """One game: `order[0]` last standing (placement 1), everyone with `kills` kills."""
    return [
        {"registration_id": rid, "placement": i + 1, "kills": kills} for i, rid in enumerate(order)
    ]


def submit(m: Any, match_id: int, order: list[int], headers: Any, **extra: Any) -> Any:
    return m.post(match_id, "submit-result", headers, results=results(order), **extra)


def live_lobby(royale: Any, m: Any, **fields: Any) -> tuple[Royale, int, list[int]]:
    play = royale(**fields)
    match_id, members = play.lobbies[0]
    detail = m.live(match_id)
    assert detail["status"] == "live"
    return play, match_id, members


def played(m: Any, match_id: int) -> list[Any]:
    return m.get(match_id).get_json()["lobby_games"]


# ----- the lobby's match -----------------------------------------------------------------------
def test_generation_gives_every_lobby_a_ready_match_with_its_members(royale, m, api):
    play = royale()
    assert play.stage["rounds"] == []  # the lobby matches are not a bracket round
    assert [lobby["match_status"] for lobby in play.stage["lobbies"]] == ["ready", "ready"]
    match_id, members = play.lobbies[0]
    body = m.get(match_id).get_json()
    assert body["lobby"] == 1 and body["code"] == "BR1"
    assert body["status"] == "ready"
    assert [p["registration_id"] for p in body["participants"]] == members
    assert all(p["name"] for p in body["participants"])
    assert (body["games_total"], body["lobby_games"], body["absent"]) == (2, [], [])
    assert [row["games"] for row in body["lobby_standings"]] == [0, 0, 0]
    listed = api.matches(play.cup.id, side="lobby").get_json()
    assert [item["id"] for item in listed] == [lobby[0] for lobby in play.lobbies]


def test_members_check_in_and_the_lobby_goes_live_when_all_have(royale, m, stranger):
    play = royale()
    match_id, members = play.lobbies[0]
    m.schedule(match_id, utcnow() + timedelta(minutes=10))
    assert_problem(m.check_in(match_id, stranger.headers), 403, "forbidden")
    assert_problem(m.check_in(match_id, play.headers(play.lobbies[1][1][0])), 403, "forbidden")
    for rid in members[:-1]:
        response = m.check_in(match_id, play.headers(rid))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == "ready"
    assert_problem(m.check_in(match_id, play.headers(members[0])), 409, "already_checked_in")
    body = m.check_in(match_id, play.headers(members[-1])).get_json()
    assert body["status"] == "live"
    assert sorted(body["checked_in"]) == sorted(members)
    types = [e["type"] for e in m.events(match_id).get_json()]
    assert types[:2] == ["started", "checked_in"]


def test_a_lobby_without_a_time_takes_check_ins_at_once_and_waits_for_them(royale, m):
    play = royale(auto_start_matches=True)
    match_id, members = play.lobbies[0]
    assert m.get(match_id).get_json()["status"] == "ready"  # who is present decides its games
    for rid in members[:-1]:
        response = m.check_in(match_id, play.headers(rid))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == "ready"
    assert m.check_in(match_id, play.headers(members[-1])).get_json()["status"] == "live"


def test_organizers_start_a_lobby_and_only_a_ready_one(royale, m):
    play = royale()
    match_id, members = play.lobbies[0]
    assert_problem(m.start(match_id, play.headers(members[0])), 403, "forbidden")
    assert m.live(match_id)["status"] == "live"
    assert_problem(m.start(match_id), 409, "invalid_transition")
    assert_problem(m.check_in(match_id, play.headers(members[0])), 409, "invalid_transition")


# ----- results ---------------------------------------------------------------------------------
def test_a_game_submitted_by_a_member_applies_once_every_other_member_confirms(royale, m):
    play, match_id, (a, b, c) = live_lobby(royale, m)
    body = submit(m, match_id, [a, b, c], play.headers(a)).get_json()
    assert body["status"] == "awaiting_confirmation"
    (submission,) = body["submissions"]
    assert (submission["game"], submission["registration_id"]) == (1, a)
    assert submission["results"] == results([a, b, c]) and submission["games"] is None
    assert body["confirm_by"] is not None
    assert_problem(m.confirm(match_id, play.headers(a)), 403, "forbidden")
    body = m.confirm(match_id, play.headers(b)).get_json()
    assert body["status"] == "awaiting_confirmation" and body["lobby_games"] == []
    assert_problem(m.confirm(match_id, play.headers(b)), 409, "already_submitted")
    body = m.confirm(match_id, play.headers(c)).get_json()
    assert body["status"] == "live"
    assert body["lobby_games"] == [results([a, b, c])]
    assert {s["status"] for s in body["submissions"]} == {"confirmed"}
    standings = {row["registration_id"]: row for row in body["lobby_standings"]}
    assert standings[a]["rank"] == 1 and standings[a]["points"] == 15 + 2
    assert standings[a]["games"] == 1
    types = [e["type"] for e in m.events(match_id).get_json()]
    assert types[:4] == ["game_recorded", "result_confirmed", "result_agreed", "result_agreed"]
    assert_problem(m.confirm(match_id, play.headers(b)), 409, "invalid_transition")


def test_a_matching_submission_agrees_and_a_different_one_disputes(royale, m):
    play, match_id, (a, b, c) = live_lobby(royale, m)
    submit(m, match_id, [a, b, c], play.headers(a))
    assert_problem(submit(m, match_id, [a, b, c], play.headers(a)), 409, "already_submitted")
    body = submit(m, match_id, [a, b, c], play.headers(b)).get_json()
    assert body["status"] == "awaiting_confirmation"  # two of three agree
    body = submit(m, match_id, [c, b, a], play.headers(c)).get_json()
    assert body["status"] == "disputed"
    assert body["open_dispute_id"] is not None
    assert {s["status"] for s in body["submissions"]} == {"disputed"}
    dispute = m.dispute_get(body["open_dispute_id"]).get_json()
    assert dispute["registration_id"] == c and "game 1" in dispute["reason"]


def test_an_organizers_submission_is_final_at_once(royale, m, co_organizer, stranger):
    play, match_id, (a, b, c) = live_lobby(royale, m)
    body = submit(m, match_id, [b, a, c], None).get_json()  # the organizer
    assert (body["status"], len(body["lobby_games"])) == ("live", 1)
    submit(m, match_id, [a, b, c], play.headers(a))
    body = submit(m, match_id, [c, b, a], None).get_json()  # supersedes the pending game 2
    assert body["status"] == "completed"
    assert body["lobby_games"][1] == results([c, b, a])
    assert [s for s in body["submissions"] if s["game"] == 2] == []  # superseded: not current
    assert_problem(submit(m, match_id, [a, b, c], None), 409, "invalid_transition")
    assert_problem(submit(m, match_id, [a, b, c], stranger.headers), 403, "forbidden")


def test_submissions_are_validated_by_the_lobby_rules(royale, m, started):
    play, match_id, (a, b, c) = live_lobby(royale, m)
    body = assert_problem(submit(m, match_id, [a, b], play.headers(a)), 422)
    assert body["code"] == "invalid_lobby_result" and "results" in body["errors"]
    stranger_id = play.lobbies[1][1][0]
    assert_problem(
        submit(m, match_id, [a, b, stranger_id], play.headers(a)), 422, "invalid_lobby_result"
    )
    twice = results([a, b, c])
    twice[2]["placement"] = 2
    assert_problem(
        m.post(match_id, "submit-result", play.headers(a), results=twice),
        422,
        "invalid_lobby_result",
    )
    assert_problem(  # the head-to-head shape
        m.submit(match_id, [(13, 9)], play.headers(a)), 422, "validation_error"
    )
    assert_problem(  # both shapes, or neither
        m.post(match_id, "submit-result", play.headers(a), games=[{"p1": 1, "p2": 0}],
               results=results([a, b, c])),
        422,
        "validation_error",
    )  # fmt: skip
    assert_problem(m.post(match_id, "submit-result", play.headers(a)), 422, "validation_error")
    negative = results([a, b, c])
    negative[0]["kills"] = -1
    assert_problem(
        m.post(match_id, "submit-result", play.headers(a), results=negative),
        422,
        "validation_error",
    )
    other_match, members = play.lobbies[1]
    assert_problem(submit(m, other_match, members, play.headers(members[0])), 409)
    assert played(m, match_id) == []
    # A head-to-head match refuses the lobby shape.
    cup_play = started()
    semi = cup_play.matches["W1.1"]["id"]
    m.live(semi)
    first, second = cup_play.ids("W1.1")
    assert_problem(
        m.post(semi, "submit-result", cup_play.sides("W1.1")[0].headers,
               results=results([first, second])),
        422,
        "validation_error",
    )  # fmt: skip


def test_a_lobby_has_no_forfeit_override_best_of_or_running_score(royale, m):
    play, match_id, (a, _b, _c) = live_lobby(royale, m)
    assert_problem(m.forfeit(match_id, a), 409, "invalid_transition")
    assert_problem(m.override(match_id, [(13, 2)]), 409, "invalid_transition")
    assert_problem(m.post(match_id, "score", game=1, p1=1, p2=0), 422, "validation_error")
    ready_lobby = play.lobbies[1][0]
    assert_problem(m.patch(ready_lobby, best_of=3), 422, "validation_error")


def test_organizers_cancel_a_lobby_and_rescheduling_readies_it(royale, m):
    play = royale()
    match_id, _members = play.lobbies[0]
    assert m.cancel(match_id).get_json()["status"] == "cancelled"
    assert m.schedule(match_id, utcnow() + timedelta(hours=2))["status"] == "ready"


# ----- disputes --------------------------------------------------------------------------------
def test_members_dispute_the_pending_game_with_a_reason(royale, m, stranger):
    play, match_id, (a, b, c) = live_lobby(royale, m)
    assert_problem(m.dispute(match_id, REASON, play.headers(b)), 409, "invalid_transition")
    submit(m, match_id, [a, b, c], play.headers(a))
    m.confirm(match_id, play.headers(b))
    assert_problem(m.dispute(match_id, REASON, stranger.headers), 403, "forbidden")
    assert_problem(m.dispute(match_id, REASON, play.headers(a)), 403, "forbidden")
    assert_problem(m.dispute(match_id, REASON, play.headers(b)), 403, "forbidden")  # agreed
    assert_problem(m.dispute(match_id, "too short", play.headers(c)), 422, "validation_error")
    response = m.dispute(match_id, REASON, play.headers(c))
    assert response.status_code == 201, response.get_json()
    body = m.get(match_id).get_json()
    assert body["status"] == "disputed" and body["open_dispute_id"] == response.get_json()["id"]
    assert_problem(m.dispute(match_id, REASON, play.headers(c)), 409, "invalid_transition")
    assert_problem(m.confirm(match_id, play.headers(c)), 409, "invalid_transition")


def _disputed(play: Royale, m: Any, match_id: int, order: list[int]) -> int:
    a, b, c = order
    submit(m, match_id, order, play.headers(a))
    dispute = m.dispute(match_id, REASON, play.headers(c)).get_json()["id"]
    assert m.dispute_post(dispute, "review").status_code == 200
    return dispute


def test_an_upheld_dispute_applies_the_disputed_game(royale, m):
    play, match_id, (a, b, c) = live_lobby(royale, m)
    dispute = _disputed(play, m, match_id, [a, b, c])
    assert_problem(
        m.dispute_post(dispute, "resolve", play.headers(a), outcome="upheld", resolution="mine"),
        403,
        "forbidden",
    )
    response = m.dispute_post(dispute, "resolve", outcome="upheld", resolution="Replay checked.")
    assert response.status_code == 200, response.get_json()
    body = m.get(match_id).get_json()
    assert (body["status"], body["lobby_games"]) == ("live", [results([a, b, c])])


def test_an_overturned_dispute_applies_the_corrected_results(royale, m):
    play, match_id, (a, b, c) = live_lobby(royale, m)
    dispute = _disputed(play, m, match_id, [a, b, c])
    assert_problem(
        m.dispute_post(dispute, "resolve", outcome="overturned", resolution="c won"),
        422,
        "validation_error",
    )
    assert_problem(
        m.dispute_post(dispute, "resolve", outcome="overturned", resolution="c won",
                       corrected_results=results([c, b])),
        422,
        "invalid_lobby_result",
    )  # fmt: skip
    assert_problem(
        m.dispute_post(dispute, "resolve", outcome="upheld", resolution="fine",
                       corrected_results=results([c, b, a])),
        422,
        "validation_error",
    )  # fmt: skip
    head_to_head = m.dispute_post(
        dispute, "resolve", outcome="overturned", resolution="c won",
        corrected_games=[{"p1": 13, "p2": 2}], corrected_results=results([c, b, a]),
    )  # fmt: skip
    assert "corrected_games" in assert_problem(head_to_head, 422, "validation_error")["errors"]
    response = m.dispute_post(
        dispute, "resolve", outcome="overturned", resolution="c won",
        corrected_results=results([c, b, a]),
    )  # fmt: skip
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["corrected_results"] == results([c, b, a])
    assert played(m, match_id) == [results([c, b, a])]


def test_a_rematch_replays_the_game_and_a_dismissal_lets_it_stand(royale, m):
    play, match_id, (a, b, c) = live_lobby(royale, m)
    dispute = _disputed(play, m, match_id, [a, b, c])
    m.dispute_post(dispute, "resolve", outcome="rematch", resolution="Server crashed.")
    body = m.get(match_id).get_json()
    assert (body["status"], body["lobby_games"], body["submissions"]) == ("live", [], [])
    submit(m, match_id, [b, a, c], play.headers(a))
    dispute = m.dispute(match_id, REASON, play.headers(c)).get_json()["id"]
    m.dispute_post(dispute, "dismiss", resolution="No evidence.")
    assert played(m, match_id) == [results([b, a, c])]


def test_the_organizers_direct_game_supersedes_the_pending_one_and_closes_its_dispute(
    royale, m, api
):
    play, match_id, (a, b, c) = live_lobby(royale, m)
    dispute = _disputed(play, m, match_id, [a, b, c])
    response = api.client.post(
        f"/api/tournaments/{play.cup.id}/lobbies/1/games/",
        json={"results": results([b, c, a])},
        headers=api.headers,
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["stages"][0]["lobbies"][0]["match_status"] == "live"
    body = m.get(match_id).get_json()
    assert (body["status"], body["open_dispute_id"], body["submissions"]) == ("live", None, [])
    closed = m.dispute_get(dispute).get_json()
    assert (closed["status"], closed["outcome"]) == ("resolved", "overturned")
    assert "game 1" in closed["resolution"]
    assert [e["type"] for e in m.events(match_id).get_json()][0] == "game_recorded"


# ----- time ------------------------------------------------------------------------------------
def test_an_unanswered_game_auto_confirms_after_the_window(app, royale, m):
    play, match_id, (a, b, c) = live_lobby(royale, m, result_confirmation_minutes=15)
    submit(m, match_id, [a, b, c], play.headers(a))
    m.confirm(match_id, play.headers(b))  # c never answers
    submitted_at = utcnow()
    assert sweep(app, submitted_at + timedelta(minutes=14))[0] == 0
    assert m.get(match_id).get_json()["status"] == "awaiting_confirmation"
    assert sweep(app, submitted_at + timedelta(minutes=16))[0] == 1
    assert sweep(app, submitted_at + timedelta(minutes=17))[0] == 0
    body = m.get(match_id).get_json()
    assert (body["status"], body["lobby_games"]) == ("live", [results([a, b, c])])
    confirmed = next(e for e in m.events(match_id).get_json() if e["type"] == "result_confirmed")
    assert confirmed["data"]["automatic"] is True


def test_a_disputed_game_never_auto_confirms(app, royale, m):
    play, match_id, (a, b, c) = live_lobby(royale, m)
    _disputed(play, m, match_id, [a, b, c])
    assert sweep(app, utcnow() + timedelta(hours=3))[0] == 0
    assert m.get(match_id).get_json()["status"] == "disputed"


def test_members_not_checked_in_are_absent_and_score_nothing(app, royale, m):
    play = royale()
    match_id, (a, b, c) = play.lobbies[0]
    kickoff = utcnow() + timedelta(minutes=10)
    m.schedule(match_id, kickoff)
    m.check_in(match_id, play.headers(a))
    m.check_in(match_id, play.headers(b))
    assert sweep(app, kickoff + timedelta(minutes=1))[1]["absent"] == 0  # within the grace
    counts = sweep(app, kickoff + timedelta(hours=1))[1]
    assert counts == {"forfeited": 0, "cancelled": 0, "absent": 1}
    body = m.get(match_id).get_json()
    assert (body["status"], body["absent"]) == ("live", [c])
    assert_problem(submit(m, match_id, [a, b, c], play.headers(a)), 422, "invalid_lobby_result")
    assert_problem(submit(m, match_id, [a, b], play.headers(c)), 403, "forbidden")
    submit(m, match_id, [b, a], play.headers(a))
    body = m.confirm(match_id, play.headers(b)).get_json()  # every present member agreed
    assert body["lobby_games"] == [results([b, a])]
    last = body["lobby_standings"][-1]
    assert (last["registration_id"], last["points"], last["absent"]) == (c, 0, True)
    assert sweep(app, kickoff + timedelta(hours=2))[1]["absent"] == 0  # once


def test_a_lobby_nobody_checked_into_is_cancelled(app, royale, m):
    play = royale()
    match_id, _members = play.lobbies[0]
    kickoff = utcnow() + timedelta(minutes=10)
    m.schedule(match_id, kickoff)
    counts = sweep(app, kickoff + timedelta(hours=1))[1]
    assert counts == {"forfeited": 0, "cancelled": 1, "absent": 0}
    assert m.get(match_id).get_json()["status"] == "cancelled"


# ----- a whole battle royale -------------------------------------------------------------------
def test_a_battle_royale_is_played_through_the_api_to_its_placements(app, royale, m, api, client):
    from deltacrown.brackets.models import TournamentResult
    from deltacrown.core import realtime

    play = royale()
    with app.app_context():
        feed = realtime.subscribe(f"match:{play.lobbies[0][0]}")
    try:
        for match_id, members in play.lobbies:
            m.schedule(match_id, utcnow() + timedelta(minutes=10))
            for rid in members:
                m.check_in(match_id, play.headers(rid))
            for game in range(2):
                order = members if game == 0 else [members[0], members[2], members[1]]
                body = submit(m, match_id, order, play.headers(members[1])).get_json()
                assert body["status"] == "awaiting_confirmation"
                for rid in (members[0], members[2]):
                    body = m.confirm(match_id, play.headers(rid)).get_json()
            assert body["status"] == "completed" and body["completed_at"] is not None
        types: list[str] = []
        while "match.completed" not in types:
            message = feed.get(timeout=1)
            assert message is not None, types
            types.append(message["type"])
    finally:
        feed.close()
    assert {"match.checked_in", "match.started", "match.result_submitted",
            "match.game_recorded"} <= set(types)  # fmt: skip
    tournament = client.get(f"/api/tournaments/{play.cup.id}/", headers=api.headers).get_json()
    assert tournament["status"] == "completed"
    final = api.standings(play.cup.id).get_json()
    assert [s["placement"] for s in final] == [1, 1, 3, 3, 5, 5]
    winners = {play.lobbies[0][1][0], play.lobbies[1][1][0]}
    assert {s["registration_id"] for s in final[:2]} == winners
    rows = db_scalar(
        app,
        sa.select(sa.func.count(TournamentResult.id)).where(
            TournamentResult.tournament_id == play.cup.id
        ),
    )
    assert rows == 6
    stage = api.bracket(play.cup.id).get_json()["stages"][0]
    assert [lobby["match_status"] for lobby in stage["lobbies"]] == ["completed", "completed"]
    assert [lobby["games_played"] for lobby in stage["lobbies"]] == [2, 2]
