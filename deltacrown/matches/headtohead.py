"""The head-to-head kind of match (`kinds.HEAD_TO_HEAD`): two sides, a best-of-N series.

A side submits the per-game scores (live → awaiting_confirmation); the other side's
submission confirms it when the games match and disputes it otherwise; the other side (or an
organizer) confirms the pending submission and the match completes through the bracket. A
dispute is about the pending submission or a completed result. Settled: upheld (the disputed
submission completes the match), overturned (the organizer's corrected games complete or
correct it), rematch (back to `ready`, check-ins and submissions cleared). No-shows: the
side not checked in forfeits; neither checked in, the match is cancelled for the organizer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deltacrown.core import audit
from deltacrown.extensions import db
from deltacrown.matches import lifecycle, policies, queries, scoring
from deltacrown.matches.completion import (
    complete_match,
    correct_by_organizer,
    forfeit_match,
)
from deltacrown.matches.disputes import (
    check_correction,
    close_dispute,
    dispute_reason,
    disputed_submission,
    open_dispute,
)
from deltacrown.matches.errors import (
    AlreadySubmittedError,
    DisputeExistsError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.matches.models import (
    Dispute,
    DisputeOutcome,
    Match,
    MatchCheckIn,
    MatchStatus,
    ResultSubmission,
    SubmissionStatus,
)
from deltacrown.tournaments.models import Tournament

M = MatchStatus
S = SubmissionStatus


def submit(
    match: Match,
    tournament: Tournament,
    *,
    games: Sequence[Sequence[int]] | None,
    results: Sequence[Mapping[str, Any]] | None,
    actor: Any,
    evidence: Sequence[str],
    now: datetime,
) -> Match:
    """A side reports the per-game scores; a second side's equal games confirm them, other
    games dispute them."""
    side = lifecycle.require_side(match, actor)
    lifecycle.require_state(match, M.LIVE, M.AWAITING_CONFIRMATION, action="submit a result")
    lifecycle.require_ongoing(tournament)
    current = queries.current_submissions(match.id)
    if any(s.registration_id == side for s in current):
        raise AlreadySubmittedError("This side has already submitted a result.")
    if games is None:
        raise ValidationError(
            "A head-to-head match takes `games`: the per-game scores.",
            errors={"games": ["Required for a head-to-head match."]},
        )
    games = scoring.normalise_games(games)
    winner = lifecycle.winner_of(match, games)
    submission = ResultSubmission(
        match_id=match.id,
        registration_id=side,
        submitted_by_id=actor.id,
        games=games,
        winner_registration_id=winner,
        evidence=list(evidence),
        created_at=now,
    )
    db.session.add(submission)
    db.session.flush()
    lifecycle.record_event(
        match, "result_submitted", actor, registration_id=side, now=now, games=games,
        submission_id=submission.id,
    )  # fmt: skip
    pending = next((s for s in current if s.status is S.PENDING), None)
    if pending is None:
        match.transition(M.AWAITING_CONFIRMATION)
        db.session.flush()
        lifecycle.publish_event(match, "match.result_submitted", registration_id=side, games=games)
        return match
    if [list(g) for g in pending.games] == games:
        return confirm_pending(match, tournament, pending, actor, now, also=submission)
    pending.status = submission.status = S.DISPUTED
    pending.decided_at = submission.decided_at = now
    open_dispute(
        match, actor, registration_id=side, submission=pending, now=now, evidence=evidence,
        reason="The two sides submitted different results for this match.",
    )  # fmt: skip
    return match


def confirm_pending(
    match: Match,
    tournament: Tournament,
    submission: ResultSubmission,
    actor: Any,
    now: datetime,
    *,
    also: ResultSubmission | None = None,
    automatic: bool = False,
) -> Match:
    """The submission (and `also`, an equal one) is confirmed: the match completes with it."""
    for s in (submission, also):
        if s is not None:
            s.status, s.decided_at = S.CONFIRMED, now
    lifecycle.record_event(
        match, "result_confirmed", actor, now=now, submission_id=submission.id, automatic=automatic
    )
    complete_match(
        match, tournament, winner=submission.winner_registration_id, games=submission.games,
        actor=actor, now=now,
    )  # fmt: skip
    lifecycle.record_event(
        match, "completed", None, now=now, winner_registration_id=match.winner_registration_id
    )
    return match


def confirm(match: Match, tournament: Tournament, *, actor: Any, now: datetime) -> Match:
    """The other side (or an organizer) confirms the pending submission."""
    manager = policies.can_referee(actor, tournament)
    side = queries.side_of(match, actor)
    if side is None and not manager:
        raise PermissionDeniedError("Only the other side or an organizer may confirm.")
    lifecycle.require_state(match, M.AWAITING_CONFIRMATION, action="confirm a result")
    lifecycle.require_ongoing(tournament)
    pending = lifecycle.pending_submission(match)
    if not policies.can_confirm(side, pending.registration_id, manager=manager):
        raise PermissionDeniedError("A side cannot confirm its own submission.")
    if manager and side is None:
        audit.record(
            actor=actor,
            action="match.result_confirmed",
            target=match,
            after={"submission_id": pending.id},
        )
    return confirm_pending(match, tournament, pending, actor, now)


def dispute(
    match: Match,
    tournament: Tournament,
    *,
    reason: str,
    actor: Any,
    evidence: Sequence[str],
    now: datetime,
) -> Dispute:
    """A side disputes the other side's pending submission (→ disputed), or the result of a
    completed match of an ongoing tournament (the match stays completed until settled)."""
    side = lifecycle.require_side(match, actor)
    lifecycle.require_state(match, M.AWAITING_CONFIRMATION, M.COMPLETED, action="dispute it")
    lifecycle.require_ongoing(tournament)
    reason = dispute_reason(reason)
    existing = queries.open_dispute(match.id)
    if existing is not None:
        raise DisputeExistsError("This match already has an open dispute.", dispute_id=existing.id)
    submission = None
    if match.status is M.AWAITING_CONFIRMATION:
        submission = lifecycle.pending_submission(match)
        if submission.registration_id == side:
            raise PermissionDeniedError("A side cannot dispute its own submission.")
        submission.status, submission.decided_at = S.DISPUTED, now
    opened = open_dispute(
        match, actor, registration_id=side, submission=submission, reason=reason, now=now,
        evidence=evidence,
    )  # fmt: skip
    audit.record(
        actor=actor,
        action="dispute.opened",
        target=opened,
        after={"match_id": match.id, "reason": reason},
    )
    return opened


def uphold(
    match: Match, tournament: Tournament, submission: ResultSubmission, actor: Any, now: datetime
) -> None:
    """The disputed submission stands: the match completes with it."""
    for s in queries.current_submissions(match.id):
        if s.id != submission.id and s.status is S.DISPUTED:
            s.status, s.decided_at = S.SUPERSEDED, now
    confirm_pending(match, tournament, submission, actor, now)


def resolve(
    dispute: Dispute,
    match: Match,
    tournament: Tournament,
    *,
    outcome: DisputeOutcome,
    resolution: str,
    corrected_games: Sequence[Sequence[int]] | None,
    corrected_results: Sequence[Mapping[str, Any]] | None,
    actor: Any,
    now: datetime,
) -> None:
    """Settle a head-to-head dispute (see the module)."""
    overturned = check_correction(
        outcome,
        given=corrected_games,
        field="corrected_games",
        foreign=corrected_results,
        foreign_field="corrected_results",
        needs="Overturning needs the corrected games.",
        wrong_kind="Corrected results are for a lobby's game; give corrected games.",
        foreign_note="Only for a lobby match.",
    )
    lifecycle.require_ongoing(tournament)
    games = scoring.normalise_games(corrected_games or [])
    # Closed first, so a result that completes the tournament does not wait for this dispute.
    close_dispute(dispute, actor, outcome, resolution, now, corrected_games=games or None)
    if outcome is DisputeOutcome.UPHELD:
        submission = disputed_submission(dispute, match)
        if submission is not None:
            uphold(match, tournament, submission, actor, now)
    elif overturned:
        winner = lifecycle.winner_of(match, games)
        if match.has_result:
            correct_by_organizer(match, tournament, winner, games, actor, resolution, now)
        else:
            lifecycle.settle_submissions(match, S.SUPERSEDED, now)
            complete_match(match, tournament, winner=winner, games=games, actor=actor, now=now)
    else:  # rematch
        if match.has_result:
            raise InvalidTransitionError(
                "The match has a result: overturn it instead of ordering a rematch.",
                current_status=match.status.value,
            )
        for s in queries.current_submissions(match.id):
            s.status, s.decided_at = S.SUPERSEDED, now
        db.session.execute(sa.delete(MatchCheckIn).where(MatchCheckIn.match_id == match.id))
        match.transition(M.READY)
        db.session.flush()
        lifecycle.start_waiting(tournament, now, match=match)


def no_show(match: Match, tournament: Tournament, now: datetime, actor: Any) -> str:
    """Check-in is over: the side that did not check in forfeits; neither did, the match is
    cancelled for the organizer. Returns what happened."""
    present = queries.checked_in(match.id)
    absent = [r for r in match.participant_ids if r is not None and r not in present]
    if len(absent) == 1:
        forfeit_match(match, tournament, absent[0], actor, "no_show", now)
        return "forfeited"
    if len(absent) == 2:
        lifecycle.cancel(match, actor, "no_show", now)
        return "cancelled"
    return "none"


def state(match: Match) -> dict[str, Any]:
    """Nothing beyond the common detail."""
    return {}
