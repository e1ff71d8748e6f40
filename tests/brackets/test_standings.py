"""Standings and tie-breakers, on worked examples computed by hand."""

from __future__ import annotations

import pytest

from deltacrown.brackets.engine import (
    InvalidOptionsError,
    Stage,
    apply_result,
    generate,
    next_round,
    stage_standings,
)


def play_round_robin(stage: Stage, winners: dict[str, str | None]) -> None:
    """`winners` maps "AB" (either order) to the winner, or None for a draw; one game each."""
    for match in stage.matches.values():
        a, b = match.participants
        key = next(k for k in winners if set(k) == {a, b})
        winner = winners[key]
        scores = [[1, 1]] if winner is None else [[1, 0]] if winner == a else [[0, 1]]
        apply_result(stage, match.id, winner, scores)


def table(stage: Stage, group: int = 0) -> list[tuple]:
    rows = stage_standings(stage)[group].rows
    return [(r.participant, r.rank, r.points, r.decided_by) for r in rows]


def test_a_three_way_tie_is_resolved_by_the_head_to_head_mini_table() -> None:
    # A, B and C finish on 6 points. Among themselves A beat both (6), B beat C (3), C beat
    # nobody (0). C has the best game difference (+2, its two wins were 2-0) and A, B, C
    # are seeds 1, 2, 3: only the mini-table explains A, B, C in that order.
    stage = generate("round_robin", list("ABCDE"))
    winners = {"AB": "A", "AC": "A", "AD": "D", "AE": "E", "BC": "B", "BD": "B", "BE": "E",
               "CD": "C", "CE": "C", "DE": "E"}  # fmt: skip
    for match in stage.matches.values():
        a, b = match.participants
        winner = winners["".join(sorted((a, b)))]  # type: ignore[arg-type]
        if winner == "C":  # C's wins are 2-0 in games
            scores = [[1, 0], [1, 0]] if a == "C" else [[0, 1], [0, 1]]
        else:
            scores = [[1, 0]] if winner == a else [[0, 1]]
        apply_result(stage, match.id, winner, scores)
    assert table(stage) == [
        ("E", 1, 9, "points"),
        ("A", 2, 6, "head_to_head"),
        ("B", 3, 6, "head_to_head"),
        ("C", 4, 6, "points"),
        ("D", 5, 3, None),
    ]
    rows = {r.participant: r for r in stage_standings(stage)[0].rows}
    assert [rows[p].tie_breaks["head_to_head"] for p in "ABC"] == [6, 3, 0]
    assert [rows[p].game_difference for p in "ABC"] == [0, 0, 2]


def test_head_to_head_is_applied_again_to_a_sub_tie() -> None:
    # A, B, C and D finish on 6 points. Their mini-table: A 6, B 6, C 3, D 3 (A beat C and D,
    # lost to B; B beat A and D, lost to C; ...). Each sub-tie is mini-tabled again among its
    # own two: B beat A, D beat C. Game differences are all -1, so nothing else separates them,
    # and the order B, A, D, C runs against the seeds.
    stage = generate("round_robin", list("ABCDEF"))
    play_round_robin(
        stage,
        {"AB": "B", "AC": "A", "AD": "A", "BC": "C", "BD": "B", "CD": "D",
         "AE": "E", "AF": "F", "BE": "E", "BF": "F", "CE": "C", "CF": "F",
         "DE": "E", "DF": "D", "EF": "E"},
    )  # fmt: skip
    assert table(stage) == [
        ("E", 1, 12, "points"),
        ("F", 2, 9, "points"),
        ("B", 3, 6, "head_to_head"),
        ("A", 4, 6, "head_to_head"),
        ("D", 5, 6, "head_to_head"),
        ("C", 6, 6, None),
    ]
    rows = {r.participant: r for r in stage_standings(stage)[0].rows}
    assert {rows[p].game_difference for p in "ABCD"} == {-1}
    # The last mini-table each was ranked by: the sub-tie's (B 3, A 0; D 3, C 0).
    assert [rows[p].tie_breaks["head_to_head"] for p in "BADC"] == [3, 0, 3, 0]


def swiss_of_eight() -> Stage:
    """Eight players, three rounds; pairings asserted, results chosen by hand."""
    criteria = ["points", "buchholz", "buchholz_cut1", "median_buchholz", "sonneborn_berger",
                "seed"]  # fmt: skip
    stage = generate("swiss", list(range(1, 9)), {"tie_breakers": criteria})
    rounds = [
        {(1, 5): 1, (2, 6): 2, (3, 7): 3, (4, 8): 8},
        {(1, 8): 1, (2, 3): 3, (4, 7): 4, (5, 6): 6},
        {(1, 3): 1, (2, 8): 2, (4, 6): 6, (5, 7): 7},
    ]
    for number, results in enumerate(rounds, start=1):
        if number > 1:
            next_round(stage)
        played = stage.rounds[-1].match_ids
        assert [stage.matches[mid].participants for mid in played] == list(results)
        for match_id, winner in zip(played, results.values(), strict=True):
            apply_result(stage, match_id, winner)
    assert stage.is_complete
    return stage


