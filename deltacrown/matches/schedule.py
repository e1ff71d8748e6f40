"""Match times the sides agree on.

When the tournament's match-day settings allow it (`schedule_proposals`), a side of a ready
head-to-head match proposes a start time; the other side accepts it (it becomes the match's
`scheduled_at`, check-ins are cleared and the calendar revision goes up) or declines it. A
side has at most one pending proposal: a new one replaces it. The proposed time must be in
the future and inside the window the organizer set for the match's round
(`round_deadlines`, 422 `outside_round_window`).

The organizer's time always wins: once an organizer sets or changes the time
(`services.scheduling.schedule_match` calls `organizer_set`), pending proposals are
cancelled and new ones are refused (409 `schedule_set_by_organizer`).

Each step is kept in the match's history, announced on the match channel
(`schedule.proposed`, `schedule.accepted`, `schedule.declined`) and sent as the
`match_schedule_changed` signal (the sides are notified).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deltacrown.core import signals
from deltacrown.core.time import isoformat, readable, utcnow
from deltacrown.extensions import db
from deltacrown.matches import lifecycle, policies, queries
from deltacrown.matches.errors import PermissionDeniedError, ValidationError
from deltacrown.matches.kinds import kind_of
from deltacrown.matches.matchday_errors import (
    OutsideRoundWindowError,
    ProposalNotFoundError,
    ProposalNotPendingError,
    ScheduleProposalsOffError,
    ScheduleSetByOrganizerError,
)
from deltacrown.matches.matchday_models import ProposalStatus, ScheduleProposal
from deltacrown.matches.models import Match, MatchCheckIn, MatchStatus
from deltacrown.tournaments import staff_roles
from deltacrown.tournaments.models import Tournament

P = ProposalStatus


def propose(
    match_id: int, *, actor: Any, starts_at: datetime, now: datetime | None = None
) -> ScheduleProposal:
    """A side proposes when the match is played.

    Raises MatchNotFoundError, PermissionDeniedError (not a side), InvalidTransitionError
    (not ready), ValidationError (a lobby, or a time in the past), ScheduleProposalsOffError,
    ScheduleSetByOrganizerError, OutsideRoundWindowError.
    """
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    side = lifecycle.require_side(match, actor)
    _check_open(match, tournament)
    _check_time(match, tournament, starts_at, now)
    for earlier in _pending(match.id):
        if earlier.registration_id == side:
            _close(earlier, P.CANCELLED, actor, now)
    proposal = ScheduleProposal(
        match_id=match.id,
        registration_id=side,
        proposed_by_id=actor.id,
        starts_at=starts_at,
        status=P.PENDING,
        created_at=now,
    )
    db.session.add(proposal)
    db.session.flush()
    _announce(match, proposal, "proposed", actor, now)
    return proposal


def answer(
    match_id: int,
    proposal_id: int,
    *,
    actor: Any,
    accept: bool,
    now: datetime | None = None,
) -> ScheduleProposal:
    """The other side accepts (the match's `scheduled_at`) or declines a pending proposal.

    Raises MatchNotFoundError, ProposalNotFoundError, PermissionDeniedError (not the other
    side), ProposalNotPendingError, and on accepting what `propose` checks of the time.
    """
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    proposal = _proposal(match.id, proposal_id, for_update=True)
    side = lifecycle.require_side(match, actor)
    if side == proposal.registration_id:
        raise PermissionDeniedError("The other side answers a proposal.")
    if proposal.status is not P.PENDING:
        raise ProposalNotPendingError(
            f"Proposal {proposal.id} is {proposal.status.value}.",
            proposal_status=proposal.status.value,
        )
    if not accept:
        _close(proposal, P.DECLINED, actor, now)
        _announce(match, proposal, "declined", actor, now)
        return proposal
    _check_open(match, tournament)
    _check_time(match, tournament, proposal.starts_at, now)
    _close(proposal, P.ACCEPTED, actor, now)
    for other in _pending(match.id):
        _close(other, P.CANCELLED, actor, now)
    match.scheduled_at = proposal.starts_at
    match.schedule_sequence += 1
    db.session.execute(sa.delete(MatchCheckIn).where(MatchCheckIn.match_id == match.id))
    db.session.flush()
    _announce(match, proposal, "accepted", actor, now)
    return proposal


def organizer_set(match: Match, actor: Any, now: datetime) -> None:
    """The organizer set (or cleared) the match's time: pending proposals are cancelled,
    the calendar revision goes up, and while a time is set the sides propose no other."""
    for pending in _pending(match.id):
        _close(pending, P.CANCELLED, actor, now)
    match.schedule_locked = match.scheduled_at is not None
    match.schedule_sequence += 1


def list_proposals(match_id: int, actor: Any) -> list[ScheduleProposal]:
    """A match's proposals, newest first: its sides, organizers, referees and staff."""
    match, tournament = queries.visible_match(match_id, actor)
    if queries.side_of(match, actor) is None and not policies.can_referee(actor, tournament):
        raise PermissionDeniedError("Only the match's sides and its tournament's staff see them.")
    return list(
        db.session.scalars(
            sa.select(ScheduleProposal)
            .where(ScheduleProposal.match_id == match.id)
            .order_by(ScheduleProposal.id.desc())
        )
    )


# ----- steps -----------------------------------------------------------------------------------
def _check_open(match: Match, tournament: Tournament) -> None:
    if not kind_of(match).series:
        raise ValidationError(
            "A lobby's time is set by the organizer.",
            errors={"starts_at": ["Not for a lobby match."]},
        )
    lifecycle.require_state(match, MatchStatus.READY, action="agree on its time")
    if not staff_roles.settings_of(tournament.id).schedule_proposals:
        raise ScheduleProposalsOffError(
            f"Tournament {tournament.id} does not let sides propose match times."
        )
    if match.schedule_locked:
        raise ScheduleSetByOrganizerError(
            f"The organizer set match {match.id}'s time"
            + (f" ({readable(match.scheduled_at)})." if match.scheduled_at else ".")
        )


def _check_time(match: Match, tournament: Tournament, starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise ValidationError(
            "A match time is in the future.", errors={"starts_at": ["Must be in the future."]}
        )
    settings = staff_roles.settings_of(tournament.id)
    window = staff_roles.round_window(
        settings, round_number=match.round.number, side=match.round.side.value
    )
    if window is not None and not window[0] <= starts_at <= window[1]:
        raise OutsideRoundWindowError(
            f"{match.round.name} is played between {readable(window[0])} and "
            f"{readable(window[1])}.",
            errors={"starts_at": ["Outside the round's window."]},
            opens_at=isoformat(window[0]),
            closes_at=isoformat(window[1]),
        )


def _pending(match_id: int) -> list[ScheduleProposal]:
    return list(
        db.session.scalars(
            sa.select(ScheduleProposal).where(
                ScheduleProposal.match_id == match_id, ScheduleProposal.status == P.PENDING
            )
        )
    )


def _proposal(match_id: int, proposal_id: int, *, for_update: bool = False) -> ScheduleProposal:
    query = sa.select(ScheduleProposal).where(
        ScheduleProposal.id == proposal_id, ScheduleProposal.match_id == match_id
    )
    if for_update:
        query = query.with_for_update()
    found = db.session.scalars(query).one_or_none()
    if found is None:
        raise ProposalNotFoundError(f"No proposal {proposal_id} for match {match_id}.")
    return found


def _close(proposal: ScheduleProposal, status: ProposalStatus, actor: Any, now: datetime) -> None:
    proposal.status = status
    proposal.decided_at = now
    proposal.decided_by_id = getattr(actor, "id", None)


def _announce(
    match: Match, proposal: ScheduleProposal, step: str, actor: Any, now: datetime
) -> None:
    data = {"proposal_id": proposal.id, "starts_at": isoformat(proposal.starts_at)}
    lifecycle.record_event(
        match, f"schedule_{step}", actor, registration_id=proposal.registration_id, now=now,
        **data,
    )  # fmt: skip
    extra = {"scheduled_at": data["starts_at"]} if step == "accepted" else {}
    lifecycle.publish_event(
        match, f"schedule.{step}", registration_id=proposal.registration_id, **data, **extra
    )
    signals.send_after_commit(
        signals.match_schedule_changed,
        "matches",
        match_id=match.id,
        tournament_id=match.tournament_id,
        proposal_id=proposal.id,
        registration_id=proposal.registration_id,
        step=step,
    )
