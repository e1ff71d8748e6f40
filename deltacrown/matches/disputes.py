"""Disputes: the one way one is opened, the one way one is closed, who sees one, and the
rule for a dispute's reason. The use cases that open one are a side's (`services.results`,
through the match's kind), those that settle one the organizer's (`services.rulings`,
`services.organizer`); all of them go through here.

`open` → `under_review` → `resolved` | `dismissed` (dismissing also works on an open one).
Opening moves a match awaiting confirmation to `disputed` (a completed match stays
completed until settled); closing is audited as `dispute.resolved` or `dispute.dismissed`
and announced (`dispute_resolved`) after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from deltacrown.core import audit, signals
from deltacrown.extensions import db
from deltacrown.matches import policies, queries
from deltacrown.matches.errors import (
    DisputeNotFoundError,
    InvalidTransitionError,
    MatchNotFoundError,
    ValidationError,
)
from deltacrown.matches.lifecycle import publish_event, record_event
from deltacrown.matches.models import (
    Dispute,
    DisputeOutcome,
    DisputeStatus,
    Match,
    MatchStatus,
    ResultSubmission,
)
from deltacrown.tournaments.models import Tournament

MIN_DISPUTE_REASON = 20


def dispute_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_DISPUTE_REASON:
        raise ValidationError(
            f"Explain the dispute in at least {MIN_DISPUTE_REASON} characters.",
            errors={"reason": [f"At least {MIN_DISPUTE_REASON} characters."]},
        )
    return reason


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
    manager = policies.can_referee(actor, tournament)
    if not manager and queries.side_of(match, actor) is None:
        raise DisputeNotFoundError(f"No dispute {dispute_id}.")
    if for_update:
        dispute = queries.get_dispute(dispute_id, for_update=True)
    return dispute, match, tournament, manager


def open_dispute(
    match: Match,
    actor: Any,
    *,
    registration_id: int | None,
    submission: ResultSubmission | None,
    reason: str,
    now: datetime,
    evidence: Sequence[str] = (),
) -> Dispute:
    """Open a dispute on the match (a match awaiting its result becomes `disputed`)."""
    dispute = Dispute(
        match_id=match.id,
        tournament_id=match.tournament_id,
        registration_id=registration_id,
        raised_by_id=getattr(actor, "id", None),
        submission_id=submission and submission.id,
        reason=reason,
        evidence=list(evidence),
        created_at=now,
        updated_at=now,
    )
    db.session.add(dispute)
    if match.status is not MatchStatus.COMPLETED:
        match.transition(MatchStatus.DISPUTED)
    db.session.flush()
    record_event(
        match, "disputed", actor, registration_id=registration_id, now=now, dispute_id=dispute.id
    )
    signals.send_after_commit(
        signals.dispute_opened,
        "matches",
        dispute_id=dispute.id,
        match_id=match.id,
        tournament_id=match.tournament_id,
    )
    publish_event(match, "match.disputed", dispute_id=dispute.id)
    return dispute


def close_dispute(
    dispute: Dispute,
    actor: Any,
    outcome: DisputeOutcome | None,
    resolution: str,
    now: datetime,
    *,
    corrected_games: list[Any] | None = None,
) -> None:
    """Close the dispute: `resolved` with an outcome, `dismissed` without one."""
    before = {"status": dispute.status.value}
    status = DisputeStatus.RESOLVED if outcome else DisputeStatus.DISMISSED
    dispute.status, dispute.outcome, dispute.resolution = status, outcome, resolution
    if corrected_games is not None:
        dispute.corrected_games = corrected_games
    dispute.resolved_by_id, dispute.resolved_at = getattr(actor, "id", None), now
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


def close_open_dispute(
    match: Match,
    actor: Any,
    outcome: DisputeOutcome | None,
    resolution: str,
    now: datetime,
    *,
    corrected_games: list[Any] | None = None,
) -> None:
    """Close the match's open dispute, if it has one (a result settled it)."""
    dispute = queries.open_dispute(match.id)
    if dispute is not None:
        close_dispute(dispute, actor, outcome, resolution, now, corrected_games=corrected_games)


def disputed_submission(dispute: Dispute, match: Match) -> ResultSubmission | None:
    """The submission an upheld (or dismissed) dispute lets stand, when the match still
    waits on it (`disputed`); None when the match already has its result."""
    if match.status is not MatchStatus.DISPUTED:
        return None
    submission = (
        None
        if dispute.submission_id is None
        else db.session.get(ResultSubmission, dispute.submission_id)
    )
    if submission is None:  # pragma: no cover  (a disputed match always has one)
        raise InvalidTransitionError("Nothing to uphold: enter the result instead.")
    return submission


def check_correction(
    outcome: DisputeOutcome,
    *,
    given: Any,
    field: str,
    foreign: Any,
    foreign_field: str,
    needs: str,
    wrong_kind: str,
    foreign_note: str,
) -> bool:
    """Check a ruling's correction: `field` goes with an overturned result only and is then
    required; `foreign_field` belongs to the other kind of match. True when overturned.
    `needs` and `wrong_kind` (with `foreign_note` on its field) are the messages for a missing
    correction and a foreign one."""
    if foreign:
        raise ValidationError(wrong_kind, errors={foreign_field: [foreign_note]})
    overturned = outcome is DisputeOutcome.OVERTURNED
    if overturned and not given:
        raise ValidationError(needs, errors={field: ["Required to overturn."]})
    if not overturned and given:
        raise ValidationError(
            f"Corrected {field.removeprefix('corrected_')} go with an overturned result only.",
            errors={field: ["Only when overturned."]},
        )
    return overturned
