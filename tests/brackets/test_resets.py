"""Resetting a match: its result is taken back, its routing undone, refused once a match it
routed into has started."""

from __future__ import annotations

import pytest

from deltacrown.brackets.engine import (
    MatchNotReadyError,
    MatchStatus,
    ResetBlockedError,
    Stage,
    apply_result,
    generate,
    next_round,
    reset_match,
)


def names(n: int) -> list[str]:
    return [f"p{i}" for i in range(1, n + 1)]


def played(format_name: str, n: int, results: list[tuple[str, str | None]], **options) -> Stage:
    stage = generate(format_name, names(n), options)
    for match_id, winner in results:
        apply_result(stage, match_id, winner, [[1, 0]])
    return stage


def test_reset_in_single_elimination_empties_the_next_slot_and_reinstates_the_loser() -> None:
    fresh = generate("single_elimination", names(8))
    stage = played("single_elimination", 8, [("W1.1", "p1"), ("W1.2", "p4")])
    changes = reset_match(stage, "W1.1")
    assert changes.reset == ["W2.1"] and changes.reinstated == ["p8"]
    match, nxt = stage.matches["W1.1"], stage.matches["W2.1"]
    assert (match.status, match.winner, match.scores) == (MatchStatus.READY, None, ())
    assert nxt.participants == (None, "p4") and nxt.status is MatchStatus.PENDING
    assert stage.open_count == fresh.open_count - 1  # only W1.2 is still decided
    # Played again, with the other winner this time, it routes as a first result does.
    apply_result(stage, "W1.1", "p8")
    assert stage.matches["W2.1"].participants == ("p8", "p4")


def test_reset_in_double_elimination_takes_back_both_winner_and_loser() -> None:
    stage = played("double_elimination", 8, [("W1.1", "p1"), ("W1.2", "p4"), ("W1.4", "p3")])
    assert stage.matches["L1.1"].participants == ("p8", "p5")
    changes = reset_match(stage, "W1.1")
    assert changes.reset == ["W2.1", "L1.1"] and changes.reinstated == []
    assert stage.matches["W2.1"].participants == (None, "p4")
    assert stage.matches["L1.1"].participants == (None, "p5")
    assert stage.matches["L1.1"].status is MatchStatus.PENDING


def test_started_or_completed_downstream_match_blocks_the_reset() -> None:
    results = [("W1.1", "p1"), ("W1.2", "p4"), ("W1.3", "p2"), ("W1.4", "p3")]
    stage = played("single_elimination", 8, results)
    before = stage.to_dict()
    with pytest.raises(ResetBlockedError) as info:
        reset_match(stage, "W1.1", started={"W2.1"})
    assert info.value.blocking == ["W2.1"] and info.value.code == "match_reset_blocked"
    apply_result(stage, "W2.1", "p1")
    apply_result(stage, "W2.2", "p2")
    before = stage.to_dict()
    with pytest.raises(ResetBlockedError) as info:
        reset_match(stage, "W1.1", started={"W3.1"})
    assert info.value.blocking == ["W2.1", "W3.1"]  # and further down a completed one
    assert stage.to_dict() == before


def test_resetting_the_grand_final_reopens_the_stage_and_a_skipped_reset() -> None:
    stage = generate("double_elimination", names(4), {"grand_final": "double"})
    for match_id in ("W1.1", "W1.2", "L1.1", "W2.1", "L2.1"):
        match = stage.matches[match_id]
        apply_result(stage, match_id, match.participants[0])
    winners_champion = stage.matches["GF1.1"].participants[0]
    assert apply_result(stage, "GF1.1", winners_champion).placements is not None
    assert stage.matches["GF2.1"].status is MatchStatus.SKIPPED
    changes = reset_match(stage, "GF1.1")
    assert changes.reset == ["GF2.1"]
    assert changes.reinstated == [stage.matches["GF1.1"].participants[1]]
    assert stage.matches["GF2.1"].status is MatchStatus.PENDING
    assert not stage.is_complete and stage.open_count == 2
    # The losers'-bracket finalist wins the replay: the reset is played.
    apply_result(stage, "GF1.1", stage.matches["GF1.1"].participants[1])
    assert stage.matches["GF2.1"].status is MatchStatus.READY


def test_a_league_reset_reopens_only_the_match_and_swiss_refuses_after_pairing() -> None:
    stage = generate("round_robin", names(4), {"allow_draws": True})
    apply_result(stage, "G1.1.1", None, [[1, 1]])
    open_before = stage.open_count
    changes = reset_match(stage, "G1.1.1")
    assert changes.reset == [] and changes.reinstated == []
    assert stage.matches["G1.1.1"].status is MatchStatus.READY
    assert stage.open_count == open_before + 1

    swiss = generate("swiss", names(4), {"swiss_rounds": 2})
    for match_id in list(swiss.matches):
        apply_result(swiss, match_id, swiss.matches[match_id].participants[0])
    next_round(swiss)
    with pytest.raises(ResetBlockedError) as info:
        reset_match(swiss, "S1.1")
    assert info.value.blocking == ["S2.1", "S2.2"]


def test_a_match_without_a_result_or_participants_resets_nothing_or_is_refused() -> None:
    stage = generate("single_elimination", names(4))
    before = stage.to_dict()
    assert reset_match(stage, "W1.1").reset == []
    assert stage.to_dict() == before
    with pytest.raises(MatchNotReadyError):
        reset_match(stage, "W2.1")
