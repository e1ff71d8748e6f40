"""The organizer settles a dispute (flush, never commit): review, resolve (upheld,
overturned, rematch) and dismiss, by the tournament's organizers and staff, every step
audited.

`open` → `under_review` → `resolved` | `dismissed`. Resolving an open dispute takes it under
review in the same call (recorded as a review by the same organizer); review on its own marks
a dispute as being looked at. Dismissing works on an open dispute too.
A dispute on a match awaiting its result settles the match: upheld or dismissed completes it
with the disputed submission, overturned with the organizer's `corrected_games`, rematch puts
it back to `ready` (check-ins and submissions cleared). A dispute on a completed match leaves
it alone unless overturned, which corrects the result through the bracket and re-routes it
(409 `dependent_match_started` when a dependent match has started). A battle-royale lobby's
dispute is about its pending game (`lobbies.resolve`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from deltacrown.core import audit
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches import lifecycle
from deltacrown.matches.disputes import close_dispute, disputed_submission, visible_dispute
from deltacrown.matches.errors import (
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.matches.kinds import kind_of
from deltacrown.matches.models import Dispute, DisputeOutcome, DisputeStatus, Match
from deltacrown.tournaments.models import Tournament

D = DisputeStatus


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
    _take_for_review(dispute, match, actor, now)
    return dispute


def _take_for_review(dispute: Dispute, match: Match, actor: Any, now: datetime) -> None:
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
    lifecycle.record_event(match, "dispute_under_review", actor, now=now, dispute_id=dispute.id)


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
    """open or under_review → resolved with an outcome and a written resolution (see the
    module; an open dispute is taken under review first). A lobby's overturned game takes
    `corrected_results`, a match's `corrected_games`."""
    now = now or utcnow()
    outcome = DisputeOutcome(outcome)
    dispute, match, tournament = _managed(dispute_id, actor)
    _require(dispute, D.OPEN, D.UNDER_REVIEW, action="resolve it")
    resolution = _text(resolution, "resolution")
    if dispute.status is D.OPEN:
        _take_for_review(dispute, match, actor, now)
    kind_of(match).resolve(
        dispute, match, tournament, outcome=outcome, resolution=resolution,
        corrected_games=corrected_games, corrected_results=corrected_results, actor=actor,
        now=now,
    )  # fmt: skip
    lifecycle.record_event(
        match, "dispute_resolved", actor, now=now, dispute_id=dispute.id, outcome=outcome.value
    )
    lifecycle.publish_event(
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
    lifecycle.require_ongoing(tournament)
    close_dispute(dispute, actor, None, resolution, now)
    submission = disputed_submission(dispute, match)
    if submission is not None:
        kind_of(match).uphold(match, tournament, submission, actor, now)
    lifecycle.record_event(match, "dispute_dismissed", actor, now=now, dispute_id=dispute.id)
    lifecycle.publish_event(match, "match.dispute_resolved", dispute_id=dispute.id, outcome=None)
    return dispute
