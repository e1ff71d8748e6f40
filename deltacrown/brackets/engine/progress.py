"""Applying a match result: route the winner and loser, report what changed, place at the end.

`apply_result` mutates the stage and touches only the match and the (at most two) matches its
participants move to, so a full play-through is linear in the number of matches. Byes never
appear here: generation resolved all of them (see formats/_builder.py), so nobody is ever
advanced automatically after a result. Round-robin and Swiss matches route nobody and may be
drawn (`winner=None`) when the stage allows draws; the last result of a Swiss round lets the
format settle the round (`Changes.round_completed`, who advanced or went out).
"""

from __future__ import annotations

from collections.abc import Sequence

from deltacrown.brackets.engine.changes import Changes, Move
from deltacrown.brackets.engine.errors import (
    InvalidScoresError,
    InvalidWinnerError,
    MatchAlreadyCompletedError,
    MatchNotReadyError,
)
from deltacrown.brackets.engine.formats import get_format
from deltacrown.brackets.engine.model import (
    Match,
    MatchStatus,
    ParticipantId,
    Placement,
    Side,
    Stage,
)
from deltacrown.brackets.engine.standings import StandingsTable

__all__ = ["Changes", "Move", "apply_result", "final_placements", "stage_standings"]

_READY = MatchStatus.READY
_COMPLETED = MatchStatus.COMPLETED
_SKIPPED = MatchStatus.SKIPPED
_GROUP = Side.GROUP
_SWISS = Side.SWISS


def apply_result(
    stage: Stage,
    match_id: str,
    winner: ParticipantId | None,
    scores: Sequence[Sequence[int]] = (),
) -> Changes:
    """Record the result of a ready match and move its participants on.

    `scores` are the per-game scores in slot order (`[[13, 9], [7, 13], [13, 11]]`); the engine
    checks their shape only: whether they agree with the winner is a rule of the game and the
    match domain. `winner=None` is a draw, accepted only in a round-robin or Swiss stage whose
    `allow_draws` is on. Raises UnknownMatchError, MatchAlreadyCompletedError (use a
    correction), MatchNotReadyError, InvalidWinnerError or InvalidScoresError; the stage is
    unchanged then.
    """
    match = stage.match(match_id)
    if match.status is not _READY:
        if match.status is _COMPLETED:
            raise MatchAlreadyCompletedError(f"match {match_id} already has a result")
        raise MatchNotReadyError(f"match {match_id} is {match.status.value}, not ready")
    league = match.side is _GROUP or match.side is _SWISS
    winner_slot = check_winner(stage, match, winner, league)
    checked = check_scores(scores)
    match.winner = winner
    match.scores = checked
    match.status = _COMPLETED
    stage.open_count -= 1
    changes = Changes(match_id)
    if not league:
        _route(stage, match, winner_slot, changes)
    elif stage.open_count == 0:
        settle = getattr(get_format(stage.format), "round_completed", None)
        if settle is not None:
            settle(stage, changes)
    if stage.open_count == 0:
        changes.placements = final_placements(stage)
    return changes


def check_winner(stage: Stage, match: Match, winner: ParticipantId | None, league: bool) -> int:
    """The winner's slot; -1 for an allowed draw. Raises InvalidWinnerError."""
    if winner is not None:
        return slot_of(match, winner)
    if league and stage.options.get("allow_draws"):
        return -1
    raise InvalidWinnerError(f"match {match.id} cannot end in a draw")


def slot_of(match: Match, participant: ParticipantId) -> int:
    first, second = match.slots
    if participant == first.participant:
        return 0
    if participant == second.participant:
        return 1
    raise InvalidWinnerError(f"{participant!r} does not play in match {match.id}")


def check_scores(scores: Sequence[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    checked: list[tuple[int, int]] = []
    for game in scores:
        if len(game) != 2 or not all(type(points) is int for points in game) or min(game) < 0:
            raise InvalidScoresError(
                "scores must be a list of [slot 1, slot 2] pairs of non-negative integers"
            )
        checked.append((game[0], game[1]))
    return tuple(checked)


def _route(stage: Stage, match: Match, winner_slot: int, changes: Changes) -> None:
    winner = match.slots[winner_slot].participant
    loser = match.slots[1 - winner_slot].participant
    target = match.winner_to
    if target is not None:
        nxt = stage.matches[target.match]
        if nxt.is_reset and winner_slot == 0:
            # The winners'-bracket champion won the grand final: no reset, the loser is out.
            nxt.status = _SKIPPED
            stage.open_count -= 1
            changes.skipped.append(nxt.id)
            changes.eliminated.append(loser)  # type: ignore[arg-type]
            return
        _fill(nxt, target.slot, winner, match.id, "winner", changes)  # type: ignore[arg-type]
    target = match.loser_to
    if target is None:
        changes.eliminated.append(loser)  # type: ignore[arg-type]
    else:
        nxt = stage.matches[target.match]
        _fill(nxt, target.slot, loser, match.id, "loser", changes)  # type: ignore[arg-type]


def _fill(
    match: Match,
    slot: int,
    participant: ParticipantId,
    from_match: str,
    outcome: str,
    changes: Changes,
) -> None:
    match.slots[slot].participant = participant
    changes.moves.append(Move(participant, from_match, outcome, match.id, slot))
    if match.slots[1 - slot].participant is not None:
        match.status = _READY
        changes.ready.append(match.id)


def stage_standings(stage: Stage) -> list[StandingsTable]:
    """The tables of a stage, in any state, as its format ranks them: one per group, per
    lobby, or one for the stage."""
    return get_format(stage.format).standings(stage)


def final_placements(stage: Stage) -> list[Placement] | None:
    """Placements of a stage that is over (None while matches remain)."""
    if not stage.is_complete:
        return None
    return get_format(stage.format).placements(stage)
