"""Staff reset a match: it is `ready` to be played again, its result, scores, submissions and
check-ins cleared, its open dispute dismissed, and the bracket's routing of its result undone
(`brackets.services.reset_match`: refused with 409 `match_reset_blocked` while a match it
routed into has started). Audited (`tournament.match_reset`), in the match's history; a
taken-back result is announced as a corrected one (`match_result_corrected`), so ratings
replay without it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deltacrown.brackets import services as bracket_services
from deltacrown.core import audit, signals
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches import lifecycle, queries
from deltacrown.matches.disputes import close_open_dispute
from deltacrown.matches.errors import InvalidTransitionError, PermissionDeniedError
from deltacrown.matches.kinds import kind_of
from deltacrown.matches.models import MatchCheckIn, MatchStatus, SubmissionStatus
from deltacrown.tournaments import policies as tournament_policies

M = MatchStatus
RESETTABLE = (M.COMPLETED, M.FORFEIT, M.LIVE, M.AWAITING_CONFIRMATION, M.DISPUTED, M.CANCELLED)


def reset_match(
    match_id: int, *, actor: Any, reason: str, now: datetime | None = None
) -> bracket_services.ResetOutcome:
    """Reset a match (staff only) in an ongoing tournament; see the module.

    Raises MatchNotFoundError, PermissionDeniedError, InvalidTransitionError (a lobby, or a
    match not started nor decided), TournamentNotOngoingError (a completed tournament's
    placements are overridden instead) and MatchResetBlockedError (`blocking`: match ids).
    """
    now = now or utcnow()
    if not tournament_policies.is_staff(actor):
        raise PermissionDeniedError("Only staff may reset a match.")
    match, tournament = lifecycle.load(match_id, actor)
    if not kind_of(match).series:
        raise InvalidTransitionError(
            f"Match {match.id} is a battle-royale lobby; replace its games instead.",
            current_status=match.status.value,
        )
    lifecycle.require_ongoing(tournament)
    lifecycle.require_state(match, *RESETTABLE, action="reset it")
    before = {
        "status": match.status.value,
        "winner_registration_id": match.winner_registration_id,
        "scores": [list(g) for g in match.scores],
    }
    had_result = match.has_result
    outcome = bracket_services.reset_match(match.id, now=now)
    match.transition(M.READY, at=now)
    match.winner_registration_id = None
    match.scores = []
    for submission in queries.current_submissions(match.id):
        submission.status, submission.decided_at = SubmissionStatus.SUPERSEDED, now
    close_open_dispute(match, actor, None, f"The match was reset: {reason}", now)
    # Check-ins start over: here, and in the matches that lost a participant.
    db.session.execute(
        sa.delete(MatchCheckIn).where(MatchCheckIn.match_id.in_([match.id, *outcome.reset]))
    )
    db.session.flush()
    audit.record(
        actor=actor,
        action="tournament.match_reset",
        target=match,
        before=before,
        after={
            "status": match.status.value,
            "reset_match_ids": outcome.reset,
            "reinstated_registration_ids": outcome.reinstated,
            "reason": reason,
        },
    )
    lifecycle.record_event(match, "reset", actor, now=now, reason=reason)
    lifecycle.publish_bracket_updated(match)
    if had_result:
        signals.send_after_commit(
            signals.match_result_corrected,
            "matches",
            match_id=match.id,
            tournament_id=tournament.id,
            actor_id=getattr(actor, "id", None),
        )
    lifecycle.start_waiting(tournament, now, match=match)
    return outcome
