"""Round robin: circle-method schedules, snake-seeded groups, legs, draws and final placements."""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltacrown.brackets.engine import (
    InvalidOptionsError,
    InvalidWinnerError,
    MatchStatus,
    Side,
    Stage,
    apply_correction,
    apply_result,
    final_placements,
    generate,
    stage_standings,
)
from deltacrown.brackets.engine.formats.round_robin import circle_schedule, snake_groups


def pairs_of(stage: Stage, match_ids: list[str]) -> list[tuple]:
    return [stage.matches[mid].participants for mid in match_ids]


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(2, 64),
    group_size=st.one_of(st.none(), st.integers(3, 64)),
    double=st.booleans(),
)
def test_every_couple_meets_once_per_leg_and_nobody_plays_twice_in_a_round(
    n: int, group_size: int | None, double: bool
) -> None:
    seeds = [f"r{i}" for i in range(1, n + 1)]
    stage = generate("round_robin", seeds, {"group_size": group_size, "double_round_robin": double})
    legs = 2 if double else 1
    sizes = [len(g.participants) for g in stage.groups]
    assert max(sizes) - min(sizes) <= 1
    assert sorted(p for g in stage.groups for p in g.participants) == sorted(seeds)
    assert len(stage.groups) == (1 if group_size is None else -(-n // group_size))
    for group in stage.groups:
        meetings = Counter(frozenset(pairs) for pairs in pairs_of(stage, group.match_ids))
        expected = {frozenset(c) for c in combinations(group.participants, 2)}
        assert set(meetings) == expected and set(meetings.values()) == {legs}
    per_leg = len(stage.rounds) // legs
    for rnd in stage.rounds:
        players = [p for pair in pairs_of(stage, rnd.match_ids) for p in pair]
        assert len(players) == len(set(players)), f"someone plays twice in {rnd.name}"
        assert all(stage.matches[mid].round == rnd.number for mid in rnd.match_ids)
    if double:  # the return leg: same round order, sides swapped
        for first, second in zip(stage.rounds[:per_leg], stage.rounds[per_leg:], strict=True):
            swapped = [(b, a) for a, b in pairs_of(stage, first.match_ids)]
            assert pairs_of(stage, second.match_ids) == swapped
    for match in stage.matches.values():
        assert match.side is Side.GROUP and match.status is MatchStatus.READY
        for slot in match.slots:
            assert slot.participant == stage.seeds[slot.ref - 1]  # type: ignore[operator]
    # m seats (the group, plus the phantom if odd) need m - 1 rounds a leg, in which everyone
    # plays each of the others once: whoever has the phantom's seat rests once a leg.
    for group in stage.groups:
        m = len(group.participants) + len(group.participants) % 2
        rounds = {stage.matches[mid].round for mid in group.match_ids}
        assert len(rounds) == legs * (m - 1)
        for leg in range(legs):
            played = Counter(
                p
                for mid in group.match_ids
                if leg * per_leg < stage.matches[mid].round <= (leg + 1) * per_leg
                for p in stage.matches[mid].participants
            )
            assert set(played.values()) == {len(group.participants) - 1}


def test_seeds_are_dealt_to_groups_in_snake_order() -> None:
    assert snake_groups(10, 4) == [[1, 6, 7], [2, 5, 8], [3, 4, 9, 10]]
    assert snake_groups(16, 4) == [[1, 8, 9, 16], [2, 7, 10, 15], [3, 6, 11, 14], [4, 5, 12, 13]]
    stage = generate("round_robin", list("abcdefghij"), {"group_size": 4})
    assert [(g.name, g.participants) for g in stage.groups] == [
        ("Group A", ["a", "f", "g"]),
        ("Group B", ["b", "e", "h"]),
        ("Group C", ["c", "d", "i", "j"]),
    ]


def test_circle_method_keeps_the_first_seat_and_rotates_the_others() -> None:
    assert circle_schedule([1, 2, 3, 4]) == [
        [(1, 4), (2, 3)],
        [(3, 1), (4, 2)],
        [(1, 2), (3, 4)],
    ]


def test_with_an_odd_group_whoever_meets_the_phantom_rests() -> None:
    stage = generate("round_robin", [1, 2, 3, 4, 5])
    resting = []
    for rnd in stage.rounds:
        playing = {p for pair in pairs_of(stage, rnd.match_ids) for p in pair}
        assert len(rnd.match_ids) == 2
        resting.extend({1, 2, 3, 4, 5} - playing)
    assert sorted(resting) == [1, 2, 3, 4, 5]  # five rounds, each player rests once


def test_match_ids_name_group_round_and_number() -> None:
    stage = generate("round_robin", list(range(1, 9)), {"group_size": 4})
    assert stage.rounds[0].match_ids == ["G1.1.1", "G1.1.2", "G2.1.1", "G2.1.2"]
    assert [r.name for r in stage.rounds] == ["Round 1", "Round 2", "Round 3"]
    assert stage.groups[1].match_ids[:2] == ["G2.1.1", "G2.1.2"]


def test_draws_score_a_point_each_and_placements_follow_the_table() -> None:
    stage = generate("round_robin", ["a", "b", "c", "d"])
    results = {
        frozenset("ab"): ("a", [[2, 0]]),
        frozenset("ac"): (None, [[1, 1]]),
        frozenset("ad"): ("a", [[3, 1]]),
        frozenset("bc"): ("c", [[0, 1]]),
        frozenset("bd"): (None, [[0, 0]]),
        frozenset("cd"): ("c", [[2, 1]]),
    }
    changes = None
    for match_id, match in stage.matches.items():
        winner, scores = results[frozenset(match.participants)]
        if match.participants[0] != sorted(match.participants)[0]:
            scores = [[b, a] for a, b in scores]
        changes = apply_result(stage, match_id, winner, scores)
        assert changes.moves == [] and changes.eliminated == []
    assert stage.is_complete and changes is not None
    rows = stage_standings(stage)[0].rows
    table = [(r.participant, r.played, r.wins, r.draws, r.losses, r.points, r.game_difference)
             for r in rows]  # fmt: skip
    assert table == [
        ("a", 3, 2, 1, 0, 7, 2),
        ("c", 3, 2, 1, 0, 7, 2),
        ("b", 3, 0, 1, 2, 1, -2),
        ("d", 3, 0, 1, 2, 1, -2),
    ]
    # a and c drew each other and have the same game difference: seed decides.
    assert [r.decided_by for r in rows] == ["seed", "points", "seed", None]
    assert [(p.participant, p.rank) for p in changes.placements] == [
        ("a", 1), ("c", 2), ("b", 3), ("d", 4),
    ]  # fmt: skip


def test_draws_are_refused_when_the_stage_does_not_allow_them() -> None:
    stage = generate("round_robin", [1, 2, 3], {"allow_draws": False})
    with pytest.raises(InvalidWinnerError, match="draw"):
        apply_result(stage, stage.rounds[0].match_ids[0], None)
    elimination = generate("single_elimination", [1, 2])
    with pytest.raises(InvalidWinnerError, match="draw"):
        apply_result(elimination, "W1.1", None)


def test_custom_points_table_is_applied() -> None:
    stage = generate("round_robin", [1, 2], {"points": {"win": 2, "draw": 1, "loss": 0}})
    apply_result(stage, "G1.1.1", 2)
    rows = stage_standings(stage)[0].rows
    assert [(r.participant, r.points) for r in rows] == [(2, 2), (1, 0)]


def test_several_groups_place_by_group_position() -> None:
    stage = generate("round_robin", list(range(1, 9)), {"group_size": 4})
    for match in stage.matches.values():  # the better seed always wins
        apply_result(stage, match.id, min(match.participants))  # type: ignore[type-var]
    assert [(p.participant, p.rank) for p in final_placements(stage)] == [
        (1, 1), (2, 1), (3, 3), (4, 3), (5, 5), (6, 5), (7, 7), (8, 7),
    ]  # fmt: skip


def test_a_round_robin_result_can_be_corrected_to_a_draw_without_moving_anyone() -> None:
    stage = generate("round_robin", [1, 2, 3])
    match_id = stage.rounds[0].match_ids[0]
    apply_result(stage, match_id, stage.matches[match_id].participants[0], [[2, 0]])
    changes = apply_correction(stage, match_id, None, [[1, 1]])
    assert changes.moves == changes.eliminated == changes.reinstated == []
    assert stage.matches[match_id].is_draw
    assert stage.open_count == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"group_size": 1}, "group_size"),
        ({"group_size": 2}, "group of one"),  # 5 players in groups of 2: 2, 2, 1
        ({"double_round_robin": "yes"}, "double_round_robin"),
        ({"points": {"win": 1, "draw": 1, "loss": 0}}, "points"),
        ({"points": {"win": 3}}, "points"),
        ({"tie_breakers": ["points", "coin_toss"]}, "tie_breakers"),
        ({"rounds": 3}, "unknown option"),
    ],
)
def test_round_robin_refuses_bad_options(options, message) -> None:
    with pytest.raises(InvalidOptionsError, match=message):
        generate("round_robin", [1, 2, 3, 4, 5], options)


def test_a_round_robin_stage_round_trips_through_json() -> None:
    stage = generate(
        "round_robin", list(range(1, 10)), {"group_size": 4, "double_round_robin": True}
    )
    apply_result(stage, "G1.1.1", None, [[1, 1]])
    data = json.loads(json.dumps(stage.to_dict()))
    assert data["groups"][0]["name"] == "Group A"
    copy = Stage.from_dict(data)
    assert copy == stage and copy.open_count == stage.open_count
    assert copy.matches["G1.1.1"].is_draw


def test_elimination_payloads_do_not_grow_the_new_keys() -> None:
    data = generate("single_elimination", [1, 2, 3, 4]).to_dict()
    assert set(data) == {"version", "format", "options", "seeds", "byes", "rounds", "matches"}
    assert all("byes" not in r for r in data["rounds"])
