"""Dispute use cases (flush, never commit): read, review, resolve (upheld, overturned,
rematch) and dismiss, by the tournament's organizers and staff, every step audited.

`open` → `under_review` → `resolved` | `dismissed` (dismissing also works on an open one).
A dispute on a match awaiting its result settles the match: upheld or dismissed completes it
with the disputed submission, overturned with the organizer's `corrected_games`, rematch puts
it back to `ready` (check-ins and submissions cleared). A dispute on a completed match leaves
it alone unless overturned, which corrects the result through the brackets service and
re-routes the bracket (409 `dependent_match_started` when a dependent match has started).

A battle-royale lobby's dispute is about its pending game (`lobbies.py`): upheld or dismissed
applies the disputed results, overturned applies the organizer's `corrected_results`, and a
rematch replays the game (the lobby is live again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deltacrown.core import audit, signals
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches import policies, queries, services
from deltacrown.matches.errors import (
    DisputeNotFoundError,
    InvalidTransitionError,
    MatchNotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.matches.models import (
    Dispute,
    DisputeOutcome,
    DisputeStatus,
    Match,
    MatchCheckIn,
    MatchStatus,
    ResultSubmission,
    SubmissionStatus,
)
from deltacrown.tournaments.models import Tournament

D = DisputeStatus


def visible_dispute(
    dispute_id: int, actor: Any, *, for_update: bool = False
) -> tuple[Dispute, Match, Tournament, bool]:
    """The dispute, its match and tournament, and whether the actor manages it. Organizers,
    staff and the match's sides see it; anyone else gets DisputeNotFoundError."""
    dispute = queries.get_dispute(dispute_id)
    try:
        match, tournament = queries.visible_match(dispute.match_id, actor, for_update=for_update)
    except MatchNotFoundError:
        raise DisputeNotFoundError(f"No dispute {dispute_id}.") from None
    manager = policies.can_manage(actor, tournament)
    if not manager and queries.side_of(match, actor) is None:
        raise DisputeNotFoundError(f"No dispute {dispute_id}.")
    if for_update:
        dispute = queries.get_dispute(dispute_id, for_update=True)
    return dispute, match, tournament, manager


def _managed(dispute_id: int, actor: Any) -> tuple[Dispute, Match, Tournament]:
    dispute, match, tournament, manager = visible_dispute(dispute_id, actor, for_update=True)
    if not manager:
        raise PermissionDeniedError("Only the tournament's organizers and staff settle disputes.")
    return dispute, match, tournament


def _require(dispute: Dispute, *states: DisputeStatus, action: str) -> None:
    if dispute.status not in states:
        raise InvalidTransitionError(
            f"Dispute {dispute.id} is {dispute.status.value}; cannot {action}.",
            current_status=dispute.status.value,
            allowed_from=[s.value for s in states],
        )


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError("Write the resolution.", errors={field: ["Required."]})
    return text


def review_dispute(dispute_id: int, *, actor: Any, now: datetime | None = None) -> Dispute:
    """open → under_review: an organizer takes the dispute."""
    now = now or utcnow()
    dispute, match, _ = _managed(dispute_id, actor)
    _require(dispute, D.OPEN, action="review it")
    dispute.status = D.UNDER_REVIEW
    dispute.reviewed_by_id, dispute.reviewed_at = actor.id, now
    db.session.flush()
    audit.record(
        actor=actor,
        action="dispute.under_review",
        target=dispute,
        before={"status": D.OPEN.value},
        after={"status": D.UNDER_REVIEW.value},
    )
    services.record_event(match, "dispute_under_review", actor, now=now, dispute_id=dispute.id)
    return dispute


def _submission(dispute: Dispute) -> ResultSubmission | None:
    if dispute.submission_id is None:
        return None
    return db.session.get(ResultSubmission, dispute.submission_id)


def _close(
    dispute: Dispute,
    actor: Any,
    status: DisputeStatus,
    outcome: DisputeOutcome | None,
    resolution: str,
    now: datetime,
) -> None:
    before = {"status": dispute.status.value}
    dispute.status, dispute.outcome, dispute.resolution = status, outcome, resolution
    dispute.resolved_by_id, dispute.resolved_at = actor.id, now
    db.session.flush()
    audit.record(
        actor=actor,
        action=f"dispute.{status.value}",
        target=dispute,
        before=before,
        after={
            "status": status.value,
            "outcome": outcome and outcome.value,
            "resolution": resolution,
            "corrected_games": dispute.corrected_games,
        },
    )
    signals.send_after_commit(
        signals.dispute_resolved,
        "matches",
        dispute_id=dispute.id,
        match_id=dispute.match_id,
        tournament_id=dispute.tournament_id,
        status=status.value,
        outcome=outcome and outcome.value,
    )


def _uphold(
    match: Match, tournament: Tournament, dispute: Dispute, actor: Any, now: datetime
) -> None:
    """The disputed submission stands: a match awaiting its result completes with it."""
    if match.status is not MatchStatus.DISPUTED:
        return
    submission = _submission(dispute)
    if submission is None:  # pragma: no cover  (a disputed match always has one)
        raise InvalidTransitionError("Nothing to uphold: enter the result instead.")
    other = [
        s
        for s in queries.current_submissions(match.id)
        if s.id != submission.id and s.status is SubmissionStatus.DISPUTED
    ]
    if match.lobby is not None:
        from deltacrown.matches import lobbies

        lobbies.uphold(match, tournament, submission, actor, now)
        return
    for s in other:
        s.status, s.decided_at = SubmissionStatus.SUPERSEDED, now
    services.confirm_submission(match, tournament, submission, actor, now)


