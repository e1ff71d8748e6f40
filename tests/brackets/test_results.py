"""Applying results: routing, readiness, eliminations, grand-final reset and final placements."""

from __future__ import annotations

import pytest

from deltacrown.brackets.engine import (
    InvalidScoresError,
    InvalidWinnerError,
    MatchAlreadyCompletedError,
    MatchNotReadyError,
    MatchStatus,
    Move,
    Stage,
    UnknownMatchError,
    apply_result,
    final_placements,
    generate,
)
from tests.brackets.support import first_slot_wins, play


def ranks(stage_or_changes) -> list[tuple[str, int]]:
    placements = getattr(stage_or_changes, "placements", None)
    if placements is None and isinstance(stage_or_changes, Stage):
        placements = final_placements(stage_or_changes)
    return [(p.participant, p.rank) for p in placements]


def names(n: int) -> list[str]:
    return [f"p{i}" for i in range(1, n + 1)]


def test_result_moves_the_winner_and_eliminates_the_loser() -> None:
    stage = generate("single_elimination", names(8))
    changes = apply_result(stage, "W1.1", "p8", [[9, 13], [13, 11], [8, 13]])
    assert changes.moves == [Move("p8", "W1.1", "winner", "W2.1", 0)]
    assert changes.eliminated == ["p1"]
    assert changes.ready == [] and changes.placements is None
    match = stage.matches["W1.1"]
    assert (match.status, match.winner, match.loser) == (MatchStatus.COMPLETED, "p8", "p1")
    assert match.scores == ((9, 13), (13, 11), (8, 13))
    assert stage.matches["W2.1"].participants == ("p8", None)
    changes = apply_result(stage, "W1.2", "p5")
    assert changes.ready == ["W2.1"]
    assert stage.matches["W2.1"].participants == ("p8", "p5")
    assert stage.matches["W2.1"].status is MatchStatus.READY


def test_single_elimination_placements_share_third_without_a_third_place_match() -> None:
    stage = generate("single_elimination", names(8))
    last = play(stage)
    assert last.match_id == "W3.1"
    assert ranks(last) == [
        ("p1", 1), ("p2", 2), ("p3", 3), ("p4", 3),
        ("p5", 5), ("p6", 5), ("p7", 5), ("p8", 5),
    ]  # fmt: skip


def test_single_elimination_placements_from_the_third_place_match() -> None:
    stage = generate("single_elimination", names(8), {"third_place": True})
    for match_id, winner in [
        ("W1.1", "p1"), ("W1.2", "p5"), ("W1.3", "p2"), ("W1.4", "p3"),
        ("W2.1", "p5"), ("W2.2", "p2"),
    ]:  # fmt: skip
        apply_result(stage, match_id, winner)
    assert stage.matches["TP1.1"].participants == ("p1", "p3")
    assert stage.matches["TP1.1"].status is MatchStatus.READY
    assert apply_result(stage, "TP1.1", "p3").placements is None  # the final is still open
    last = apply_result(stage, "W3.1", "p2")
    assert ranks(last) == [
        ("p2", 1), ("p5", 2), ("p3", 3), ("p1", 4),
        ("p4", 5), ("p6", 5), ("p7", 5), ("p8", 5),
    ]  # fmt: skip


def test_single_elimination_with_byes_places_by_round_of_elimination() -> None:
    stage = generate("single_elimination", names(6))
    assert ranks(play(stage)) == [
        ("p1", 1), ("p2", 2), ("p3", 3), ("p4", 3), ("p5", 5), ("p6", 5),
    ]  # fmt: skip


def test_double_elimination_sends_the_loser_to_the_losers_bracket() -> None:
    stage = generate("double_elimination", names(8))
    changes = apply_result(stage, "W1.1", "p1")
    assert changes.moves == [
        Move("p1", "W1.1", "winner", "W2.1", 0),
        Move("p8", "W1.1", "loser", "L1.1", 0),
    ]
    assert changes.eliminated == []
    apply_result(stage, "W1.2", "p4")
    assert stage.matches["L1.1"].participants == ("p8", "p5")
    assert stage.matches["L1.1"].status is MatchStatus.READY
    changes = apply_result(stage, "L1.1", "p5")
    assert changes.eliminated == ["p8"]
    assert changes.moves == [Move("p5", "L1.1", "winner", "L2.1", 1)]


