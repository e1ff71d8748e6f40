"""Tournaments API: create, read, change and delete tournaments, their state actions,
co-organizers and custom registration fields; discovery (list, search, upcoming, by game:
rules in `discovery.py`)."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask.views import MethodView

from deltacrown.accounts.errors import UserNotFoundError
from deltacrown.accounts.recovery_errors import EmailNotVerifiedError
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import get_current_user, login_required, require_user
from deltacrown.core.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from deltacrown.core.pagination import (
    NEXT_CURSOR_HEADER,
    InvalidCursorError,
    paginate_select,
    with_next_cursor,
)
from deltacrown.core.response_cache import LISTS, TOURNAMENT, cached_read
from deltacrown.core.scopes import TokenScopes
from deltacrown.core.time import utcnow
from deltacrown.games.config import InvalidSettingsError
from deltacrown.games.errors import GameNotFoundError
from deltacrown.tournaments import discovery, policies, queries, services
from deltacrown.tournaments.errors import (
    AlreadyOrganizerError,
    BracketExistsError,
    CannotRemoveOwnerError,
    CustomFieldNotFoundError,
    FieldFrozenError,
    FieldKeyTakenError,
    FieldTypeLockedError,
    InvalidCustomFieldError,
    InvalidPaymentMethodsError,
    InvalidPrizeDistributionError,
    InvalidRegexError,
    InvalidScheduleError,
    NotDraftError,
    NotEnoughParticipantsError,
    OrganizerNotFoundError,
    RegistrationsExistError,
    RegistrationWindowPassedError,
    TournamentLockedError,
    TournamentNotFoundError,
)
from deltacrown.tournaments.models import Tournament
from deltacrown.tournaments.schemas import (
    TOURNAMENT_COMPACT,
    CancelArgs,
    CustomFieldCreateArgs,
    CustomFieldSchema,
    CustomFieldUpdateArgs,
    OrganizerAddArgs,
    TournamentCreateArgs,
    TournamentDetailSchema,
    TournamentSchema,
    TournamentUpdateArgs,
    TournamentViewArgs,
    UserRefSchema,
)
from deltacrown.tournaments.services.common import managed_tournament

blp = Blueprint(
    "tournaments",
    __name__,
    url_prefix="/api/tournaments",
    description="Tournaments: lifecycle, co-organizers and custom registration fields.",
    token_scopes=TokenScopes("tournaments:read", "tournaments:write"),
)

# The rules every create or update checks on the whole configuration.
CONFIG_ERRORS = (
    GameNotFoundError,
    ValidationError,
    InvalidScheduleError,
    InvalidPrizeDistributionError,
    InvalidPaymentMethodsError,
    InvalidSettingsError,
)
# What acting on an existing tournament can answer besides its own rules.
ACCESS_ERRORS = (TournamentNotFoundError, PermissionDeniedError)


def present(tournament: Tournament, actor: Any) -> Tournament:
    """Mark what the viewer may see (the invite code) and set the ETag."""
    tournament.viewer_can_manage = policies.can_manage(actor, tournament)
    blp.set_etag(tournament)
    return tournament


def _page(
    query: Any, pagination_parameters: Any, actor: Any, *, exact_limit: int | None = None
) -> list[Tournament]:
    """One page of a discovery list (loaded as `discovery.list_loading` says), each marked for
    what the viewer may see."""
    page = paginate_select(
        query,
        pagination_parameters,
        exact_limit=exact_limit,
        options=discovery.list_loading(),
        max_depth=discovery.MAX_PAGE_DEPTH,
    )
    return _mark(page, actor)


def _mark(tournaments: list[Tournament], actor: Any) -> list[Tournament]:
    for tournament in tournaments:
        tournament.viewer_can_manage = policies.can_manage(actor, tournament)
    return tournaments


FEED_CURSOR_HEADERS = {
    NEXT_CURSOR_HEADER: {
        "description": "With `cursor`: pass as `?cursor=` for the next page; absent on the "
        "last page.",
        "schema": {"type": "string"},
    }
}


@cached_read(LISTS)
@blp.route("/")
class TournamentCollection(MethodView):
    @login_required(optional=True)
    @blp.arguments(discovery.TournamentFeedArgs, location="query")
    @blp.response(
        200, TournamentSchema(many=True), compact=TOURNAMENT_COMPACT, headers=FEED_CURSOR_HEADERS
    )
    @blp.paginate()
    @blp.errors(ValidationError, InvalidCursorError)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Find public tournaments (filters, ordering); `?mine=true`: your own, drafts too.

        Listed: public tournaments that are not drafts (unlisted and private ones are not
        listed). `entry_fee_max` (with `currency`) bounds cash fees and `entry_coins_max` coin
        fees; either keeps free tournaments. `has_slots` counts pending and confirmed
        registrations. Default ordering `-created_at`.

        Two ways to page: by number (`page`, with the total in X-Pagination, estimated above
        10,000 tournaments; pages reach the first 10,000, a page beyond is a 422) or by cursor
        (`cursor=` empty for the first page, then each page's `X-Next-Cursor`), which stays
        as fast however deep you read.
        """
        actor = get_current_user()
        if "cursor" in args:
            tournaments, next_cursor = discovery.keyset_tournaments(
                actor, args, limit=pagination_parameters.page_size
            )
            return with_next_cursor(_mark(tournaments, actor), next_cursor)
        return _page(discovery.list_tournaments(actor, args), pagination_parameters, actor)

    @login_required
    @blp.etag
    @blp.arguments(TournamentCreateArgs)
    @blp.response(201, TournamentSchema)
    @blp.errors(*CONFIG_ERRORS, PermissionDeniedError, EmailNotVerifiedError)
    def post(self, args: dict[str, Any]) -> Any:
        """Create a draft tournament (you become its organizer). Only staff set a `tier`
        above `community`."""
        actor = require_user()
        return present(services.create_tournament(actor=actor, data=args), actor)


