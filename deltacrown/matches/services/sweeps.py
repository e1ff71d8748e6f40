"""The minute sweeps over matches that are due (run by Celery beat, `flask jobs run`, or
tests with a travelled clock), as the system (`SYSTEM`): confirm results left unanswered, and
apply the no-show rule once check-in is over. Each match is one savepoint: a step refused
because it would complete the tournament while disputes are open is undone (with the effects
it registered) and tried again next minute; the others stand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from deltacrown.core.actors import SYSTEM
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import savepoint
from deltacrown.extensions import db
from deltacrown.matches import queries
from deltacrown.matches.errors import DisputesOpenError
from deltacrown.matches.kinds import kind_of
from deltacrown.matches.models import Match, MatchStatus, ResultSubmission, SubmissionStatus
from deltacrown.tournaments.models import Tournament, TournamentStatus

M = MatchStatus


def _in_savepoint(step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The step's answer, or None when it was refused because disputes are open."""
    try:
        with savepoint():
            return step(*args, **kwargs)
    except DisputesOpenError:
        return None


def _system_load(match_id: int) -> tuple[Match, Tournament]:
    tournament, match = queries.lock_match(match_id)
    return match, tournament


def auto_confirm_due(*, now: datetime | None = None) -> int:
    """Confirm submissions left unanswered for the tournament's `result_confirmation_minutes`."""
    now = now or utcnow()
    done = 0
    for match_id, submission_id in queries.due_confirmations(now):
        match, tournament = _system_load(match_id)
        submission = db.session.get(ResultSubmission, submission_id)
        if (
            match.status is not M.AWAITING_CONFIRMATION
            or submission is None
            or submission.status is not SubmissionStatus.PENDING
            or tournament.status is not TournamentStatus.ONGOING
        ):
            continue
        step = kind_of(match).confirm_pending
        if _in_savepoint(step, match, tournament, submission, SYSTEM, now, automatic=True):
            done += 1
    return done


def forfeit_no_shows(*, now: datetime | None = None) -> dict[str, int]:
    """After `scheduled_at + no_show_grace_minutes`: the side that did not check in forfeits;
    when neither did, the match is cancelled for the organizer to decide. In a lobby the
    members not checked in are marked absent and the others play (`absent` counts such
    lobbies); nobody checked in: cancelled."""
    now = now or utcnow()
    counts = {"forfeited": 0, "cancelled": 0, "absent": 0}
    for match_id in queries.due_no_shows(now):
        match, tournament = _system_load(match_id)
        if match.status is not M.READY or tournament.status is not TournamentStatus.ONGOING:
            continue
        outcome = _in_savepoint(kind_of(match).no_show, match, tournament, now, SYSTEM)
        if outcome in counts:
            counts[outcome] += 1
    return counts
