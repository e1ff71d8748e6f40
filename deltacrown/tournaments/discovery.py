"""Tournament discovery: the public list with its filters and ordering, `?mine=true`, search,
upcoming and by-game. Each builds a lazy Select over Tournament; the views paginate it.

Rules (documented on the API too):

* Listed: public, non-draft, not deleted tournaments. `unlisted` ones are reachable by link
  only and `private` ones by invite code, so neither is listed. `?mine=true` lists instead the
  caller's own tournaments (owner or co-organizer), drafts, unlisted and private included;
  anonymous callers get 401.
* Fees: `free=true` keeps free tournaments (`false`: paid ones). Cash and DeltaCoin fees are
  not comparable, so each has its own bound: `entry_fee_max` with `currency` (both or neither)
  keeps cash fees in that currency up to the amount, `entry_coins_max` coin fees up to the
  count; a bound also keeps free tournaments (0 is below it) and drops the other kind of fee
  unless its own bound is given too.
* `has_slots=true`: fewer places held (pending and confirmed registrations) than
  `max_participants` (`false`: full ones). `organizer=<user id>`: owned or co-organized by them.
* `ordering`: `start_at`, `created_at`, `prize_pool`, `name`, `-` for descending, default
  `-created_at`; ties broken by id. `prize_pool` sorts on the pool's number (cash amount or
  coin count; no prize is 0) without converting currencies.
* Search (`q`): see `search.py`. Results are ranked by relevance unless `ordering` is given; a
  query with no words left after tokenizing (empty, `"`, `*`, `AND`) searches nothing and
  lists the filtered tournaments in `ordering` (so a search box never errors).
* Upcoming: registration open, or published / registration closed and starting within
  `days` (30), soonest first.

`has_slots` filters on a correlated count of held places, so filtering and pagination stay
in SQL; the registrations domain writes that subquery (`ports.registrations.held_places`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy import orm

from deltacrown.accounts.models import User
from deltacrown.core.api import BaseSchema
from deltacrown.core.errors import AuthenticationError, ValidationError
from deltacrown.core.inputs import FIRST_YEAR, LAST_YEAR, IdOrSlug
from deltacrown.core.pagination import keyset_page
from deltacrown.extensions import db
from deltacrown.games.models import Game
from deltacrown.games.queries import get_game
from deltacrown.tournaments import ports, search
from deltacrown.tournaments.models import (
    PRIZE_SORT_KEY,
    ParticipantType,
    Tournament,
    TournamentFormat,
    TournamentOrganizer,
    TournamentStatus,
    Visibility,
)
from deltacrown.tournaments.queries import owned_or_co_organized
from deltacrown.tournaments.rules import CURRENCIES
from deltacrown.tournaments.schemas import DecimalString, TournamentSchema

S = TournamentStatus
ORDERING_FIELDS = ("start_at", "created_at", "prize_pool", "name")
ORDERINGS = tuple(o for f in ORDERING_FIELDS for o in (f, f"-{f}"))
DEFAULT_ORDERING = "-created_at"
UPCOMING_DAYS = 30
UPCOMING_STATUSES = (S.PUBLISHED, S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED)


# ----- query-string schemas ------------------------------------------------------------------
def _ordering_field(default: str | None = DEFAULT_ORDERING) -> ma.fields.String:
    return ma.fields.String(
        load_default=default,
        validate=ma.validate.OneOf(ORDERINGS),
        metadata={
            "description": "start_at, created_at, prize_pool or name; '-' for descending"
            + ("" if default else ". Default: relevance")
        },
    )


class BaseFilterArgs(BaseSchema):
    """The filters every discovery list takes, but the game."""

    status = ma.fields.List(
        ma.fields.Enum(TournamentStatus, by_value=True),
        metadata={"description": "Repeatable: ?status=registration_open&status=published"},
    )
    format = ma.fields.Enum(TournamentFormat, by_value=True)
    participant_type = ma.fields.Enum(ParticipantType, by_value=True)
    region = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    start_from = ma.fields.AwareDateTime(format="iso", metadata={"description": "start_at >="})
    start_to = ma.fields.AwareDateTime(format="iso", metadata={"description": "start_at <="})
    entry_fee_max = DecimalString(
        metadata={"description": "Cash fees up to this amount in `currency` (and free ones)"}
    )
    currency = ma.fields.String(
        validate=ma.validate.OneOf(sorted(CURRENCIES)),
        metadata={"description": "ISO 4217 currency of entry_fee_max (required with it)"},
    )
    entry_coins_max = ma.fields.Integer(
        validate=ma.validate.Range(min=0),
        metadata={"description": "DeltaCoin fees up to this many coins (and free ones)"},
    )
    free = ma.fields.Boolean(metadata={"description": "true: free only; false: paid only"})
    has_slots = ma.fields.Boolean(
        metadata={"description": "true: places left (pending + confirmed < max); false: full"}
    )
    organizer = ma.fields.Integer(
        validate=ma.validate.Range(min=1),
        metadata={"description": "User id of an organizer (owner or co-organizer)"},
    )

    @ma.validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        start_from, start_to = data.get("start_from"), data.get("start_to")
        if start_from and start_to and start_from > start_to:
            raise ma.ValidationError("Must not be after start_to.", "start_from")
        if ("entry_fee_max" in data) != ("currency" in data):
            missing = "currency" if "entry_fee_max" in data else "entry_fee_max"
            raise ma.ValidationError("entry_fee_max and currency go together.", missing)


class TournamentFilterArgs(BaseFilterArgs):
    game = IdOrSlug(metadata={"description": "Game id or slug"})


class TournamentListArgs(TournamentFilterArgs):
    ordering = _ordering_field()
    mine = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Only your own (organizer or co-organizer), drafts included"},
    )


class TournamentFeedArgs(TournamentListArgs):
    """The main list's query: the list's filters plus the keyset `cursor`."""

    cursor = ma.fields.String(
        validate=ma.validate.Length(max=500),
        metadata={
            "description": "Page by cursor instead of by page number: empty for the first "
            "page, then the `X-Next-Cursor` of the previous page (same filters and ordering). "
            "`page_size` still sets the page's length; no X-Pagination total is sent."
        },
    )


class TournamentSearchArgs(TournamentListArgs):
    q = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=200),
        metadata={
            "description": "Words to find in name, description and game name: whole words, "
            "the last also as a prefix, from 3 characters inside words, from 4 with a small "
            "typo. Exact words rank first, then matches inside words, then typos."
        },
    )
    ordering = _ordering_field(default=None)


class UpcomingArgs(TournamentFilterArgs):
    days = ma.fields.Integer(
        load_default=UPCOMING_DAYS,
        validate=ma.validate.Range(min=1, max=365),
        metadata={"description": "Starting within this many days (default 30)"},
    )


class ByGameArgs(BaseFilterArgs):
    ordering = _ordering_field()


# ----- building blocks -----------------------------------------------------------------------
def organized_by(user_id: int) -> Any:
    """The user owns the tournament or is one of its co-organizers."""
    return Tournament.id.in_(owned_or_co_organized(user_id))


def listed_condition() -> Any:
    """What anyone may find: public, non-draft, not deleted. Written with literals, exactly
    as the partial indexes' condition (`models.tournament.LISTED_SQL`), so PostgreSQL uses
    them in every plan (a bound parameter would not match a cached generic plan)."""
    return sa.and_(
        Tournament.deleted_at.is_(None),
        Tournament.visibility == sa.literal_column(f"'{Visibility.PUBLIC.value}'"),
        Tournament.status != sa.literal_column(f"'{S.DRAFT.value}'"),
    )


def listed() -> sa.Select[tuple[Tournament]]:
    """What anyone may find: public, non-draft, not deleted (see `listed_condition`). A page
    is read with `list_loading()`; the statements that count a list's rows go without it
    (options they would not use, yet SQLAlchemy would walk them for each statement's cache
    key: about 0.4 ms each)."""
    return sa.select(Tournament).where(listed_condition())


@functools.cache
def list_loading() -> tuple[Any, ...]:
    """Load what a list dumps and nothing more: the columns `TournamentSchema` shows (and
    those its values are made of), the game's id, slug and name, the organizers' id and
    username; any other relationship raises instead of querying row by row. Built once:
    loader options are immutable, and building them cost a list request about 2 ms. The
    columns not shown are deferred by name (`_column_options`): the same SELECT as
    `load_only` of the shown ones, but options on 2 columns instead of 55 for SQLAlchemy to
    walk into each page's statement cache key (about 0.3 ms a page)."""
    return (
        *_column_options(),
        orm.joinedload(Tournament.game).load_only(Game.id, Game.slug, Game.name),
        orm.joinedload(Tournament.organizer).load_only(User.id, User.username),
        orm.selectinload(Tournament.organizer_links)
        .load_only(TournamentOrganizer.tournament_id, TournamentOrganizer.user_id)
        .joinedload(TournamentOrganizer.user)
        .load_only(User.id, User.username),
        orm.raiseload("*"),
    )


