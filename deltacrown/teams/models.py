"""Team, TeamMembership and TeamInvite, with their enums.

Uniqueness that must survive concurrent requests is enforced by partial unique indexes, which
both SQLite and PostgreSQL support (`sqlite_where` / `postgresql_where`):

* a team's name and tag are unique per game among *active* teams (a disbanded team's name is
  free again), compared through the normalised `name_key` and the upper-cased `tag`;
* a user holds at most one *active* membership per game (`game_id` is copied onto the
  membership for this);
* a team has at most one active captain membership;
* a user has at most one *pending* invite per team.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.accounts.models import User
from deltacrown.core.db import TimestampMixin, UTCDateTime, VersionMixin, enum_type
from deltacrown.extensions import Model
from deltacrown.games.models import Game

MAX_ROSTER = 8  # active members + pending invites
INVITE_TTL_HOURS = 72


class TeamRole(enum.StrEnum):
    CAPTAIN = "captain"
    PLAYER = "player"
    SUBSTITUTE = "substitute"


class MembershipStatus(enum.StrEnum):
    ACTIVE = "active"
    LEFT = "left"  # the member left
    REMOVED = "removed"  # removed by the captain or staff, or the team was disbanded


class InviteStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


_ACTIVE_TEAM = sa.text("is_active")
_ACTIVE_MEMBERSHIP = sa.text("status = 'active'")
_ACTIVE_CAPTAIN = sa.text("status = 'active' AND role = 'captain'")
_PENDING_INVITE = sa.text("status = 'pending'")


class Team(TimestampMixin, VersionMixin, Model):
    __tablename__ = "teams"
    __table_args__ = (
        sa.Index(
            "uq_teams_active_game_id_name_key",
            "game_id",
            "name_key",
            unique=True,
            sqlite_where=_ACTIVE_TEAM,
            postgresql_where=_ACTIVE_TEAM,
        ),
        sa.Index(
            "uq_teams_active_game_id_tag",
            "game_id",
            "tag",
            unique=True,
            sqlite_where=_ACTIVE_TEAM,
            postgresql_where=_ACTIVE_TEAM,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(sa.ForeignKey("games.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    # Case-folded name with collapsed whitespace (case-insensitive uniqueness; folding may
    # lengthen a name, hence the wider column).
    name_key: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    # Stored upper-cased, so it is its own normalised key.
    tag: Mapped[str] = mapped_column(sa.String(5), nullable=False)
    slug: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    captain_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    logo_url: Mapped[str | None] = mapped_column(sa.String(500))
    # What the logo shows, for screen readers (required with a logo).
    logo_alt_text: Mapped[str | None] = mapped_column(sa.String(300))
    region: Mapped[str | None] = mapped_column(sa.String(40))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True, index=True)
    disbanded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    game: Mapped[Game] = relationship()
    captain: Mapped[User] = relationship(foreign_keys=[captain_id])
    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="team", order_by="TeamMembership.id"
    )

    @property
    def active_members(self) -> list[TeamMembership]:
        """Active memberships: the captain first, then players, then substitutes."""
        order = {TeamRole.CAPTAIN: 0, TeamRole.PLAYER: 1, TeamRole.SUBSTITUTE: 2}
        active = [m for m in self.memberships if m.status == MembershipStatus.ACTIVE]
        return sorted(active, key=lambda m: (order[m.role], m.joined_at, m.id))

    def __str__(self) -> str:
        return f"{self.name} [{self.tag}]"

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.tag} {self.name!r}>"


class TeamMembership(TimestampMixin, Model):
    """One stint of a user on a team; leaving ends it (history is kept)."""

    __tablename__ = "team_memberships"
    __table_args__ = (
        sa.Index(
            "uq_team_memberships_active_user_id_game_id",
            "user_id",
            "game_id",
            unique=True,
            sqlite_where=_ACTIVE_MEMBERSHIP,
            postgresql_where=_ACTIVE_MEMBERSHIP,
        ),
        sa.Index(
            "uq_team_memberships_active_captain_team_id",
            "team_id",
            unique=True,
            sqlite_where=_ACTIVE_CAPTAIN,
            postgresql_where=_ACTIVE_CAPTAIN,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # Copied from the team: "one active team per game" is a unique index on (user, game).
    game_id: Mapped[int] = mapped_column(sa.ForeignKey("games.id"), nullable=False, index=True)
    role: Mapped[TeamRole] = mapped_column(enum_type(TeamRole), nullable=False)
    status: Mapped[MembershipStatus] = mapped_column(
        enum_type(MembershipStatus), nullable=False, default=MembershipStatus.ACTIVE
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who ended the membership when it was not the member (captain, staff); None otherwise.
    removed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.status.value.replace('_', ' ')})"

    def __repr__(self) -> str:
        return f"<TeamMembership {self.id} team={self.team_id} user={self.user_id} {self.status}>"


class TeamInvite(TimestampMixin, Model):
    """An invitation for one user to join a team; the invitee accepts or declines it."""

    __tablename__ = "team_invites"
    __table_args__ = (
        sa.Index(
            "uq_team_invites_pending_team_id_user_id",
            "team_id",
            "user_id",
            unique=True,
            sqlite_where=_PENDING_INVITE,
            postgresql_where=_PENDING_INVITE,
        ),
        sa.Index("ix_team_invites_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    role: Mapped[TeamRole] = mapped_column(enum_type(TeamRole), nullable=False)
    status: Mapped[InviteStatus] = mapped_column(
        enum_type(InviteStatus), nullable=False, default=InviteStatus.PENDING
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    team: Mapped[Team] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def is_expired(self, now: datetime) -> bool:
        """Past its expiry, whether or not the sweep has marked it yet."""
        return self.status == InviteStatus.EXPIRED or (
            self.status == InviteStatus.PENDING and self.expires_at <= now
        )

    def effective_status(self, now: datetime) -> InviteStatus:
        """The status clients see: a pending invite past its expiry reads `expired`."""
        return InviteStatus.EXPIRED if self.is_expired(now) else self.status

    def __str__(self) -> str:
        return f"{self.user} invited to {self.team} ({self.status.value})"

    def __repr__(self) -> str:
        return f"<TeamInvite {self.id} team={self.team_id} user={self.user_id} {self.status}>"