@cached_read(LISTS)
@blp.route("/search/")
class TournamentSearch(MethodView):
    @login_required(optional=True)
    @blp.arguments(discovery.TournamentSearchArgs, location="query")
    @blp.response(200, TournamentSchema(many=True), compact=TOURNAMENT_COMPACT)
    @blp.paginate()
    @blp.errors(ValidationError)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Full-text search (name, description, game), most relevant first; takes every filter.

        Every word must match. A word matches a whole word, the last one also the start of a
        word, and a word of 3 or more characters also matches inside a word (`football`
        finds "eFootball"). Tournaments matched by whole words come first. Punctuation and
        operators are ignored; a `q` with no words lists the filtered tournaments.

        The total in `X-Pagination` is exact up to 1,000 matches; above, it is the database's
        estimate and the object carries `"total_estimated": true`. Pages reach the first
        10,000 matches (a page beyond is a 422): narrow the search to read further.
        """
        actor = get_current_user()
        query = discovery.search_tournaments(actor, args)
        limit = discovery.SEARCH_EXACT_COUNT_LIMIT
        return _page(query, pagination_parameters, actor, exact_limit=limit)


@cached_read(LISTS)
@blp.route("/upcoming/")
class TournamentUpcoming(MethodView):
    @login_required(optional=True)
    @blp.arguments(discovery.UpcomingArgs, location="query")
    @blp.response(200, TournamentSchema(many=True), compact=TOURNAMENT_COMPACT)
    @blp.paginate()
    @blp.errors(ValidationError)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Registration open, or starting within `days` (30); soonest first. Pages reach the
        first 10,000 (a page beyond is a 422)."""
        query = discovery.list_upcoming(args, now=utcnow())
        return _page(query, pagination_parameters, get_current_user())


@cached_read(LISTS)
@blp.route("/by-game/<game_ref>/")
class TournamentsByGame(MethodView):
    @login_required(optional=True)
    @blp.arguments(discovery.ByGameArgs, location="query")
    @blp.response(200, TournamentSchema(many=True), compact=TOURNAMENT_COMPACT)
    @blp.paginate()
    @blp.errors(GameNotFoundError, ValidationError)
    def get(self, args: dict[str, Any], game_ref: str, pagination_parameters: Any) -> Any:
        """A game's public tournaments, the game given by id or slug (`4` or `efootball`);
        filters, ordering and page depth as the main list."""
        query = discovery.list_by_game(game_ref, args)
        return _page(query, pagination_parameters, get_current_user())


