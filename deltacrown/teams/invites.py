"""Invitation use cases: a captain invites, the invitee accepts or declines, the captain
cancels, and a sweep expires what nobody answered within 72 hours.

Services flush, never commit; audit entries and after-commit signals as in teams.services.
Lock order is always the team, then the invite (as disband_team takes them).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from deltacrown.accounts.queries import get_user
from deltacrown.core import audit, signals
from deltacrown.core.actors import SYSTEM
from deltacrown.core.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from deltacrown.core.signals import send_after_commit
from deltacrown.core.time import isoformat, readable, utcnow
from deltacrown.extensions import db
from deltacrown.moderation import enforcement as moderation
from deltacrown.teams import policies, queries, steps
from deltacrown.teams.errors import (
    AlreadyInvitedError,
    AlreadyMemberError,
    InviteExpiredError,
    InviteNotFoundError,
    RosterFullError,
)
from deltacrown.teams.models import (
    INVITE_TTL_HOURS,
    MAX_ROSTER,
    InviteStatus,
    MembershipStatus,
    TeamInvite,
    TeamMembership,
    TeamRole,
)
from deltacrown.teams.steps import SENDER, Actor


def _mark_expired(invite: TeamInvite) -> None:
    invite.status = InviteStatus.EXPIRED
    audit.record(
        actor=SYSTEM,  # an invite expires by time, whoever's request noticed it
        action="team.invite_expired",
        target_type="teams",
        target_id=invite.team_id,
        after={"invite_id": invite.id, "user_id": invite.user_id},
    )
    send_after_commit(
        signals.team_invite_expired,
        SENDER,
        team_id=invite.team_id,
        invite_id=invite.id,
        user_id=invite.user_id,
    )


def _expire_stale(team_id: int, now: datetime) -> None:
    """Mark the team's pending invites past expiry now, rather than wait for the sweep."""
    stale = db.session.scalars(queries.due_invites(now).where(TeamInvite.team_id == team_id))
    for invite in stale:
        _mark_expired(invite)
    db.session.flush()


def send_invite(
    team_id: int, *, actor: Actor, user_id: int, role: TeamRole | str = TeamRole.PLAYER
) -> TeamInvite:
    """Invite a user to join as `player` or `substitute`; it expires after 72 hours.

    Raises TeamNotFoundError, PermissionDeniedError (captain or staff), TeamDisbandedError,
    ValidationError (role), UserNotFoundError, AlreadyMemberError, AlreadyInvitedError (a
    pending invite exists), RosterFullError (active members + pending invites would pass 8).
    A locked roster (ongoing tournament) may still send invites: only joining and leaving
    change the roster, and accepting is refused while the lock holds. SanctionedError (403)
    when a ban is in force on the captain or the invitee.
    """
    moderation.enforce(actor.id, moderation.Action.TEAM)
    team = steps.lock_team(team_id)
    steps.require_manager(actor, team, "invite players")
    steps.require_active(team)
    if role not in (TeamRole.PLAYER, TeamRole.SUBSTITUTE):
        raise ValidationError(
            "Invite as player or substitute.", errors={"role": ["player or substitute."]}
        )
    role = TeamRole(role)
    invitee = get_user(user_id)
    moderation.enforce(invitee.id, moderation.Action.TEAM, subject=f"User {invitee.id}")
    now = utcnow()
    if queries.find_active_membership(team.id, invitee.id) is not None:
        raise AlreadyMemberError(f"{invitee.username} is already on team {team.id}.")
    _expire_stale(team.id, now)
    if queries.find_live_invite(team.id, invitee.id, now) is not None:
        raise AlreadyInvitedError(f"{invitee.username} already has a pending invite.")
    held = queries.count_active_members(team.id) + queries.count_live_invites(team.id, now)
    if held >= MAX_ROSTER:
        raise RosterFullError(
            f"The roster holds {held} of {MAX_ROSTER} places (members and pending invites).",
            limit=MAX_ROSTER,
        )
    invite = TeamInvite(
        team=team,
        user_id=invitee.id,
        invited_by_id=actor.id,
        role=role,
        status=InviteStatus.PENDING,
        created_at=now,
        expires_at=now + timedelta(hours=INVITE_TTL_HOURS),
    )
    try:
        with steps.savepoint():
            db.session.add(invite)
            db.session.flush()
    except IntegrityError as exc:
        raise AlreadyInvitedError(f"{invitee.username} already has a pending invite.") from exc
    audit.record(
        actor=actor,
        action="team.invite_sent",
        target=team,
        after={"invite_id": invite.id, "user_id": invitee.id, "role": role},
    )
    send_after_commit(
        signals.team_invite_sent,
        SENDER,
        team_id=team.id,
        invite_id=invite.id,
        user_id=invitee.id,
        invited_by=actor.id,
    )
    return invite


def _invite_in_inbox(invite_id: int, actor: Actor) -> TeamInvite:
    """The actor's own invite; anyone else's does not exist for them."""
    invite = queries.get_invite(invite_id)
    if not policies.can_respond_to_invite(actor, invite):
        raise InviteNotFoundError(f"No team invite {invite_id}.")
    return invite


