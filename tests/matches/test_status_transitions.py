"""MatchStatus's transition table: every move it allows is made by some use case (recorded
while the flows below run through the API), and every move it does not allow is refused with
409 `invalid_transition`."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest

from deltacrown.core.errors import InvalidTransitionError
from deltacrown.core.time import utcnow
from deltacrown.matches.models import TRANSITIONS, Match, MatchStatus
from tests.brackets_api.conftest import all_matches, won_by
from tests.matches.conftest import REASON
from tests.matches.test_lobbies import results, royale, submit  # noqa: F401  (fixture)

M = MatchStatus


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pair
        for pair in itertools.permutations(MatchStatus, 2)
        if pair not in TRANSITIONS  # every pair not in the table
    ],
)
def test_a_move_outside_the_table_is_refused_as_an_invalid_transition(app, before, after):
    match = Match(status=before)  # no id: not a stored row, so nothing is announced
    with pytest.raises(InvalidTransitionError) as info:
        match.transition(after)
    assert (info.value.status, info.value.code) == (409, "invalid_transition")
    assert info.value.extra == {
        "current_status": before.value,
        "from_status": before.value,
        "to_status": after.value,
    }
    assert match.status is before


@pytest.mark.parametrize(("before", "after"), sorted(TRANSITIONS))
def test_a_move_in_the_table_changes_the_status_and_a_result_stamps_completion(app, before, after):
    match = Match(status=before)  # no id: not a stored row, so nothing is announced
    at = utcnow()
    match.transition(after, at=at)
    assert match.status is after
    stamped = after in (M.COMPLETED, M.FORFEIT) and before not in (M.COMPLETED, M.FORFEIT)
    assert (match.completed_at == at) is stamped


@pytest.fixture
def moves(monkeypatch: Any) -> set[tuple[MatchStatus, MatchStatus]]:
    """Every status move the use cases make while the test runs."""
    seen: set[tuple[MatchStatus, MatchStatus]] = set()
    original = Match.transition

    def recording(self: Match, to: MatchStatus, **kwargs: Any) -> None:
        before = self.status
        original(self, to, **kwargs)
        if to is not before:
            seen.add((before, to))

    monkeypatch.setattr(Match, "transition", recording)
    return seen


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def _head_to_head_flows(cup: Any, api: Any, m: Any) -> None:
    c = cup(16, format="single_elimination")
    matches = all_matches(api.generated(c.id, options={"best_of": 1}))
    assert api.start(c.id).status_code == 200
    first = [matches[f"W1.{n}"] for n in range(1, 9)]

    def ids(match: dict[str, Any]) -> tuple[int, int]:
        a, b = (p["registration_id"] for p in match["participants"])
        return a, b

    def headers(rid: int) -> dict[str, str]:
        return c.player_of(rid).headers

    def awaiting(match: dict[str, Any]) -> None:
        m.live(match["id"])
        _ok(m.submit(match["id"], [(13, 5)], headers(ids(match)[0])))

    def disputed(match: dict[str, Any]) -> int:
        awaiting(match)
        return _ok(m.dispute(match["id"], REASON, headers(ids(match)[1])))["id"]

    # ready → completed (organizer), then the semi-final it feeds becomes ready
    w1 = first[0]
    _ok(api.result(w1["id"], ids(w1)[0], [[13, 5]]))
    # ready → live → awaiting → completed (confirmed), completed → forfeit → completed
    w2 = first[1]
    awaiting(w2)
    _ok(m.confirm(w2["id"], headers(ids(w2)[1])))
    _ok(api.correction(w2["id"], ids(w2)[0], forfeit=True))
    _ok(api.correction(w2["id"], ids(w2)[0], scores=[[13, 5]]))
    # awaiting → disputed → completed (upheld)
    w3 = first[2]
    dispute = disputed(w3)
    _ok(m.dispute_post(dispute, "review"))
    _ok(m.dispute_post(dispute, "resolve", outcome="upheld", resolution="The result stands."))
    # disputed → ready (rematch) → cancelled → ready (rescheduled) → forfeit
    w4 = first[3]
    dispute = disputed(w4)
    _ok(m.dispute_post(dispute, "review"))
    _ok(m.dispute_post(dispute, "resolve", outcome="rematch", resolution="Play it again."))
    _ok(m.cancel(w4["id"]))
    m.schedule(w4["id"], utcnow() + timedelta(hours=1))
    _ok(m.forfeit(w4["id"], ids(w4)[1]))
    # live → cancelled → completed (the organizer settles it)
    w5 = first[4]
    m.live(w5["id"])
    _ok(m.cancel(w5["id"]))
    _ok(m.override(w5["id"], [(13, 5)]))
    # awaiting → cancelled → forfeit
    w6 = first[5]
    awaiting(w6)
    _ok(m.cancel(w6["id"]))
    _ok(m.forfeit(w6["id"], ids(w6)[1]))
    # disputed → cancelled; live → forfeit; awaiting → forfeit; disputed → forfeit;
    # live → completed (override); disputed → completed (override)
    w7, w8 = first[6], first[7]
    disputed(w7)
    _ok(m.cancel(w7["id"]))
    _ok(m.override(w7["id"], [(13, 5)]))
    m.live(w8["id"])
    _ok(m.override(w8["id"], [(13, 5)]))
    semis = [x for x in api.matches(c.id, status="ready").get_json() if x["code"].startswith("W2")]
    s1, s2, s3, s4 = semis
    m.live(s1["id"])
    _ok(m.forfeit(s1["id"], ids(s1)[1]))
    awaiting(s2)
    _ok(m.forfeit(s2["id"], ids(s2)[1]))
    disputed(s3)
    _ok(m.forfeit(s3["id"], ids(s3)[1]))
    disputed(s4)
    _ok(m.override(s4["id"], [(13, 5)]))
    # ready → cancelled → forfeit; ready → forfeit
    t1, t2 = (x for x in api.ready(c.id) if x["code"].startswith("W3"))
    _ok(m.cancel(t1["id"]))
    _ok(m.forfeit(t1["id"], ids(t1)[1]))
    _ok(m.forfeit(t2["id"], ids(t2)[1]))


def _grand_final_flows(cup: Any, api: Any) -> None:
    c = cup(4, format="double_elimination")
    api.generated(c.id)
    assert api.start(c.id).status_code == 200

    def worse_seed_in_the_final(match: dict[str, Any]) -> int:
        first, second = match["participants"]
        better = first if first["seed"] < second["seed"] else second
        worse = second if better is first else first
        return worse["registration_id"] if match["code"] == "GF1.1" else better["registration_id"]

    while True:  # everything but the reset: the losers' champion takes the final
        ready = [x for x in api.ready(c.id) if x["code"] == "GF1.1" or x["code"][:2] != "GF"]
        if not ready:
            break
        for match in ready:
            winner = worse_seed_in_the_final(match)
            _ok(api.result(match["id"], winner, won_by(match, winner)))
    final = {x["code"]: x for x in api.matches(c.id).get_json()}["GF1.1"]
    champion = next(
        p["registration_id"]
        for p in final["participants"]
        if p["registration_id"] != final["winner_registration_id"]
    )
    # corrected: the winners' champion now wins the final, and the ready reset is skipped
    _ok(api.correction(final["id"], champion, scores=won_by(final, champion)))
    # the winners' champion wins the final outright: the reset is skipped before it is ready
    c2 = cup(4, format="double_elimination")
    api.generated(c2.id)
    assert api.start(c2.id).status_code == 200
    api.play(c2.id)


def _reset_flows(cup: Any, api: Any, m: Any, staff: Any) -> None:
    c = cup(8, format="single_elimination")
    matches = all_matches(api.generated(c.id, options={"best_of": 1}))
    assert api.start(c.id).status_code == 200
    w1, w2, w3, w4 = (matches[f"W1.{n}"] for n in range(1, 5))

    def winner(match: dict[str, Any]) -> int:
        return int(match["participants"][0]["registration_id"])

    def reset(match: dict[str, Any]) -> None:
        url = f"/api/admin/tournaments/{c.id}/reset-match/"
        body = {"match": match["id"], "reason": "Replay it."}
        _ok(m.client.post(url, json=body, headers=staff.headers))

    # completed → ready, and the semi-final it fed: ready → scheduled
    _ok(api.result(w2["id"], winner(w2), [[13, 5]]))
    _ok(api.result(w1["id"], winner(w1), [[13, 5]]))
    reset(w1)
    # forfeit → ready; live → ready; awaiting confirmation → ready
    _ok(m.forfeit(w1["id"], winner(w1)))
    reset(w1)
    m.live(w3["id"])
    reset(w3)
    m.live(w4["id"])
    _ok(m.submit(w4["id"], [(13, 5)], c.player_of(winner(w4)).headers))
    reset(w4)


def _lobby_flows(royale: Any, m: Any) -> None:  # noqa: F811
    play = royale(games=2)
    (match_id, members), (other_id, others) = play.lobbies
    m.live(match_id)
    headers = play.headers
    # live → awaiting → live (game 1 confirmed by all), awaiting → disputed → live (replay)
    _ok(submit(m, match_id, members, headers(members[0])))
    for rid in members[1:]:
        _ok(m.confirm(match_id, headers(rid)))
    _ok(submit(m, match_id, members, headers(members[0])))
    dispute = _ok(m.dispute(match_id, REASON, headers(members[1])))["id"]
    _ok(m.dispute_post(dispute, "review"))
    _ok(m.dispute_post(dispute, "resolve", outcome="rematch", resolution="Play it again."))
    # the other lobby: cancelled, then the organizer records its game (cancelled → live)
    _ok(m.cancel(other_id))
    games = f"/api/tournaments/{play.cup.id}/lobbies/2/games/"
    _ok(m.client.post(games, json={"results": results(others)}, headers=m.headers))


def test_every_move_in_the_table_is_made_by_a_use_case(moves, cup, api, m, royale, staff):  # noqa: F811
    _head_to_head_flows(cup, api, m)
    _grand_final_flows(cup, api)
    _reset_flows(cup, api, m, staff)
    _lobby_flows(royale, m)
    assert moves == TRANSITIONS, {"never made": TRANSITIONS - moves}