@blp.route("/by-slug/<slug>/")
class TournamentBySlug(MethodView):
    @login_required(optional=True)
    @blp.etag
    @blp.arguments(TournamentViewArgs, location="query")
    @blp.response(200, TournamentDetailSchema)
    @blp.alt_response(
        301,
        description="The slug was the tournament's before a rename: `Location` has the "
        "current one.",
        headers={
            "Location": {
                "description": "The tournament's current slug URL",
                "schema": {"type": "string"},
            }
        },
    )
    @blp.errors(TournamentNotFoundError)
    def get(self, args: dict[str, Any], slug: str) -> Any:
        """Get a tournament by its slug, as `GET /tournaments/{id}/` answers.

        A slug the tournament had before a rename answers 301 to its current slug, so shared
        links keep working.
        """
        found = queries.tournament_id_by_slug(slug) if len(slug) <= 220 else None
        if found is None:
            raise TournamentNotFoundError(f"No tournament with the slug {slug[:60]!r}.")
        tournament_id, current = found
        actor = get_current_user()
        tournament = queries.get_visible_tournament(
            tournament_id, actor, invite_code=args.get("invite_code")
        )
        if current != slug:
            query = request.query_string.decode()
            location = url_for(".TournamentBySlug", slug=current) + (f"?{query}" if query else "")
            return redirect(location, code=301)
        return present(tournament, actor)