def _require_pending(invite: TeamInvite, now: datetime) -> None:
    if invite.is_expired(now):
        raise InviteExpiredError(
            f"Invite {invite.id} expired at {readable(invite.expires_at)}.",
            expires_at=isoformat(invite.expires_at),
        )
    if invite.status != InviteStatus.PENDING:
        raise InvalidTransitionError(f"Invite {invite.id} is already {invite.status}.")


def accept_invite(invite_id: int, *, actor: Actor) -> TeamInvite:
    """The invitee joins the team with the invite's role.

    Raises InviteNotFoundError (not the actor's invite), InviteExpiredError (past 72 hours,
    swept or not), InvalidTransitionError (no longer pending), TeamDisbandedError,
    RosterLockedError, GameProfileRequiredError (422), AlreadyInTeamError (already on an
    active team of the game, also under concurrency), RosterFullError, SanctionedError (a
    ban is in force on the actor).
    """
    moderation.enforce(actor.id, moderation.Action.TEAM)
    found = _invite_in_inbox(invite_id, actor)
    team = steps.lock_team(found.team_id)  # team before invite: the order disband_team takes
    invite = steps.lock_invite(found.id)
    now = utcnow()
    _require_pending(invite, now)
    # disband_team cancels pending invites; this guards rows written around the services.
    steps.require_active(team)
    steps.require_unlocked(team)
    steps.require_game_profile(actor.id, team.game)
    steps.require_no_team_in_game(actor.id, team.game)
    if queries.count_active_members(team.id) >= MAX_ROSTER:
        raise RosterFullError(f"The roster already has {MAX_ROSTER} members.", limit=MAX_ROSTER)
    invite.status = InviteStatus.ACCEPTED
    invite.responded_at = now
    try:
        with steps.savepoint():
            membership = TeamMembership(
                team=team,
                user_id=actor.id,
                game_id=team.game_id,
                role=invite.role,
                status=MembershipStatus.ACTIVE,
                joined_at=now,
            )
            db.session.add(membership)
            db.session.flush()
    except IntegrityError:
        steps.require_no_team_in_game(actor.id, team.game)
        raise
    steps.touch(team)
    audit.record(
        actor=actor,
        action="team.member_joined",
        target=team,
        after={"user_id": actor.id, "role": invite.role, "invite_id": invite.id},
    )
    send_after_commit(signals.team_member_joined, SENDER, team_id=team.id, user_id=actor.id)
    return invite


def decline_invite(invite_id: int, *, actor: Actor) -> TeamInvite:
    """The invitee says no. Raises InviteNotFoundError, InviteExpiredError,
    InvalidTransitionError."""
    invite = steps.lock_invite(_invite_in_inbox(invite_id, actor).id)
    return _close(
        invite,
        InviteStatus.DECLINED,
        actor=actor,
        action="team.invite_declined",
        signal=signals.team_invite_declined,
    )


def _close(
    invite: TeamInvite,
    status: InviteStatus,
    *,
    actor: Actor,
    action: str,
    signal: Any,
    **extra: Any,
) -> TeamInvite:
    """End a pending invite (declined or cancelled): audited, then `signal` after commit."""
    now = utcnow()
    _require_pending(invite, now)
    invite.status = status
    invite.responded_at = now
    db.session.flush()
    audit.record(
        actor=actor,
        action=action,
        target_type="teams",
        target_id=invite.team_id,
        after={"invite_id": invite.id, "user_id": invite.user_id},
    )
    send_after_commit(
        signal,
        SENDER,
        team_id=invite.team_id,
        invite_id=invite.id,
        user_id=invite.user_id,
        **extra,
    )
    return invite


def cancel_invite(invite_id: int, *, actor: Actor) -> TeamInvite:
    """The captain (or staff) withdraws a pending invite.

    Raises InviteNotFoundError (invisible to the actor), PermissionDeniedError (the invitee:
    decline instead), InviteExpiredError, InvalidTransitionError.
    """
    invite = queries.get_invite(invite_id)
    if not policies.can_see_invite(actor, invite):
        raise InviteNotFoundError(f"No team invite {invite_id}.")
    if not policies.can_cancel_invite(actor, invite):
        raise PermissionDeniedError("Only the team's captain (or staff) cancels; decline instead.")
    invite = steps.lock_invite(invite.id)
    return _close(
        invite,
        InviteStatus.CANCELLED,
        actor=actor,
        action="team.invite_cancelled",
        signal=signals.team_invite_cancelled,
        cancelled_by=actor.id,
    )


def expire_invites(*, now: datetime | None = None) -> int:
    """The sweep: mark pending invites past their expiry `expired`; returns how many.

    Rows another transaction holds (an invite being accepted right now) are skipped and
    caught by the next run.
    """
    now = now or utcnow()
    due = db.session.scalars(queries.due_invites(now).with_for_update(skip_locked=True)).all()
    for invite in due:
        _mark_expired(invite)
    db.session.flush()
    return len(due)
