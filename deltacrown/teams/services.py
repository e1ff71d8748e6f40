"""Team use cases: create, edit and disband teams; members leave or are removed; captaincy
moves. Invitations are in teams.invites; the shared steps in teams.steps.

Services flush, never commit. Every change writes an audit entry (target: the team) and sends
a signal after commit (core/signals.py). Changes to one team run under a row lock on it
(`SELECT ... FOR UPDATE`). Races the lock cannot see (two teams taking one name, one user
joining two teams of a game) end in the partial unique indexes of teams.models; the flush that
may hit one runs in a savepoint and the violation is mapped back to its specific 409.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from deltacrown.core import audit, signals
from deltacrown.core.errors import ConflictError, PermissionDeniedError, ValidationError
from deltacrown.core.signals import send_after_commit
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.games.queries import get_game
from deltacrown.moderation import enforcement as moderation
from deltacrown.teams import policies, queries, steps
from deltacrown.teams.errors import (
    AlreadyCaptainError,
    CaptainMustTransferError,
    MemberNotFoundError,
    NotAMemberError,
    TeamRegisteredError,
)
from deltacrown.teams.models import (
    InviteStatus,
    MembershipStatus,
    Team,
    TeamInvite,
    TeamMembership,
    TeamRole,
)
from deltacrown.teams.steps import EDITABLE, SENDER, Actor


# ----- teams ---------------------------------------------------------------------------------
def create_team(
    *,
    actor: Actor,
    game_ref: int | str,
    name: str,
    tag: str,
    description: str | None = None,
    logo_url: str | None = None,
    logo_alt_text: str | None = None,
    region: str | None = None,
) -> Team:
    """Create an active team of `game`, with the actor as its captain.

    Raises GameNotFoundError (404), ValidationError (422: name 3-50 characters, tag 2-5 of
    A-Z/0-9, logo URL, a logo without `logo_alt_text`), GameProfileRequiredError (422: the actor has no profile for the game),
    AlreadyInTeamError (409: the actor is on an active team of the game), TeamNameTakenError /
    TeamTagTakenError (409: among the game's active teams, case-insensitively). Concurrent
    creations of one name end in the partial unique index and get the same 409s.
    SanctionedError (403) when a ban is in force on the actor.
    """
    moderation.enforce(actor.id, moderation.Action.TEAM)
    game = get_game(game_ref)
    name, name_key = steps.check_name(name)
    tag = steps.check_tag(tag)
    details = steps.clean_details(
        {
            "description": description,
            "logo_url": logo_url,
            "logo_alt_text": logo_alt_text,
            "region": region,
        }
    )
    steps.require_logo_alt_text(details["logo_url"], details["logo_alt_text"])
    steps.require_game_profile(actor.id, game)
    steps.require_no_team_in_game(actor.id, game)
    steps.ensure_name_and_tag_free(game.id, name_key, tag)
    now = utcnow()
    for _attempt in range(5):
        team = Team(
            game_id=game.id,
            name=name,
            name_key=name_key,
            tag=tag,
            slug=steps.free_slug(name),
            captain_id=actor.id,
            is_active=True,
            **details,
        )
        TeamMembership(
            team=team,
            user_id=actor.id,
            game_id=game.id,
            role=TeamRole.CAPTAIN,
            status=MembershipStatus.ACTIVE,
            joined_at=now,
        )
        try:
            with steps.savepoint():
                db.session.add(team)
                db.session.flush()
        except IntegrityError:
            # Someone committed meanwhile: find out what they took. Only a slug is retried.
            steps.require_no_team_in_game(actor.id, game)
            steps.ensure_name_and_tag_free(game.id, name_key, tag)
            continue
        break
    else:
        raise ConflictError("Could not reserve a slug for this team name; retry.")
    audit.record(
        actor=actor,
        action="team.created",
        target=team,
        after={"name": team.name, "tag": team.tag, "game_id": game.id, "captain_id": actor.id},
    )
    send_after_commit(signals.team_created, SENDER, team_id=team.id, captain_id=actor.id)
    return team


def update_team(team_id: int, *, actor: Actor, changes: Mapping[str, Any]) -> Team:
    """Change name, tag, description, logo URL and its alt text, or region (the slug stays).

    Raises TeamNotFoundError, PermissionDeniedError (captain or staff only),
    TeamDisbandedError, ValidationError, TeamNameTakenError, TeamTagTakenError.
    """
    team = steps.lock_team(team_id)
    steps.require_manager(actor, team, "edit it")
    steps.require_active(team)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            "Unknown fields.", errors={field: ["Not editable."] for field in sorted(unknown)}
        )
    new: dict[str, Any] = steps.clean_details(changes)
    steps.require_logo_alt_text(
        new.get("logo_url", team.logo_url), new.get("logo_alt_text", team.logo_alt_text)
    )
    name_key = tag = None
    if "name" in changes:
        new["name"], name_key = steps.check_name(changes["name"])
        name_key = None if name_key == team.name_key else name_key
    if "tag" in changes:
        new["tag"] = steps.check_tag(changes["tag"])
        tag = None if new["tag"] == team.tag else new["tag"]
    steps.ensure_name_and_tag_free(team.game_id, name_key, tag, exclude_id=team.id)
    before = steps.snapshot(team)
    changed = {k: v for k, v in new.items() if before[k] != v}
    if not changed:
        return team
    for field, value in changed.items():
        setattr(team, field, value)
    if "name" in changed:
        team.name_key = str(changed["name"]).casefold()
    try:
        with steps.savepoint():
            db.session.flush()
    except IntegrityError:
        # Another team took the name or tag meanwhile.
        steps.ensure_name_and_tag_free(team.game_id, name_key, tag, exclude_id=team_id)
        raise
    audit.record(
        actor=actor,
        action="team.updated",
        target=team,
        before={k: before[k] for k in changed},
        after=changed,
    )
    send_after_commit(
        signals.team_updated, SENDER, team_id=team.id, actor_id=actor.id, fields=sorted(changed)
    )
    return team


def disband_team(team_id: int, *, actor: Actor) -> Team:
    """Disband: the team becomes inactive (its name and tag free again), every active
    membership ends (`removed`) and pending invites are cancelled.

    Raises TeamNotFoundError, PermissionDeniedError (captain or staff), TeamDisbandedError
    (already), TeamRegisteredError (the team holds an active tournament registration).
    """
    team = steps.lock_team(team_id)
    steps.require_manager(actor, team, "disband it")
    steps.require_active(team)
    if queries.has_active_registration(team.id):
        raise TeamRegisteredError(
            f"Team {team.id} holds an active tournament registration; withdraw it first."
        )
    now = utcnow()
    member_ids = [m.user_id for m in team.active_members]
    for membership in team.active_members:
        membership.status = MembershipStatus.REMOVED
        membership.left_at = now
        membership.removed_by_id = actor.id
    pending = db.session.scalars(
        sa.select(TeamInvite).where(
            TeamInvite.team_id == team.id, TeamInvite.status == InviteStatus.PENDING
        )
    )
    for invite in pending:
        invite.status = InviteStatus.CANCELLED
        invite.responded_at = now
    team.is_active = False
    team.disbanded_at = now
    db.session.flush()
    audit.record(
        actor=actor,
        action="team.disbanded",
        target=team,
        before={"is_active": True, "member_ids": member_ids},
        after={"is_active": False},
    )
    send_after_commit(
        signals.team_disbanded,
        SENDER,
        team_id=team.id,
        disbanded_by=actor.id,
        member_ids=member_ids,
    )
    return team


# ----- roster --------------------------------------------------------------------------------
def remove_member(team_id: int, *, actor: Actor, user_id: int) -> TeamMembership:
    """End a membership: a member leaves (`left`), or the captain or staff removes them
    (`removed`).

    Raises TeamNotFoundError, PermissionDeniedError (neither the member nor a manager),
    TeamDisbandedError, MemberNotFoundError (not an active member), CaptainMustTransferError
    (the captain cannot leave or be removed), RosterLockedError.
    """
    team = steps.lock_team(team_id)
    if not policies.can_end_membership(actor, team, user_id):
        raise PermissionDeniedError("Only the member, the captain or staff may do this.")
    steps.require_active(team)
    membership = queries.find_active_membership(team.id, user_id)
    if membership is None:
        raise MemberNotFoundError(f"User {user_id} is not an active member of team {team.id}.")
    if membership.role == TeamRole.CAPTAIN:
        raise CaptainMustTransferError(
            "The captain cannot leave: transfer captaincy first, or disband the team."
        )
    steps.require_unlocked(team)
    leaving = actor.id == user_id
    membership.status = MembershipStatus.LEFT if leaving else MembershipStatus.REMOVED
    membership.left_at = utcnow()
    membership.removed_by_id = None if leaving else actor.id
    steps.touch(team)
    db.session.flush()
    audit.record(
        actor=actor,
        action="team.member_left" if leaving else "team.member_removed",
        target=team,
        before={"user_id": user_id, "role": membership.role},
        after={"status": membership.status},
    )
    send_after_commit(
        signals.team_member_left,
        SENDER,
        team_id=team.id,
        user_id=user_id,
        removed_by=None if leaving else actor.id,
    )
    return membership


def transfer_captain(team_id: int, *, actor: Actor, user_id: int) -> Team:
    """Make another active member captain; the old captain stays on as a player.

    Raises TeamNotFoundError, PermissionDeniedError (captain or staff), TeamDisbandedError,
    AlreadyCaptainError, NotAMemberError (the target is not an active member).
    """
    team = steps.lock_team(team_id)
    steps.require_manager(actor, team, "transfer captaincy")
    steps.require_active(team)
    if user_id == team.captain_id:
        raise AlreadyCaptainError(f"User {user_id} is already the captain.")
    target = queries.find_active_membership(team.id, user_id)
    if target is None:
        raise NotAMemberError(
            f"User {user_id} is not an active member of team {team.id}.",
            errors={"user": ["Not an active member of this team."]},
        )
    previous = queries.find_active_membership(team.id, team.captain_id)
    from_user_id = team.captain_id
    if previous is not None:
        # Demote first: the index allows one active captain per team at any moment.
        previous.role = TeamRole.PLAYER
        db.session.flush()
    target.role = TeamRole.CAPTAIN
    team.captain_id = user_id
    steps.touch(team)
    db.session.flush()
    audit.record(
        actor=actor,
        action="team.captain_transferred",
        target=team,
        before={"captain_id": from_user_id},
        after={"captain_id": user_id},
    )
    send_after_commit(
        signals.team_captain_transferred,
        SENDER,
        team_id=team.id,
        from_user_id=from_user_id,
        to_user_id=user_id,
    )
    return team
