"""Correcting results: the preview matches the correction, and started matches block it."""

from __future__ import annotations

import pytest

from deltacrown.brackets.engine import (
    CorrectionBlockedError,
    InvalidWinnerError,
    MatchNotCompletedError,
    MatchStatus,
    Move,
    Stage,
    apply_correction,
    apply_result,
    generate,
    preview_correction,
)


def names(n: int) -> list[str]:
    return [f"p{i}" for i in range(1, n + 1)]


def played(format_name: str, n: int, results: list[tuple[str, str]], **options) -> Stage:
    stage = generate(format_name, names(n), options)
    for match_id, winner in results:
        apply_result(stage, match_id, winner, [[1, 0]])
    return stage


def test_preview_lists_the_downstream_changes_without_applying_them() -> None:
    stage = played("single_elimination", 8, [("W1.1", "p1"), ("W1.2", "p4")])
    before = stage.to_dict()
    preview = preview_correction(stage, "W1.1", "p8", [[0, 1]])
    assert stage.to_dict() == before
    assert preview.allowed and preview.blocking == []
    changes = preview.changes
    assert changes.moves == [Move("p8", "W1.1", "winner", "W2.1", 0)]
    assert changes.reset == ["W2.1"]
    assert (changes.eliminated, changes.reinstated) == (["p1"], ["p8"])

    applied = apply_correction(stage, "W1.1", "p8", [[0, 1]])
    assert applied == changes
    match = stage.matches["W1.1"]
    assert (match.winner, match.loser, match.scores) == ("p8", "p1", ((0, 1),))
    assert stage.matches["W2.1"].participants == ("p8", "p4")
    assert stage.matches["W2.1"].status is MatchStatus.READY


def test_correction_swaps_both_destinations_in_double_elimination() -> None:
    stage = played("double_elimination", 8, [("W1.1", "p1"), ("W1.2", "p4")])
    changes = apply_correction(stage, "W1.1", "p8")
    assert changes.moves == [
        Move("p8", "W1.1", "winner", "W2.1", 0),
        Move("p1", "W1.1", "loser", "L1.1", 0),
    ]
    assert changes.reset == ["W2.1", "L1.1"]
    assert changes.eliminated == [] and changes.reinstated == []
    assert stage.matches["W2.1"].participants == ("p8", "p4")
    assert stage.matches["L1.1"].participants == ("p1", "p5")


def test_started_next_match_blocks_the_correction() -> None:
    stage = played("single_elimination", 8, [("W1.1", "p1"), ("W1.2", "p4")])
    before = stage.to_dict()
    preview = preview_correction(stage, "W1.1", "p8", started={"W2.1"})
    assert (preview.allowed, preview.blocking, preview.changes) == (False, ["W2.1"], None)
    with pytest.raises(CorrectionBlockedError) as info:
        apply_correction(stage, "W1.1", "p8", started={"W2.1"})
    assert info.value.blocking == ["W2.1"]
    assert info.value.code == "correction_blocked"
    assert stage.to_dict() == before


def test_blocking_follows_completed_matches_downstream() -> None:
    results = [("W1.1", "p1"), ("W1.2", "p4"), ("W1.3", "p2"), ("W1.4", "p3"), ("W2.1", "p1")]
    stage = played("single_elimination", 8, results, third_place=True)
    preview = preview_correction(stage, "W1.1", "p8", started={"W3.1", "W2.2"})
    # W2.1 is completed; its winner's final and its loser's third-place match depend on it.
    assert preview.blocking == ["W2.1", "W3.1"]
    apply_result(stage, "W2.2", "p2")
    apply_result(stage, "TP1.1", "p3")
    preview = preview_correction(stage, "W1.1", "p8")
    assert preview.blocking == ["W2.1", "TP1.1"]


def test_score_only_correction_is_allowed_after_later_matches() -> None:
    stage = played("single_elimination", 4, [("W1.1", "p1"), ("W1.2", "p2"), ("W2.1", "p1")])
    changes = apply_correction(stage, "W1.1", "p1", [[13, 11]], started={"W2.1"})
    assert changes.moves == [] and changes.reset == []
    assert stage.matches["W1.1"].scores == ((13, 11),)
    assert [(p.participant, p.rank) for p in changes.placements] == [
        ("p1", 1), ("p2", 2), ("p3", 3), ("p4", 3),
    ]  # fmt: skip


def test_correcting_the_final_reorders_the_placements() -> None:
    stage = played("single_elimination", 4, [("W1.1", "p1"), ("W1.2", "p2"), ("W2.1", "p1")])
    preview = preview_correction(stage, "W2.1", "p2")
    assert [(p.participant, p.rank) for p in preview.changes.placements][:2] == [
        ("p2", 1), ("p1", 2),
    ]  # fmt: skip
    assert stage.matches["W2.1"].winner == "p1"  # the preview changed nothing
    changes = apply_correction(stage, "W2.1", "p2")
    assert changes == preview.changes
    assert stage.is_complete


GRAND_FINAL = [("W1.1", "p1"), ("W1.2", "p2"), ("L1.1", "p3"), ("W2.1", "p1"), ("L2.1", "p2")]


def test_grand_final_correction_adds_the_reset() -> None:
    stage = played("double_elimination", 4, [*GRAND_FINAL, ("GF1.1", "p1")])
    assert stage.is_complete
    changes = apply_correction(stage, "GF1.1", "p2")
    assert changes.ready == ["GF2.1"] and changes.reset == ["GF2.1"]
    assert changes.reinstated == ["p2"]
    assert changes.placements is None
    assert not stage.is_complete
    assert stage.matches["GF2.1"].participants == ("p2", "p1")
    assert stage.matches["GF2.1"].status is MatchStatus.READY
    last = apply_result(stage, "GF2.1", "p2")
    assert [p.participant for p in last.placements] == ["p2", "p1", "p3", "p4"]


def test_grand_final_correction_drops_the_unstarted_reset() -> None:
    stage = played("double_elimination", 4, [*GRAND_FINAL, ("GF1.1", "p2")])
    assert preview_correction(stage, "GF1.1", "p1", started={"GF2.1"}).blocking == ["GF2.1"]
    changes = apply_correction(stage, "GF1.1", "p1")
    assert changes.skipped == ["GF2.1"] and changes.eliminated == ["p2"]
    assert stage.matches["GF2.1"].status is MatchStatus.SKIPPED
    assert stage.matches["GF2.1"].participants == (None, None)
    assert [p.participant for p in changes.placements] == ["p1", "p2", "p3", "p4"]


def test_correcting_a_match_without_result_is_refused() -> None:
    stage = played("single_elimination", 4, [])
    with pytest.raises(MatchNotCompletedError):
        preview_correction(stage, "W1.1", "p1")
    apply_result(stage, "W1.1", "p1")
    with pytest.raises(InvalidWinnerError):
        apply_correction(stage, "W1.1", "p2")
