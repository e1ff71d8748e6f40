"""Tournament, its co-organizers, its enums and its state machine."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.accounts.models import User
from deltacrown.core.db import (
    SoftDeleteMixin,
    TimestampMixin,
    UTCDateTime,
    VersionMixin,
    enum_type,
    json_dict_column,
    json_list_column,
)
from deltacrown.core.errors import InvalidTransitionError
from deltacrown.core.i18n import _
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model
from deltacrown.games.models import Game
from deltacrown.tournaments.errors import TournamentFrozenError
from deltacrown.tournaments.rules import Money

if TYPE_CHECKING:  # resolved by name through the model registry
    from deltacrown.tournaments.models.staff import TournamentStaff


class TournamentStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # visible, not yet taking sign-ups
    REGISTRATION_OPEN = "registration_open"
    REGISTRATION_CLOSED = "registration_closed"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# The codes' names shown to people (`status_label`), in the request's language.
STATUS_LABELS = {
    TournamentStatus.DRAFT: _("Draft"),
    TournamentStatus.PUBLISHED: _("Published"),
    TournamentStatus.REGISTRATION_OPEN: _("Registration open"),
    TournamentStatus.REGISTRATION_CLOSED: _("Registration closed"),
    TournamentStatus.ONGOING: _("Ongoing"),
    TournamentStatus.COMPLETED: _("Completed"),
    TournamentStatus.CANCELLED: _("Cancelled"),
}


class TournamentFormat(enum.StrEnum):
    SINGLE_ELIMINATION = "single_elimination"
    DOUBLE_ELIMINATION = "double_elimination"
    ROUND_ROBIN = "round_robin"
    SWISS = "swiss"
    GROUP_STAGE_PLAYOFFS = "group_stage_playoffs"
    BATTLE_ROYALE = "battle_royale"


FORMAT_LABELS = {
    TournamentFormat.SINGLE_ELIMINATION: _("Single elimination"),
    TournamentFormat.DOUBLE_ELIMINATION: _("Double elimination"),
    TournamentFormat.ROUND_ROBIN: _("Round robin"),
    TournamentFormat.SWISS: _("Swiss"),
    TournamentFormat.GROUP_STAGE_PLAYOFFS: _("Group stage and playoffs"),
    TournamentFormat.BATTLE_ROYALE: _("Battle royale"),
}


class ParticipantType(enum.StrEnum):
    SOLO = "solo"
    TEAM = "team"


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    UNLISTED = "unlisted"  # anyone with the link
    PRIVATE = "private"  # organizers, staff, and whoever has the invite code


class TournamentTier(enum.StrEnum):
    """How much a placement counts on the leaderboards (premier x1, standard x0.5,
    community x0.25)."""

    PREMIER = "premier"
    STANDARD = "standard"
    COMMUNITY = "community"


class PrizeFunding(enum.StrEnum):
    """Who funds a DeltaCoin prize pool (a cash pool is declared, not held)."""

    ORGANIZER = "organizer"  # held from the organizer's wallet when registration opens
    ENTRY_FEES = "entry_fees"  # the entry fees collected, less the platform fee ("up to")


class PaymentMethod(enum.StrEnum):
    BKASH = "bkash"
    NAGAD = "nagad"
    ROCKET = "rocket"
    BANK_TRANSFER = "bank_transfer"
    DELTACOIN = "deltacoin"


S = TournamentStatus
# The legal moves; `start` and `complete` are made by the brackets services.
TRANSITIONS: frozenset[tuple[TournamentStatus, TournamentStatus]] = frozenset(
    {
        (S.DRAFT, S.PUBLISHED),
        (S.PUBLISHED, S.REGISTRATION_OPEN),
        (S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED),
        (S.REGISTRATION_CLOSED, S.REGISTRATION_OPEN),  # reopen, until a bracket is drawn
        (S.REGISTRATION_CLOSED, S.ONGOING),  # start (brackets.services.start_tournament)
        (S.ONGOING, S.COMPLETED),  # complete (brackets.services, when the last match ends)
        *((state, S.CANCELLED) for state in S if state not in (S.COMPLETED, S.CANCELLED)),
    }
)
# Which timestamp a transition stamps.
STAMPS = {S.PUBLISHED: "published_at", S.CANCELLED: "cancelled_at"}
FINISHED = frozenset({S.COMPLETED, S.CANCELLED})


class Tournament(TimestampMixin, VersionMixin, SoftDeleteMixin, Model):
    __tablename__ = "tournaments"
    __table_args__ = (
        sa.CheckConstraint(
            "min_participants >= 2 AND min_participants <= max_participants "
            "AND max_participants <= 4096",
            name="participants_range",
        ),
        sa.CheckConstraint("fee_amount IS NULL OR fee_coins IS NULL", name="fee_one_kind"),
        sa.CheckConstraint("prize_amount IS NULL OR prize_coins IS NULL", name="prize_one_kind"),
        sa.Index("ix_tournaments_status_start_at", "status", "start_at"),
        sa.Index("ix_tournaments_game_id_status", "game_id", "status"),
        # Staff figures count tournaments created in a period, listed or not.
        sa.Index("ix_tournaments_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    slug: Mapped[str] = mapped_column(sa.String(220), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    rules: Mapped[str | None] = mapped_column(sa.Text)
    game_id: Mapped[int] = mapped_column(sa.ForeignKey("games.id"), nullable=False)
    organizer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    format: Mapped[TournamentFormat] = mapped_column(enum_type(TournamentFormat), nullable=False)
    participant_type: Mapped[ParticipantType] = mapped_column(
        enum_type(ParticipantType), nullable=False
    )
    team_size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    max_substitutes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    min_participants: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=2)
    max_participants: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkin_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkin_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    start_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    timezone: Mapped[str] = mapped_column(sa.String(64), nullable=False, default="UTC")
    region: Mapped[str | None] = mapped_column(sa.String(64))
    is_online: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    venue: Mapped[str | None] = mapped_column(sa.String(300))

    visibility: Mapped[Visibility] = mapped_column(
        enum_type(Visibility), nullable=False, default=Visibility.PUBLIC
    )
    invite_code: Mapped[str | None] = mapped_column(sa.String(32), unique=True)

    # Money as columns: cash (amount + ISO 4217 currency) or DeltaCoins, never both.
    fee_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    fee_currency: Mapped[str | None] = mapped_column(sa.String(3))
    fee_coins: Mapped[int | None] = mapped_column(sa.Integer)
    payment_methods: Mapped[list[str]] = json_list_column(nullable=False, default=list)
    prize_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    prize_currency: Mapped[str | None] = mapped_column(sa.String(3))
    prize_coins: Mapped[int | None] = mapped_column(sa.Integer)
    prize_distribution: Mapped[list[dict[str, Any]]] = json_list_column(
        nullable=False, default=list
    )

    waitlist_enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    requires_approval: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    payment_deadline_hours: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=48)
    result_confirmation_minutes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=30)
    no_show_grace_minutes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=10)
    # A ready match without a scheduled time goes live at once (no check-in, no start/).
    auto_start_matches: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=True, server_default=sa.true()
    )
    prize_funding: Mapped[PrizeFunding] = mapped_column(
        enum_type(PrizeFunding),
        nullable=False,
        default=PrizeFunding.ORGANIZER,
        server_default=PrizeFunding.ORGANIZER.value,
    )
    # A team's prize goes to its captain alone instead of being split across the roster.
    prize_to_captain: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    points_table: Mapped[dict[str, Any] | None] = json_dict_column(default=None)
    # Staff froze it: every participant write is refused (409 `tournament_frozen`).
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    tier: Mapped[TournamentTier] = mapped_column(
        enum_type(TournamentTier), nullable=False, default=TournamentTier.COMMUNITY,
        server_default=TournamentTier.COMMUNITY.value,
    )  # fmt: skip
    settings: Mapped[dict[str, Any]] = json_dict_column(nullable=False, default=dict)
    settings_schema_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    banner_url: Mapped[str | None] = mapped_column(sa.String(2000))
    stream_url: Mapped[str | None] = mapped_column(sa.String(2000))

    status: Mapped[TournamentStatus] = mapped_column(
        enum_type(TournamentStatus), nullable=False, default=TournamentStatus.DRAFT
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    template_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tournament_templates.id", ondelete="SET NULL")
    )

    game: Mapped[Game] = relationship(lazy="joined")
    organizer: Mapped[User] = relationship(foreign_keys=[organizer_id], lazy="joined")
    organizer_links: Mapped[list[TournamentOrganizer]] = relationship(
        back_populates="tournament",
        cascade="all, delete-orphan",
        order_by="TournamentOrganizer.id",
        lazy="selectin",
    )
    # Referees and casters (`models.staff`), loaded when a permission check asks.
    staff_links: Mapped[list[TournamentStaff]] = relationship(
        "TournamentStaff", cascade="all, delete-orphan", order_by="TournamentStaff.id"
    )

    # Set per request by the API: whether the viewer may see organizer-only fields.
    viewer_can_manage = False

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Tournament {self.id} {self.slug!r} {self.status}>"

    # ----- money as values ---------------------------------------------------------------
    @property
    def entry_fee(self) -> Money | None:
        if self.fee_coins is not None:
            return Money(coins=self.fee_coins)
        if self.fee_amount is not None:
            return Money(amount=Decimal(self.fee_amount), currency=self.fee_currency)
        return None

    @entry_fee.setter
    def entry_fee(self, money: Money | None) -> None:
        self.fee_amount = money.amount if money else None
        self.fee_currency = money.currency if money else None
        self.fee_coins = money.coins if money else None

    @property
    def prize_pool(self) -> Money | None:
        if self.prize_coins is not None:
            return Money(coins=self.prize_coins)
        if self.prize_amount is not None:
            return Money(amount=Decimal(self.prize_amount), currency=self.prize_currency)
        return None

    @prize_pool.setter
    def prize_pool(self, money: Money | None) -> None:
        self.prize_amount = money.amount if money else None
        self.prize_currency = money.currency if money else None
        self.prize_coins = money.coins if money else None

    # ----- organizers --------------------------------------------------------------------
    @property
    def co_organizers(self) -> list[User]:
        return [link.user for link in self.organizer_links]

    @property
    def organizer_ids(self) -> set[int]:
        return {self.organizer_id, *(link.user_id for link in self.organizer_links)}

    def staff_ids(self, role: str) -> set[int]:
        """The users named to this tournament with `role` (`referee`, `caster`)."""
        return {link.user_id for link in self.staff_links if link.role == role}

    # ----- state machine -----------------------------------------------------------------
    @property
    def is_draft(self) -> bool:
        return self.status == TournamentStatus.DRAFT

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    def ensure_not_frozen(self) -> None:
        """Raise TournamentFrozenError (409 `tournament_frozen`) while staff have it frozen."""
        if self.frozen_at is not None:
            raise TournamentFrozenError(
                f"Tournament {self.id} is frozen by staff; participants cannot change anything "
                "until it is unfrozen."
            )

    def can_transition(self, to: TournamentStatus) -> bool:
        return (self.status, to) in TRANSITIONS

    def check_transition(self, to: TournamentStatus) -> None:
        """Raise InvalidTransitionError (409 `invalid_transition`) unless `to` is legal now."""
        if not self.can_transition(to):
            raise InvalidTransitionError(
                f"A {self.status.value} tournament cannot become {to.value}.",
                from_status=self.status.value,
                to_status=to.value,
            )

    def transition(self, to: TournamentStatus, *, at: datetime | None = None) -> None:
        """Move to `to` (stamping published_at / cancelled_at) or raise InvalidTransitionError."""
        self.check_transition(to)
        self.status = to
        stamp = STAMPS.get(to)
        if stamp:
            setattr(self, stamp, at or utcnow())


# ----- discovery indexes ---------------------------------------------------------------------
# What anyone may find (`discovery.listed`): each list index is partial on exactly this
# condition, and the discovery queries state it with the same literals (never bound
# parameters, which a cached generic plan could not match to the partial index).
LISTED_SQL = "deleted_at IS NULL AND visibility = 'public' AND status <> 'draft'"
# The listed tournaments that upcoming can show (taking registrations or about to start).
UPCOMING_SQL = (
    LISTED_SQL + " AND status IN ('published', 'registration_open', 'registration_closed')"
)
PRIZE_SORT_KEY = sa.func.coalesce(Tournament.prize_amount, Tournament.prize_coins, 0)


def _listed_index(name: str, *columns: Any, where: str = LISTED_SQL) -> sa.Index:
    condition = sa.text(where)
    return sa.Index(name, *columns, postgresql_where=condition, sqlite_where=condition)


# One index per ordering of the public list (ties broken by id; read backwards for `-`), and
# one per game for the by-game list and the `game` filter in the default order.
_listed_index("ix_tournaments_listed_created", Tournament.created_at, Tournament.id)
_listed_index("ix_tournaments_listed_start", Tournament.start_at, Tournament.id)
_listed_index("ix_tournaments_listed_name", sa.func.lower(Tournament.name), Tournament.id)
_listed_index("ix_tournaments_listed_prize", PRIZE_SORT_KEY, Tournament.id)
_listed_index(
    "ix_tournaments_listed_game_created", Tournament.game_id, Tournament.created_at, Tournament.id
)
# The status filter in the default order and by start (registration open, soonest first),
# and the region filter (whose expression index also gives the planner its statistics).
_listed_index(
    "ix_tournaments_listed_status_created",
    Tournament.status,
    Tournament.created_at,
    Tournament.id,
)
_listed_index(
    "ix_tournaments_listed_status_start", Tournament.status, Tournament.start_at, Tournament.id
)
_listed_index(
    "ix_tournaments_listed_region_created",
    sa.func.lower(Tournament.region),
    Tournament.created_at,
    Tournament.id,
)
_listed_index(
    "ix_tournaments_upcoming_start", Tournament.start_at, Tournament.id, where=UPCOMING_SQL
)


class TournamentOrganizer(Model):
    """A co-organizer: a user the tournament's owner named, with the owner's rights."""

    __tablename__ = "tournament_organizers"
    __table_args__ = (sa.UniqueConstraint("tournament_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tournaments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    tournament: Mapped[Tournament] = relationship(back_populates="organizer_links")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    def __str__(self) -> str:
        return str(self.user)

    def __repr__(self) -> str:
        return f"<TournamentOrganizer t={self.tournament_id} user={self.user_id}>"
