"""Correcting a completed match: preview every downstream change, then apply it.

A correction that keeps the winner only replaces the scores and is always allowed. One that
changes the winner swaps who went where: the new winner takes the old winner's slot in the
next match, the new loser the old loser's slot (or is eliminated). It is allowed only while
those matches have not started; otherwise it is refused with every started or completed
match that depends on the result (following completed matches further downstream, since
their results were built on it). Correcting a grand final can also add or drop the reset.

The preview runs the same plan as the correction and undoes it, so what it shows is exactly
what applying will do.

Round-robin and Swiss results move nobody, so correcting one (to a draw too, where allowed)
only rewrites it; a Swiss result is refused once a later round has been paired on it (every
match of the later rounds blocks), and correcting the last round of an X-wins Swiss settles
that round again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from deltacrown.brackets.engine.errors import (
    CorrectionBlockedError,
    InvalidWinnerError,
    MatchNotCompletedError,
)
from deltacrown.brackets.engine.formats import get_format
from deltacrown.brackets.engine.model import (
    LEAGUE_SIDES,
    Match,
    MatchStatus,
    ParticipantId,
    Side,
    Slot,
    Stage,
)
from deltacrown.brackets.engine.progress import (
    Changes,
    Move,
    check_scores,
    check_winner,
    final_placements,
)


@dataclass(slots=True)
class CorrectionPreview:
    match_id: str
    allowed: bool
    blocking: list[str]  # started or completed matches that depend on the result
    changes: Changes | None  # what applying will change; None when not allowed


@dataclass(slots=True)
class _Plan:
    match: Match
    winner: ParticipantId | None
    scores: tuple[tuple[int, int], ...]
    changes: Changes
    paired_on: list[str] = field(default_factory=list)  # Swiss: later rounds' matches
    slots: list[tuple[Slot, ParticipantId | None]] = field(default_factory=list)
    statuses: list[tuple[Match, MatchStatus]] = field(default_factory=list)
    direct: list[Match] = field(default_factory=list)  # matches whose line-up changes


def preview_correction(
    stage: Stage,
    match_id: str,
    winner: ParticipantId | None,
    scores: Sequence[Sequence[int]] = (),
    *,
    started: Collection[str] = frozenset(),
) -> CorrectionPreview:
    """What correcting `match_id` to (`winner`, `scores`) would change; the stage is unchanged.

    `started` holds the ids of matches the match domain considers started (live, awaiting
    confirmation, disputed, ...); completed matches count as started anyway.
    """
    plan = _plan(stage, match_id, winner, scores)
    blocking = plan.paired_on or blocking_downstream(stage, plan.direct, started)
    if blocking:
        return CorrectionPreview(match_id, False, blocking, None)
    undo = _execute(stage, plan)
    try:
        plan.changes.placements = final_placements(stage)
    finally:
        undo()
    return CorrectionPreview(match_id, True, [], plan.changes)


def apply_correction(
    stage: Stage,
    match_id: str,
    winner: ParticipantId | None,
    scores: Sequence[Sequence[int]] = (),
    *,
    started: Collection[str] = frozenset(),
) -> Changes:
    """Correct a completed match; raises CorrectionBlockedError (with `blocking`) if refused.

    Also raises UnknownMatchError, MatchNotCompletedError, InvalidWinnerError and
    InvalidScoresError. A refused correction leaves the stage unchanged.
    """
    plan = _plan(stage, match_id, winner, scores)
    blocking = plan.paired_on or blocking_downstream(stage, plan.direct, started)
    if blocking:
        if plan.paired_on:
            detail = f"later rounds were paired on {match_id}: {', '.join(blocking)}"
        else:
            detail = f"matches depending on {match_id} have started: {', '.join(blocking)}"
        raise CorrectionBlockedError(detail, blocking)
    _execute(stage, plan)
    plan.changes.placements = final_placements(stage)
    return plan.changes


def _plan(
    stage: Stage, match_id: str, winner: ParticipantId | None, scores: Sequence[Sequence[int]]
) -> _Plan:
    match = stage.match(match_id)
    if match.status is not MatchStatus.COMPLETED:
        raise MatchNotCompletedError(f"match {match_id} has no result to correct")
    league = match.side in LEAGUE_SIDES
    new_slot = check_winner(stage, match, winner, league)
    plan = _Plan(match, winner, check_scores(scores), Changes(match_id))
    if winner == match.winner:
        return plan
    if league:
        if match.side is Side.SWISS:  # rounds are numbered from 1 in order
            plan.paired_on = [mid for rnd in stage.rounds[match.round :] for mid in rnd.match_ids]
        return plan
    if winner is None:  # unreachable: check_winner refuses a draw outside league stages
        raise InvalidWinnerError(f"match {match_id} cannot end in a draw")
    loser: ParticipantId = match.slots[1 - new_slot].participant  # type: ignore[assignment]
    changes = plan.changes
    target = match.winner_to
    reset = stage.matches[target.match] if target else None
    if reset is not None and reset.is_reset:
        plan.direct.append(reset)
        changes.reset.append(reset.id)
        if new_slot == 1:  # the losers'-bracket finalist now wins: the reset is needed
            plan.slots += [(reset.slots[0], winner), (reset.slots[1], loser)]
            plan.statuses.append((reset, MatchStatus.READY))
            changes.moves += [
                Move(winner, match.id, "winner", reset.id, 0),
                Move(loser, match.id, "loser", reset.id, 1),
            ]
            changes.ready.append(reset.id)
            changes.reinstated.append(winner)
        else:  # the winners'-bracket champion now wins: no reset, the other finalist is out
            plan.slots += [(reset.slots[0], None), (reset.slots[1], None)]
            plan.statuses.append((reset, MatchStatus.SKIPPED))
            changes.skipped.append(reset.id)
            changes.eliminated.append(loser)
        return plan
    for target, participant, outcome in (
        (match.winner_to, winner, "winner"),
        (match.loser_to, loser, "loser"),
    ):
        if target is not None:
            nxt = stage.matches[target.match]
            plan.direct.append(nxt)
            plan.slots.append((nxt.slots[target.slot], participant))
            changes.moves.append(Move(participant, match.id, outcome, nxt.id, target.slot))
            changes.reset.append(nxt.id)
    if match.loser_to is None:
        changes.eliminated.append(loser)
        changes.reinstated.append(winner)
    return plan


def blocking_downstream(stage: Stage, direct: list[Match], started: Collection[str]) -> list[str]:
    """The matches among `direct` (and, past completed ones, further downstream) that have
    started or completed: what a change to the result feeding them would rewrite."""
    blocking: list[str] = []
    seen: set[str] = set()
    queue = deque(direct)
    while queue:
        match = queue.popleft()
        if match.id in seen:
            continue
        seen.add(match.id)
        completed = match.status is MatchStatus.COMPLETED
        if completed or match.id in started:
            blocking.append(match.id)
        if completed:  # its result was built on the one being corrected
            queue.extend(stage.matches[t.match] for t in (match.winner_to, match.loser_to) if t)
    return blocking


def _execute(stage: Stage, plan: _Plan) -> Callable[[], None]:
    """Apply the plan; return a function that undoes it (used by the preview)."""
    match = plan.match
    old_result = (match.winner, match.scores)
    old_slots = [(slot, slot.participant) for slot, _ in plan.slots]
    old_statuses = [(m, m.status) for m, _ in plan.statuses]
    old_open = stage.open_count
    old_more_rounds = stage.more_rounds
    match.winner, match.scores = plan.winner, plan.scores
    for slot, participant in plan.slots:
        slot.participant = participant
    for m, status in plan.statuses:
        stage.open_count += _open_delta(m.status, status)
        m.status = status
    if match.side is Side.SWISS and stage.open_count == 0 and old_result[0] != plan.winner:
        get_format(stage.format).round_completed(stage, plan.changes)  # type: ignore[attr-defined]

    def undo() -> None:
        match.winner, match.scores = old_result
        for slot, participant in old_slots:
            slot.participant = participant
        for m, status in old_statuses:
            m.status = status
        stage.open_count = old_open
        stage.more_rounds = old_more_rounds

    return undo


def _open_delta(before: MatchStatus, after: MatchStatus) -> int:
    done = (MatchStatus.COMPLETED, MatchStatus.SKIPPED)
    return int(before in done) - int(after in done)