def resolve_dispute(
    dispute_id: int,
    *,
    outcome: DisputeOutcome | str,
    resolution: str,
    actor: Any,
    corrected_games: Sequence[Sequence[int]] | None = None,
    corrected_results: Sequence[Mapping[str, Any]] | None = None,
    now: datetime | None = None,
) -> Dispute:
    """under_review → resolved with an outcome and a written resolution (see the module).
    A lobby's overturned game takes `corrected_results`, a match's `corrected_games`."""
    now = now or utcnow()
    outcome = DisputeOutcome(outcome)
    dispute, match, tournament = _managed(dispute_id, actor)
    _require(dispute, D.UNDER_REVIEW, action="resolve it")
    resolution = _text(resolution, "resolution")
    if match.lobby is not None:
        if corrected_games:
            raise ValidationError(
                "Corrected games are for a head-to-head match; give corrected results.",
                errors={"corrected_games": ["Not for a lobby match."]},
            )
        return _resolve_lobby(
            dispute, match, tournament, outcome, resolution, corrected_results, actor, now
        )
    if corrected_results:
        raise ValidationError(
            "Corrected results are for a lobby's game; give corrected games.",
            errors={"corrected_results": ["Only for a lobby match."]},
        )
    if outcome is DisputeOutcome.OVERTURNED and not corrected_games:
        raise ValidationError(
            "Overturning needs the corrected games.",
            errors={"corrected_games": ["Required to overturn."]},
        )
    if outcome is not DisputeOutcome.OVERTURNED and corrected_games:
        raise ValidationError(
            "Corrected games go with an overturned result only.",
            errors={"corrected_games": ["Only when overturned."]},
        )
    services.require_ongoing(tournament)
    if corrected_games:
        dispute.corrected_games = services.normalise_games(corrected_games)
    # Closed first, so a result that completes the tournament does not wait for this dispute.
    _close(dispute, actor, D.RESOLVED, outcome, resolution, now)
    if outcome is DisputeOutcome.UPHELD:
        _uphold(match, tournament, dispute, actor, now)
    elif outcome is DisputeOutcome.OVERTURNED:
        games = services.normalise_games(corrected_games or [])
        dispute.corrected_games = games
        if match.has_result:
            winner = services.winner_of(match, games)
            services.correct_result(match, tournament, winner, games, actor, resolution, False, now)
        else:
            for s in queries.current_submissions(match.id):
                s.status, s.decided_at = SubmissionStatus.SUPERSEDED, now
            winner = services.winner_of(match, games)
            services.complete_match(match, tournament, winner=winner, games=games, now=now)
    else:  # rematch
        if match.has_result:
            raise InvalidTransitionError(
                "The match has a result: overturn it instead of ordering a rematch.",
                current_status=match.status.value,
            )
        for s in queries.current_submissions(match.id):
            s.status, s.decided_at = SubmissionStatus.SUPERSEDED, now
        db.session.execute(sa.delete(MatchCheckIn).where(MatchCheckIn.match_id == match.id))
        match.transition(MatchStatus.READY)
        db.session.flush()
    services.record_event(
        match, "dispute_resolved", actor, now=now, dispute_id=dispute.id, outcome=outcome.value
    )
    services.publish_event(
        match, "match.dispute_resolved", dispute_id=dispute.id, outcome=outcome.value
    )
    return dispute


def _resolve_lobby(
    dispute: Dispute,
    match: Match,
    tournament: Tournament,
    outcome: DisputeOutcome,
    resolution: str,
    corrected_results: Sequence[Mapping[str, Any]] | None,
    actor: Any,
    now: datetime,
) -> Dispute:
    from deltacrown.matches import lobbies

    overturned = outcome is DisputeOutcome.OVERTURNED
    if overturned and not corrected_results:
        raise ValidationError(
            "Overturning a lobby's game needs the corrected results.",
            errors={"corrected_results": ["Required to overturn."]},
        )
    if not overturned and corrected_results:
        raise ValidationError(
            "Corrected results go with an overturned result only.",
            errors={"corrected_results": ["Only when overturned."]},
        )
    services.require_ongoing(tournament)
    if overturned:  # checked before the dispute closes, so bad results change nothing
        checked = lobbies.check_results(lobbies.lobby_of(match), corrected_results or [])
        dispute.corrected_games = checked
    _close(dispute, actor, D.RESOLVED, outcome, resolution, now)
    if outcome is DisputeOutcome.UPHELD:
        _uphold(match, tournament, dispute, actor, now)
    elif overturned:
        lobbies.overturn(match, tournament, checked, actor, now)
    else:
        lobbies.replay(match, now)
    services.record_event(
        match, "dispute_resolved", actor, now=now, dispute_id=dispute.id, outcome=outcome.value
    )
    services.publish_event(
        match, "match.dispute_resolved", dispute_id=dispute.id, outcome=outcome.value
    )
    return dispute


def dismiss_dispute(
    dispute_id: int, *, resolution: str, actor: Any, now: datetime | None = None
) -> Dispute:
    """open or under_review → dismissed: the disputed result stands (a match awaiting it
    completes with the disputed submission)."""
    now = now or utcnow()
    dispute, match, tournament = _managed(dispute_id, actor)
    _require(dispute, D.OPEN, D.UNDER_REVIEW, action="dismiss it")
    resolution = _text(resolution, "resolution")
    services.require_ongoing(tournament)
    _close(dispute, actor, D.DISMISSED, None, resolution, now)
    _uphold(match, tournament, dispute, actor, now)
    services.record_event(match, "dispute_dismissed", actor, now=now, dispute_id=dispute.id)
    services.publish_event(match, "match.dispute_resolved", dispute_id=dispute.id, outcome=None)
    return dispute