# Model columns a listed tournament's dump reads beside the schema's own fields: the money
# values, the organizer check and the access rule.
_COLUMNS_BEHIND_FIELDS = (
    "fee_amount",
    "fee_currency",
    "fee_coins",
    "prize_amount",
    "prize_currency",
    "prize_coins",
    "organizer_id",
    "invite_code",
    "visibility",
    "status",
    "deleted_at",
)


@functools.cache
def _list_columns() -> tuple[Any, ...]:
    columns = sa.inspect(Tournament).column_attrs
    wanted = [*TournamentSchema().fields, *_COLUMNS_BEHIND_FIELDS]
    return tuple(getattr(Tournament, name) for name in dict.fromkeys(wanted) if name in columns)


def _column_options() -> Iterator[Any]:
    """`load_only(*_list_columns())` as options on the other columns: defer those not shown
    (and undefer a shown one the model defers)."""
    shown = {column.key for column in _list_columns()}
    for column in sa.inspect(Tournament).column_attrs:
        if column.key not in shown:
            yield orm.defer(getattr(Tournament, column.key))
        elif column.deferred:
            yield orm.undefer(getattr(Tournament, column.key))


def _base(actor: Any, mine: bool) -> sa.Select[tuple[Tournament]]:
    if not mine:
        return listed()
    if actor is None:
        raise AuthenticationError("Sign in to list your own tournaments (mine=true).")
    return sa.select(Tournament).where(Tournament.deleted_at.is_(None), organized_by(actor.id))