def test_winners_champion_winning_the_grand_final_skips_the_reset() -> None:
    stage = generate("double_elimination", names(8))
    last = play(stage)  # slot 1 always wins: the winners' champion takes GF1.1
    assert last.match_id == "GF1.1"
    assert last.skipped == ["GF2.1"]
    assert last.eliminated == ["p2"]
    assert stage.matches["GF2.1"].status is MatchStatus.SKIPPED
    assert stage.is_complete
    assert ranks(last) == [
        ("p1", 1), ("p2", 2), ("p3", 3), ("p4", 4),
        ("p7", 5), ("p8", 5), ("p5", 7), ("p6", 7),
    ]  # fmt: skip


def _to_grand_final(grand_final: str) -> Stage:
    stage = generate("double_elimination", names(4), {"grand_final": grand_final})
    for match_id, winner in [
        ("W1.1", "p1"), ("W1.2", "p2"), ("L1.1", "p3"), ("W2.1", "p1"), ("L2.1", "p2"),
    ]:  # fmt: skip
        apply_result(stage, match_id, winner)
    return stage


def test_losers_champion_winning_the_grand_final_forces_the_reset() -> None:
    stage = _to_grand_final("double")
    assert stage.matches["GF1.1"].participants == ("p1", "p2")
    changes = apply_result(stage, "GF1.1", "p2")
    assert changes.ready == ["GF2.1"]
    assert changes.eliminated == [] and changes.placements is None
    assert stage.matches["GF2.1"].participants == ("p2", "p1")
    last = apply_result(stage, "GF2.1", "p1")
    assert last.eliminated == ["p2"]
    assert ranks(last) == [("p1", 1), ("p2", 2), ("p3", 3), ("p4", 4)]


def test_single_grand_final_ends_the_stage_whoever_wins() -> None:
    stage = _to_grand_final("single")
    last = apply_result(stage, "GF1.1", "p2")
    assert last.eliminated == ["p1"]
    assert ranks(last) == [("p2", 1), ("p1", 2), ("p3", 3), ("p4", 4)]


def test_no_grand_final_ranks_the_two_bracket_champions_first_and_second() -> None:
    stage = _to_grand_final("none")
    assert stage.is_complete
    assert ranks(stage) == [("p1", 1), ("p2", 2), ("p3", 3), ("p4", 4)]


def test_placements_are_none_while_the_stage_runs() -> None:
    stage = generate("single_elimination", names(4))
    apply_result(stage, "W1.1", "p1")
    assert final_placements(stage) is None
    assert not stage.is_complete


@pytest.mark.parametrize(
    ("match_id", "winner", "scores", "error"),
    [
        ("W9.9", "p1", (), UnknownMatchError),
        ("W2.1", "p1", (), MatchNotReadyError),
        ("W1.1", "p1", (), MatchAlreadyCompletedError),
        ("W1.2", "p1", (), InvalidWinnerError),
        ("W1.2", "p3", [[1, -1]], InvalidScoresError),
        ("W1.2", "p3", [[1, 0, 2]], InvalidScoresError),
        ("W1.2", "p3", [[True, 0]], InvalidScoresError),
        ("W1.2", "p3", [["13", "7"]], InvalidScoresError),
    ],
)
def test_refused_results_leave_the_stage_unchanged(match_id, winner, scores, error) -> None:
    stage = generate("single_elimination", names(4))
    apply_result(stage, "W1.1", "p1")
    before = stage.to_dict()
    with pytest.raises(error) as info:
        apply_result(stage, match_id, winner, scores)
    assert info.value.code == error.code
    assert stage.to_dict() == before
    assert stage.open_count == 2


def test_a_skipped_reset_cannot_be_played() -> None:
    stage = generate("double_elimination", names(3))
    play(stage, first_slot_wins)
    with pytest.raises(MatchNotReadyError, match="skipped"):
        apply_result(stage, "GF2.1", "p1")
