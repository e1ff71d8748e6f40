"""Read helpers for teams.

Whether a team's roster is locked (a registration in an `ongoing` tournament) and whether it
holds an active registration (disbanding is refused) are facts the registrations domain
owns: they are asked through `teams.ports.registrations`, provided by `deltacrown.wiring`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from deltacrown.extensions import db
from deltacrown.games.models import Game
from deltacrown.teams import ports
from deltacrown.teams.errors import InviteNotFoundError, TeamNotFoundError
from deltacrown.teams.models import (
    InviteStatus,
    MembershipStatus,
    Team,
    TeamInvite,
    TeamMembership,
)


def roster_lock_reason(team_id: int) -> str | None:
    """Why the team's roster cannot change now (e.g. an ongoing tournament), or None."""
    return ports.registrations.get().roster_lock_reason(team_id)


def has_active_registration(team_id: int) -> bool:
    """Whether the team holds an active tournament registration (it may not disband)."""
    return bool(ports.registrations.get().has_active_registration(team_id))


# ----- teams ---------------------------------------------------------------------------------
def find_team(team_id: int) -> Team | None:
    return db.session.get(Team, team_id)


def get_team(team_id: int) -> Team:
    """A team by id, active or disbanded; TeamNotFoundError if unknown."""
    team = db.session.get(Team, team_id)
    if team is None:
        raise TeamNotFoundError(f"No team {team_id}.")
    return team


def find_active_team_by_name(game_id: int, name_key: str) -> Team | None:
    return db.session.scalars(
        sa.select(Team).where(
            Team.game_id == game_id, Team.name_key == name_key, Team.is_active.is_(True)
        )
    ).first()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")


def list_teams(
    *, game: int | str | None = None, search: str | None = None
) -> sa.Select[tuple[Team]]:
    """Active teams by name; `game` is an id or slug, `search` matches name or tag."""
    query = (
        sa.select(Team)
        .where(Team.is_active.is_(True))
        .options(selectinload(Team.game), selectinload(Team.captain))
        .order_by(Team.name_key, Team.id)
    )
    if game is not None:
        if isinstance(game, int):
            query = query.where(Team.game_id == game)
        else:
            query = query.where(Team.game_id.in_(sa.select(Game.id).where(Game.slug == game)))
    if search and search.strip():
        term = f"%{_escape_like(search.strip())}%"
        query = query.where(
            sa.or_(
                Team.name_key.like(term.casefold(), escape="\\"),
                Team.tag.like(term.upper(), escape="\\"),
            )
        )
    return query


# ----- memberships ---------------------------------------------------------------------------
def find_active_membership(team_id: int, user_id: int) -> TeamMembership | None:
    return db.session.scalars(
        sa.select(TeamMembership).where(
            TeamMembership.team_id == team_id,
            TeamMembership.user_id == user_id,
            TeamMembership.status == MembershipStatus.ACTIVE,
        )
    ).first()


def find_active_membership_in_game(user_id: int, game_id: int) -> TeamMembership | None:
    """The user's active membership in any team of this game (at most one exists)."""
    return db.session.scalars(
        sa.select(TeamMembership).where(
            TeamMembership.user_id == user_id,
            TeamMembership.game_id == game_id,
            TeamMembership.status == MembershipStatus.ACTIVE,
        )
    ).first()


def count_active_members(team_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(TeamMembership.id)).where(
                TeamMembership.team_id == team_id,
                TeamMembership.status == MembershipStatus.ACTIVE,
            )
        )
        or 0
    )


# ----- invites -------------------------------------------------------------------------------
def get_invite(invite_id: int) -> TeamInvite:
    invite = db.session.get(TeamInvite, invite_id)
    if invite is None:
        raise InviteNotFoundError(f"No team invite {invite_id}.")
    return invite


def _live_pending(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(TeamInvite.status == InviteStatus.PENDING, TeamInvite.expires_at > now)


def count_live_invites(team_id: int, now: datetime) -> int:
    """Pending invites of the team that have not expired yet (they hold roster places)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count(TeamInvite.id)).where(
                TeamInvite.team_id == team_id, _live_pending(now)
            )
        )
        or 0
    )


def find_live_invite(team_id: int, user_id: int, now: datetime) -> TeamInvite | None:
    return db.session.scalars(
        sa.select(TeamInvite).where(
            TeamInvite.team_id == team_id, TeamInvite.user_id == user_id, _live_pending(now)
        )
    ).first()


def list_inbox(user_id: int, now: datetime) -> sa.Select[tuple[TeamInvite]]:
    """The user's pending, unexpired invites, newest first."""
    return (
        sa.select(TeamInvite)
        .where(TeamInvite.user_id == user_id, _live_pending(now))
        .options(selectinload(TeamInvite.team).selectinload(Team.game))
        .order_by(TeamInvite.id.desc())
    )


def list_team_invites(team_id: int, now: datetime) -> sa.Select[tuple[TeamInvite]]:
    """A team's pending, unexpired invites, newest first."""
    return (
        sa.select(TeamInvite)
        .where(TeamInvite.team_id == team_id, _live_pending(now))
        .options(selectinload(TeamInvite.user))
        .order_by(TeamInvite.id.desc())
    )


def due_invites(now: datetime) -> sa.Select[tuple[TeamInvite]]:
    """Pending invites whose expiry has passed (what the sweep marks)."""
    return (
        sa.select(TeamInvite)
        .where(TeamInvite.status == InviteStatus.PENDING, TeamInvite.expires_at <= now)
        .order_by(TeamInvite.id)
    )