def held_places() -> Any:
    """Correlated count of the places a tournament's registrations hold (the registrations
    domain writes the SQL, through `ports.registrations`)."""
    return ports.registrations.get().held_places(Tournament.id)


def _game_condition(ref: int | str) -> Any:
    if isinstance(ref, int):
        return Tournament.game_id == ref
    return Tournament.game_id.in_(sa.select(Game.id).where(Game.slug == ref))


def _is_free() -> Any:
    return sa.and_(Tournament.fee_amount.is_(None), Tournament.fee_coins.is_(None))


def apply_filters(query: sa.Select[Any], filters: Mapping[str, Any]) -> sa.Select[Any]:
    """Narrow a Select over Tournament by the `TournamentFilterArgs` values present."""
    if filters.get("game") is not None:
        query = query.where(_game_condition(filters["game"]))
    if filters.get("status"):
        query = query.where(Tournament.status.in_(filters["status"]))
    if filters.get("format"):
        query = query.where(Tournament.format == filters["format"])
    if filters.get("participant_type"):
        query = query.where(Tournament.participant_type == filters["participant_type"])
    if filters.get("region"):
        query = query.where(sa.func.lower(Tournament.region) == filters["region"].lower())
    if filters.get("start_from"):
        query = query.where(Tournament.start_at >= filters["start_from"])
    if filters.get("start_to"):
        query = query.where(Tournament.start_at <= filters["start_to"])
    fee_max, coins_max = filters.get("entry_fee_max"), filters.get("entry_coins_max")
    if fee_max is not None or coins_max is not None:
        allowed = [_is_free()]
        if fee_max is not None:
            allowed.append(
                sa.and_(
                    Tournament.fee_amount <= fee_max,
                    Tournament.fee_currency == filters["currency"],
                )
            )
        if coins_max is not None:
            allowed.append(Tournament.fee_coins <= coins_max)
        query = query.where(sa.or_(*allowed))
    if filters.get("free") is not None:
        query = query.where(_is_free() if filters["free"] else sa.not_(_is_free()))
    if filters.get("has_slots") is not None:
        has_room = held_places() < Tournament.max_participants
        query = query.where(has_room if filters["has_slots"] else sa.not_(has_room))
    if filters.get("organizer"):
        query = query.where(organized_by(filters["organizer"]))
    return query


# Each ordering's sort key (the partial indexes of the public list are on these, with id) and
# how a keyset cursor's text turns back into it.
_ORDER_COLUMNS: dict[str, Any] = {
    "start_at": Tournament.start_at,
    "created_at": Tournament.created_at,
    "prize_pool": PRIZE_SORT_KEY,
    "name": sa.func.lower(Tournament.name),
}


def _aware_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None or not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(text)
    return value


