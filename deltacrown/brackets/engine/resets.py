"""Resetting a match: its result is taken back and it is ready to be played again.

A decided elimination match had routed its winner and loser into the next matches (or
eliminated the loser, or made a grand-final reset needless); a reset undoes exactly that: the
participants it placed leave those slots (which wait again: `pending`), an eliminated loser is
reinstated, a skipped grand-final reset is pending again, and the stage is open again (no
placements). It is refused while a match it routed into has started or completed (following
completed matches further downstream, as a correction does), with the blocking matches.

A round-robin or Swiss match routes nobody, so its reset only reopens it; a Swiss one is
refused once a later round has been paired on it. A match without a result (`ready` for the
engine: live, awaiting confirmation or disputed for the match domain) has nothing routed, so
its reset changes nothing here.
"""

from __future__ import annotations

from collections.abc import Collection

from deltacrown.brackets.engine.changes import Changes
from deltacrown.brackets.engine.corrections import blocking_downstream
from deltacrown.brackets.engine.errors import MatchNotReadyError, ResetBlockedError
from deltacrown.brackets.engine.model import LEAGUE_SIDES, MatchStatus, Side, Stage

_PENDING, _READY = MatchStatus.PENDING, MatchStatus.READY
_COMPLETED, _SKIPPED = MatchStatus.COMPLETED, MatchStatus.SKIPPED


def reset_match(stage: Stage, match_id: str, *, started: Collection[str] = frozenset()) -> Changes:
    """Take back `match_id`'s result and undo its routing; the match is ready again.

    `started` holds the ids of matches the match domain considers started (live, awaiting
    confirmation, disputed, ...). Raises UnknownMatchError, MatchNotReadyError (a match whose
    participants are not known, or a skipped reset: nothing to reset) and ResetBlockedError
    (with `blocking`); the stage is unchanged then. `Changes.reset` lists the matches whose
    line-up changed, `reinstated` who is no longer eliminated.
    """
    match = stage.match(match_id)
    changes = Changes(match_id)
    if match.status is _READY:
        return changes  # no result: nothing was routed
    if match.status is not _COMPLETED:
        raise MatchNotReadyError(f"match {match_id} is {match.status.value}: nothing to reset")
    targets = [t for t in (match.winner_to, match.loser_to) if t is not None]
    if match.side in LEAGUE_SIDES:
        blocking = []
        if match.side is Side.SWISS:  # rounds are numbered from 1 in order
            blocking = [mid for rnd in stage.rounds[match.round :] for mid in rnd.match_ids]
        if blocking:
            raise ResetBlockedError(
                f"later rounds were paired on {match_id}: {', '.join(blocking)}", blocking
            )
        targets = []
    else:
        blocking = blocking_downstream(stage, [stage.matches[t.match] for t in targets], started)
        if blocking:
            raise ResetBlockedError(
                f"matches depending on {match_id} have started: {', '.join(blocking)}", blocking
            )
    winner, loser = match.winner, match.loser
    eliminated = match.side not in LEAGUE_SIDES and match.loser_to is None
    for target, participant in ((match.winner_to, winner), (match.loser_to, loser)):
        if target is None:
            continue
        nxt = stage.matches[target.match]
        if nxt.is_reset and nxt.status is _SKIPPED:
            # The winners'-bracket champion had won the grand final: the reset is needed
            # again if the final is replayed, and its loser was eliminated.
            nxt.status = _PENDING
            stage.open_count += 1
            eliminated = True
            _note(changes.reset, nxt.id)
            break
        slot = nxt.slots[target.slot]
        if slot.participant is None or slot.participant != participant:
            continue
        slot.participant = None
        if nxt.status is _READY:
            nxt.status = _PENDING
        _note(changes.reset, nxt.id)
    if eliminated and loser is not None:
        changes.reinstated.append(loser)
    match.winner, match.scores, match.status = None, (), _READY
    stage.open_count += 1
    return changes


def _note(ids: list[str], match_id: str) -> None:
    if match_id not in ids:
        ids.append(match_id)
