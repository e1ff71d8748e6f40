"""Pure authorization predicates for teams (enforced by teams.services; staff may do what a
captain may)."""

from __future__ import annotations

from typing import Protocol


class Actor(Protocol):
    id: int
    is_staff: bool


class TeamLike(Protocol):
    captain_id: int


class InviteLike(Protocol):
    user_id: int

    @property
    def team(self) -> TeamLike: ...


def is_captain(actor: Actor, team: TeamLike) -> bool:
    """The actor is the team's current captain."""
    return actor.id == team.captain_id


def can_manage_team(actor: Actor, team: TeamLike) -> bool:
    """Edit, invite, remove members, transfer captaincy, disband: the captain or staff."""
    return bool(actor.is_staff) or is_captain(actor, team)


def can_see_invite(actor: Actor, invite: InviteLike) -> bool:
    """An invite is visible to its invitee, the team's captain and staff; others get 404."""
    return actor.id == invite.user_id or can_manage_team(actor, invite.team)


def can_respond_to_invite(actor: Actor, invite: InviteLike) -> bool:
    """Accept or decline: the invitee only (nobody answers on someone else's behalf)."""
    return actor.id == invite.user_id


def can_cancel_invite(actor: Actor, invite: InviteLike) -> bool:
    """Cancel: the team's captain or staff (the invitee declines instead)."""
    return can_manage_team(actor, invite.team)


def can_end_membership(actor: Actor, team: TeamLike, member_user_id: int) -> bool:
    """A member may leave; the captain or staff may remove anyone."""
    return actor.id == member_user_id or can_manage_team(actor, team)