@cached_read(TOURNAMENT)
@blp.route("/<int:tournament_id>/")
class TournamentItem(MethodView):
    @login_required(optional=True)
    @blp.etag
    @blp.arguments(TournamentViewArgs, location="query")
    @blp.response(200, TournamentDetailSchema)
    @blp.errors(TournamentNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Get a tournament (drafts: organizers and staff; private: also with ?invite_code=).

        A completed tournament carries its podium in `results` (`champion`, `runner_up`,
        `third`, with the participants' names); before completion `results` is null.
        """
        actor = get_current_user()
        tournament = queries.get_visible_tournament(
            tournament_id, actor, invite_code=args.get("invite_code")
        )
        return present(tournament, actor)

    @login_required
    @blp.etag
    @blp.arguments(TournamentUpdateArgs)
    @blp.response(200, TournamentSchema)
    @blp.errors(*ACCESS_ERRORS, FieldFrozenError, TournamentLockedError, *CONFIG_ERRORS)
    def patch(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Change a tournament (game, format, fee and team settings freeze once published)."""
        actor = require_user()
        blp.check_etag(managed_tournament(tournament_id, actor))
        tournament = services.update_tournament(tournament_id, actor=actor, changes=args)
        return present(tournament, actor)

    @login_required
    @blp.etag
    @blp.response(204)
    @blp.errors(*ACCESS_ERRORS, NotDraftError)
    def delete(self, tournament_id: int) -> None:
        """Delete a draft (published tournaments are cancelled instead)."""
        actor = require_user()
        blp.check_etag(managed_tournament(tournament_id, actor))
        services.delete_tournament(tournament_id, actor=actor)


@blp.route("/<int:tournament_id>/publish/")
class TournamentPublish(MethodView):
    @login_required
    @blp.etag
    @blp.response(200, TournamentSchema)
    @blp.errors(*ACCESS_ERRORS, InvalidTransitionError, InvalidScheduleError)
    def post(self, tournament_id: int) -> Any:
        """Publish a draft (registration opens at once if its time has come)."""
        actor = require_user()
        return present(services.publish_tournament(tournament_id, actor=actor), actor)


@blp.route("/<int:tournament_id>/open-registration/")
class TournamentOpenRegistration(MethodView):
    @login_required
    @blp.etag
    @blp.response(200, TournamentSchema)
    @blp.errors(
        *ACCESS_ERRORS, InvalidTransitionError, RegistrationWindowPassedError, BracketExistsError
    )
    def post(self, tournament_id: int) -> Any:
        """Open registration now (before its scheduled time if you wish), or reopen it after
        closing, as long as the bracket has not been drawn."""
        actor = require_user()
        return present(services.open_registration(tournament_id, actor=actor), actor)


@blp.route("/<int:tournament_id>/close-registration/")
class TournamentCloseRegistration(MethodView):
    @login_required
    @blp.etag
    @blp.response(200, TournamentSchema)
    @blp.errors(*ACCESS_ERRORS, InvalidTransitionError, NotEnoughParticipantsError)
    def post(self, tournament_id: int) -> Any:
        """Close registration now.

        Refused with 409 `not_enough_participants` while fewer participants hold a place
        (pending or confirmed) than the tournament's `min_participants` and its format need;
        the problem names both numbers (`participants`, `needed`) and registration stays open.
        """
        actor = require_user()
        return present(services.close_registration(tournament_id, actor=actor), actor)


@blp.route("/<int:tournament_id>/cancel/")
class TournamentCancel(MethodView):
    @login_required
    @blp.etag
    @blp.arguments(CancelArgs)
    @blp.response(200, TournamentSchema)
    @blp.errors(*ACCESS_ERRORS, InvalidTransitionError, ValidationError)
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Cancel with a reason (idempotent: cancelling again changes nothing)."""
        actor = require_user()
        tournament = services.cancel_tournament(tournament_id, actor=actor, reason=args["reason"])
        return present(tournament, actor)


# ----- co-organizers -------------------------------------------------------------------------
@blp.route("/<int:tournament_id>/organizers/")
class OrganizerCollection(MethodView):
    @login_required
    @blp.arguments(OrganizerAddArgs)
    @blp.response(201, UserRefSchema(many=True))
    @blp.errors(*ACCESS_ERRORS, UserNotFoundError, AlreadyOrganizerError, TournamentLockedError)
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Name a co-organizer (owner and staff); answers with the co-organizers."""
        tournament = services.add_organizer(
            tournament_id, actor=require_user(), user_id=args["user"]
        )
        return tournament.co_organizers


@blp.route("/<int:tournament_id>/organizers/<int:user_id>/")
class OrganizerItem(MethodView):
    @login_required
    @blp.response(204)
    @blp.errors(*ACCESS_ERRORS, CannotRemoveOwnerError, OrganizerNotFoundError)
    def delete(self, tournament_id: int, user_id: int) -> None:
        """Remove a co-organizer (owner and staff), or step down yourself."""
        services.remove_organizer(tournament_id, actor=require_user(), user_id=user_id)


# ----- custom fields -------------------------------------------------------------------------
FIELD_ERRORS = (
    TournamentLockedError,
    InvalidCustomFieldError,
    InvalidRegexError,
    RegistrationsExistError,
)


@blp.route("/<int:tournament_id>/custom-fields/")
class CustomFieldCollection(MethodView):
    @login_required(optional=True)
    @blp.response(200, CustomFieldSchema(many=True))
    @blp.paginate(page_size=100)
    @blp.errors(TournamentNotFoundError)
    def get(self, tournament_id: int, pagination_parameters: Any) -> Any:
        """The questions registration asks, in order."""
        queries.get_visible_tournament(tournament_id, get_current_user())
        return paginate_select(queries.list_custom_fields(tournament_id), pagination_parameters)

    @login_required
    @blp.arguments(CustomFieldCreateArgs)
    @blp.response(201, CustomFieldSchema)
    @blp.errors(*ACCESS_ERRORS, *FIELD_ERRORS, FieldKeyTakenError)
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Add a custom field."""
        return services.create_custom_field(tournament_id, actor=require_user(), data=args)


@blp.route("/<int:tournament_id>/custom-fields/<int:field_id>/")
class CustomFieldItem(MethodView):
    @login_required
    @blp.arguments(CustomFieldUpdateArgs)
    @blp.response(200, CustomFieldSchema)
    @blp.errors(*ACCESS_ERRORS, CustomFieldNotFoundError, *FIELD_ERRORS, FieldTypeLockedError)
    def patch(self, args: dict[str, Any], tournament_id: int, field_id: int) -> Any:
        """Change a custom field (its type is locked once players have registered)."""
        return services.update_custom_field(
            tournament_id, field_id, actor=require_user(), changes=args
        )

    @login_required
    @blp.response(204)
    @blp.errors(*ACCESS_ERRORS, CustomFieldNotFoundError, TournamentLockedError)
    def delete(self, tournament_id: int, field_id: int) -> None:
        """Delete a custom field (soft)."""
        services.delete_custom_field(tournament_id, field_id, actor=require_user())