def _finite_decimal(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError(text)
    return value


_PARSE_KEY: dict[str, Callable[[str], Any]] = {
    "start_at": _aware_datetime,
    "created_at": _aware_datetime,
    "prize_pool": _finite_decimal,
    "name": str,
}


def _ordering(ordering: str | None) -> tuple[str, bool]:
    ordering = ordering or DEFAULT_ORDERING
    field = ordering.removeprefix("-")
    if field not in _ORDER_COLUMNS:
        raise ValidationError(
            f"Unknown ordering {ordering!r}.", errors={"ordering": [f"One of {list(ORDERINGS)}."]}
        )
    return field, ordering.startswith("-")


def apply_ordering(
    query: sa.Select[Any], ordering: str | None, *, relevance: Any = None
) -> sa.Select[Any]:
    """`ordering` (`name` / `-name` ...), else relevance when searching; id breaks ties."""
    if ordering is None and relevance is not None:
        return query.order_by(relevance.desc(), Tournament.start_at, Tournament.id)
    field, descending = _ordering(ordering)
    column = _ORDER_COLUMNS[field]
    if descending:
        return query.order_by(column.desc(), Tournament.id.desc())
    return query.order_by(column.asc(), Tournament.id.asc())


# ----- the lists -----------------------------------------------------------------------------
def list_tournaments(actor: Any, args: Mapping[str, Any]) -> sa.Select[tuple[Tournament]]:
    """The public list (or, with `mine`, the actor's own), filtered and ordered.

    Raises AuthenticationError (`mine` without a user), ValidationError (unknown ordering).
    """
    query = apply_filters(_base(actor, bool(args.get("mine"))), args)
    return apply_ordering(query, args.get("ordering"))


def keyset_tournaments(
    actor: Any, args: Mapping[str, Any], *, limit: int
) -> tuple[list[Tournament], str | None]:
    """A page of `list_tournaments` after the row `args["cursor"]` names (keyset: its sort key
    and id), and the next page's cursor (None on the last page). Raises InvalidCursorError for
    a cursor not issued for this ordering."""
    field, descending = _ordering(args.get("ordering"))
    return keyset_page(
        apply_filters(_base(actor, bool(args.get("mine"))), args).options(*list_loading()),
        key=_ORDER_COLUMNS[field],
        id_column=Tournament.id,
        descending=descending,
        ordering=args.get("ordering") or DEFAULT_ORDERING,
        parse_key=_PARSE_KEY[field],
        cursor=args.get("cursor") or None,
        limit=limit,
    )


# Pages by number of the discovery lists reach this many tournaments: a page further down
# reads and skips every row before it (at 100,000 tournaments page 500 of 100 cost 130 ms of
# the database, page 100 cost 30 ms). The main list pages by cursor however deep.
MAX_PAGE_DEPTH = 10_000

# A search's total is exact up to this many matches, estimated above: counting every match
# of a common word grows with the table, and ranking them already reads each one.
SEARCH_EXACT_COUNT_LIMIT = 1_000


def search_tournaments(actor: Any, args: Mapping[str, Any]) -> sa.Select[tuple[Tournament]]:
    """`list_tournaments` narrowed to the words of `args["q"]`, most relevant first."""
    query = apply_filters(_base(actor, bool(args.get("mine"))), args)
    words = search.tokenize(args.get("q"))
    if not words:
        return apply_ordering(query, args.get("ordering"))
    engine = search.engine_for(db.session.get_bind().dialect.name)
    query, relevance = engine.apply(query, words)
    return apply_ordering(query, args.get("ordering"), relevance=relevance)


def list_upcoming(args: Mapping[str, Any], *, now: datetime) -> sa.Select[tuple[Tournament]]:
    """Listed tournaments taking registrations, or starting within `days`; soonest first."""
    until = now + timedelta(days=args.get("days") or UPCOMING_DAYS)
    soon = sa.and_(
        Tournament.status.in_((S.PUBLISHED, S.REGISTRATION_CLOSED)),
        Tournament.start_at >= now,
        Tournament.start_at <= until,
    )
    # The statuses as literals too: the partial index `ix_tournaments_upcoming_start` holds
    # exactly the listed tournaments in these three.
    statuses: list[Any] = [sa.literal_column(f"'{status.value}'") for status in UPCOMING_STATUSES]
    query = listed().where(
        Tournament.status.in_(statuses),
        sa.or_(Tournament.status == S.REGISTRATION_OPEN, soon),
    )
    return apply_filters(query, args).order_by(Tournament.start_at, Tournament.id)


def list_by_game(game_ref: int | str, args: Mapping[str, Any]) -> sa.Select[tuple[Tournament]]:
    """A game's listed tournaments, the game by id or slug. Raises GameNotFoundError (404)
    for an unknown game."""
    game = get_game(game_ref, active_only=False)
    query = apply_filters(listed().where(Tournament.game_id == game.id), args)
    return apply_ordering(query, args.get("ordering"))