def test_buchholz_worked_by_hand() -> None:
    # Points (3 a win): 1: 9; 3, 2, 6: 6; 8, 4, 7: 3; 5: 0.
    # Buchholz = the opponents' points:
    #   3 met 7 (3), 2 (6), 1 (9) = 18     2 met 6 (6), 3 (6), 8 (3) = 15
    #   6 met 2 (6), 5 (0), 4 (3) =  9     8 met 4 (3), 1 (9), 2 (6) = 18
    #   4 met 8 (3), 7 (3), 6 (6) = 12     7 met 3 (6), 4 (3), 5 (0) =  9
    # Cut-1 drops the weakest opponent, median Buchholz the weakest and the strongest;
    # Sonneborn-Berger adds the points of the opponents beaten (3 beat 7 and 2: 3 + 6 = 9).
    stage = swiss_of_eight()
    assert table(stage) == [
        (1, 1, 9, "points"),
        (3, 2, 6, "buchholz"),
        (2, 3, 6, "buchholz"),
        (6, 4, 6, "points"),
        (8, 5, 3, "buchholz"),
        (4, 6, 3, "buchholz"),
        (7, 7, 3, "points"),
        (5, 8, 0, None),
    ]
    rows = {r.participant: r.tie_breaks for r in stage_standings(stage)[0].rows}
    assert rows[3] == {"buchholz": 18, "buchholz_cut1": 15, "median_buchholz": 6,
                       "sonneborn_berger": 9}  # fmt: skip
    assert rows[2] == {"buchholz": 15, "buchholz_cut1": 12, "median_buchholz": 6,
                       "sonneborn_berger": 9}  # fmt: skip
    assert rows[6] == {"buchholz": 9, "buchholz_cut1": 9, "median_buchholz": 3,
                       "sonneborn_berger": 3}  # fmt: skip
    assert rows[4]["buchholz"] == 12 and rows[7]["buchholz"] == 9


def test_a_tie_on_every_criterion_falls_through_to_the_seed() -> None:
    # Four players, two rounds: 1 beats 3 and 2 beats 4, then 1 beats 2 and 3 beats 4.
    # 2 and 3 have 3 points each, both met 1 (6) and 4 (0): Buchholz 6, both beat only 4:
    # Sonneborn-Berger 0, they never met: head-to-head 0 each. Seed 2 ranks above seed 3.
    stage = generate("swiss", [1, 2, 3, 4])
    apply_result(stage, "S1.1", 1)
    apply_result(stage, "S1.2", 2)
    next_round(stage)
    assert [stage.matches[m].participants for m in stage.rounds[1].match_ids] == [(1, 2), (3, 4)]
    apply_result(stage, "S2.1", 1)
    changes = apply_result(stage, "S2.2", 3)
    assert table(stage) == [(1, 1, 6, "points"), (2, 2, 3, "seed"), (3, 3, 3, "points"),
                            (4, 4, 0, None)]  # fmt: skip
    rows = {r.participant: r.tie_breaks for r in stage_standings(stage)[0].rows}
    assert rows[2] == rows[3] == {"buchholz": 6, "sonneborn_berger": 0, "head_to_head": 0}
    assert [(p.participant, p.rank) for p in changes.placements] == [(1, 1), (2, 2), (3, 3),
                                                                     (4, 4)]  # fmt: skip


def test_without_seed_in_the_list_an_unbroken_tie_shares_the_rank() -> None:
    stage = generate("round_robin", ["x", "y", "z"], {"tie_breakers": ["points"]})
    play_round_robin(stage, {"xy": "x", "yz": "y", "xz": "z"})
    assert table(stage) == [("x", 1, 3, None), ("y", 1, 3, None), ("z", 1, 3, None)]


def test_game_difference_counts_games_won_and_lost() -> None:
    stage = generate("round_robin", ["p", "q", "r"], {"tie_breakers": ["game_difference", "seed"]})
    results = {("p", "q"): ("q", [[13, 9], [7, 13], [10, 13]]), ("p", "r"): ("p", [[2, 0]]),
               ("q", "r"): (None, [[1, 1], [2, 2]])}  # fmt: skip
    for match in stage.matches.values():
        key = tuple(sorted(match.participants))  # type: ignore[type-var]
        winner, scores = results[key]  # type: ignore[index]
        if match.participants != key:
            scores = [[b, a] for a, b in scores]
        apply_result(stage, match.id, winner, scores)
    rows = stage_standings(stage)[0].rows
    # p: 1-2 in games against q, 1-0 against r; q: 2-1 against p; the q-r draw's games were
    # level (1-1, 2-2) and count for nobody.
    by = {r.participant: r for r in rows}
    assert (by["q"].games_won, by["q"].games_lost, by["q"].game_difference) == (2, 1, 1)
    assert (by["p"].games_won, by["p"].games_lost, by["p"].game_difference) == (2, 2, 0)
    assert (by["r"].games_won, by["r"].games_lost, by["r"].game_difference) == (0, 1, -1)
    assert [r.participant for r in rows] == ["q", "p", "r"]
    assert [r.decided_by for r in rows] == ["game_difference", "game_difference", None]


def test_elimination_standings_follow_wins_then_the_placements() -> None:
    stage = generate("single_elimination", [1, 2, 3, 4])
    apply_result(stage, "W1.1", 1)
    rows = stage_standings(stage)[0].rows
    assert [(r.participant, r.wins, r.losses, r.decided_by) for r in rows] == [
        (1, 1, 0, "wins"), (2, 0, 0, "seed"), (3, 0, 0, "losses"), (4, 0, 1, None),
    ]  # fmt: skip
    apply_result(stage, "W1.2", 3)
    apply_result(stage, "W2.1", 3)
    rows = stage_standings(stage)[0].rows
    assert [(r.participant, r.rank, r.decided_by) for r in rows] == [
        (3, 1, "placement"), (1, 2, "placement"), (2, 3, None), (4, 3, None),
    ]  # fmt: skip


@pytest.mark.parametrize("criteria", [["points", "points"], ["points", "luck"], "points", [1, 2]])
def test_tie_breaker_lists_are_checked(criteria) -> None:
    with pytest.raises(InvalidOptionsError, match="tie_breakers"):
        generate("swiss", [1, 2, 3, 4], {"tie_breakers": criteria})
