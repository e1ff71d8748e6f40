"""Correcting a completed match: a preview of every downstream change, then the change;
refused while a match depending on the result has started."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from deltacrown.brackets import engine, queries, store
from deltacrown.brackets.errors import (
    CorrectionBlockedError,
    translate,
)
from deltacrown.brackets.models import StageStatus
from deltacrown.brackets.services.common import (
    _channel,
    _delete_stages,
    _match_event,
    finish_stage,
    lock_for_result,
)
from deltacrown.core import realtime
from deltacrown.extensions import db
from deltacrown.matches.models import IN_PLAY_STATUSES, MatchStatus
from deltacrown.tournaments.errors import TournamentLockedError
from deltacrown.tournaments.models import TournamentStatus

T = TournamentStatus


@dataclass(frozen=True, slots=True)
class CorrectionOutcome:
    """A correction's preview, or what it did: the changes in row ids and registration ids."""

    match_id: int
    applied: bool
    allowed: bool
    blocking: list[int]
    changes: dict[str, Any] | None
    tournament_completed: bool = False


def changes_json(loaded: store.Loaded, changes: engine.Changes) -> dict[str, Any]:
    ids = loaded.row_id
    return {
        "moves": [
            {
                "registration_id": m.participant,
                "from_match_id": ids(m.from_match),
                "outcome": m.outcome,
                "to_match_id": ids(m.to_match),
                "slot": m.slot + 1,
            }
            for m in changes.moves
        ],
        "reset": [ids(mid) for mid in changes.reset],
        "ready": [ids(mid) for mid in changes.ready],
        "skipped": [ids(mid) for mid in changes.skipped],
        "eliminated": list(changes.eliminated),
        "reinstated": list(changes.reinstated),
        "placements": None
        if changes.placements is None
        else store.placements_json(changes.placements),
    }


def preview_result(
    match_id: int, *, winner: int | None, games: Sequence[Sequence[int]]
) -> dict[str, Any]:
    """What entering this result in an open match would change (`changes_json`), changing
    nothing. Raises the engine's result errors as `apply_result` does."""
    match = queries.get_match(match_id)
    loaded = store.load_full(queries.lock_stage(match.stage_id))
    try:
        changes = engine.apply_result(loaded.stage, match.engine_id, winner, games)
    except engine.BracketError as exc:
        raise translate(exc) from exc
    return changes_json(loaded, changes)


def correct_result(
    match_id: int,
    *,
    winner: int | None,
    games: Sequence[Sequence[int]],
    forfeit: bool = False,
    preview: bool = False,
    now: datetime,
) -> CorrectionOutcome:
    """Correct a completed match; with `preview`, only say what would change.

    A new winner swaps who went where, allowed while no match depending on the result has
    started (live, awaiting confirmation, disputed or completed): CorrectionBlockedError
    lists them (`blocking`, match ids) otherwise. In a completed tournament a correction may
    change the placements but not reopen a match (TournamentLockedError). For the matches
    domain, which has checked who acts: no actor, no audit. Also raises MatchNotFoundError,
    TournamentNotOngoingError, MatchNotCompletedError, InvalidWinnerError, InvalidScoresError.
    """
    winner_registration_id, scores = winner, games
    tournament, stage = lock_for_result(match_id, states=(T.ONGOING, T.COMPLETED))
    loaded = store.load_full(stage)
    row = next(m for m in loaded.matches.values() if m.id == match_id)
    started = {m.engine_id for m in loaded.matches.values() if m.status in IN_PLAY_STATUSES}
    try:
        result = engine.preview_correction(
            loaded.stage, row.engine_id, winner_registration_id, scores, started=started
        )
    except engine.BracketError as exc:
        raise translate(exc) from exc
    blocking = [loaded.row_id(mid) for mid in result.blocking]
    # A later stage (playoffs) was seeded from this one: it is regenerated, unless started.
    later = [s.id for s in queries.stages_of(tournament.id) if s.number > stage.number]
    blocking += queries.started_in_stages(later)
    allowed = result.allowed and not blocking
    if result.changes is not None and (
        tournament.status is T.COMPLETED and result.changes.placements is None
    ):
        raise TournamentLockedError(
            f"Tournament {tournament.id} is completed: this correction would reopen a match."
        )
    if preview or not allowed:
        if not preview:
            raise CorrectionBlockedError(
                "Matches depending on this result have started.", blocking=blocking
            )
        previewed = (
            None if result.changes is None or not allowed else changes_json(loaded, result.changes)
        )
        return CorrectionOutcome(match_id, False, allowed, blocking, previewed)
    changes = engine.apply_correction(
        loaded.stage, row.engine_id, winner_registration_id, scores, started=started
    )
    store.save(loaded, now=now)
    row.transition(MatchStatus.FORFEIT if forfeit else MatchStatus.COMPLETED, at=now)
    _delete_stages(later)
    completed = False
    if changes.placements is not None:
        completed = finish_stage(tournament, loaded, changes.placements, now=now)
    elif stage.status is StageStatus.COMPLETED:  # a reset became needed again
        stage.status, stage.placements, stage.completed_at = StageStatus.ACTIVE, None, None
    realtime.publish(_channel(tournament.id), "match.corrected", _match_event(row))
    realtime.publish(f"match:{row.id}", "match.corrected", _match_event(row))
    db.session.flush()
    return CorrectionOutcome(match_id, True, True, [], changes_json(loaded, changes), completed)
