"""Resetting a match: its result taken back in the bracket and its routing undone, while no
match it routed into has started."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from deltacrown.brackets import engine, queries, store
from deltacrown.brackets.errors import MatchResetBlockedError, translate
from deltacrown.brackets.models import StageStatus
from deltacrown.brackets.services.common import _delete_stages, lock_for_result
from deltacrown.extensions import db
from deltacrown.matches.models import IN_PLAY_STATUSES, MatchStatus
from deltacrown.tournaments.models import TournamentStatus

# A cancelled match waits for the organizer's word: taking a participant out of it blocks too.
_BLOCKING_STATUSES = IN_PLAY_STATUSES | {MatchStatus.CANCELLED}


@dataclass(frozen=True, slots=True)
class ResetOutcome:
    """What a reset changed, in row ids and registration ids."""

    match_id: int
    reset: list[int]  # matches that lost a participant (or a skipped grand-final reset)
    reinstated: list[int]  # no longer eliminated
    stages_removed: list[int]  # later stages seeded from a stage that is open again


def reset_match(match_id: int, *, now: datetime) -> ResetOutcome:
    """Take back a match's result in its stage and undo its routing; the match's row is
    `ready` again for the engine (a row that was live, awaiting confirmation or disputed is
    unchanged here: the matches domain moves it).

    Refused with MatchResetBlockedError (`blocking`: match ids) while a match it routed into
    has started, been cancelled or completed (and past a completed one, further down), or a
    later stage seeded from this one has started. Only in an ongoing tournament
    (TournamentNotOngoingError): a completed one's placements are overridden instead. For the
    matches domain: no actor, no audit. Also raises MatchNotFoundError, MatchNotReadyError.
    """
    tournament, stage = lock_for_result(match_id, states=(TournamentStatus.ONGOING,))
    loaded = store.load_full(stage)
    row = next(m for m in loaded.matches.values() if m.id == match_id)
    started = {m.engine_id for m in loaded.matches.values() if m.status in _BLOCKING_STATUSES}
    later = [s.id for s in queries.stages_of(tournament.id) if s.number > stage.number]
    try:
        changes = engine.reset_match(loaded.stage, row.engine_id, started=started)
        blocking: list[int] = []
    except engine.ResetBlockedError as exc:
        blocking = [loaded.row_id(mid) for mid in exc.blocking]
    except engine.BracketError as exc:
        raise translate(exc) from exc
    blocking += queries.started_in_stages(later)
    if blocking:
        raise MatchResetBlockedError(
            "Matches depending on this result have started.", blocking=blocking
        )
    store.save(loaded, now=now)
    row.completed_at = None
    if later:
        _delete_stages(later)
    if stage.status is StageStatus.COMPLETED and not loaded.stage.is_complete:
        stage.status, stage.placements, stage.completed_at = StageStatus.ACTIVE, None, None
    db.session.flush()
    return ResetOutcome(
        match_id,
        reset=[loaded.row_id(mid) for mid in changes.reset],
        reinstated=[int(p) for p in changes.reinstated],
        stages_removed=later,
    )
