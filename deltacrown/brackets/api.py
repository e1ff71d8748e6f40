"""Brackets API: generate a tournament's bracket, read it (whole, as matches, as standings),
and start the tournament. The organizer's result entry is `matches.organizer_api`."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from deltacrown.brackets import images, presenters, queries, services
from deltacrown.brackets.errors import (
    BracketLockedError,
    BracketMissingError,
    BracketOutdatedError,
    InvalidBracketOptionsError,
    InvalidScoresError,
    InvalidSeedsError,
    InvalidTransitionError,
    InvalidWinnerError,
    MatchNotFoundError,
    NotEnoughParticipantsError,
    PermissionDeniedError,
    RegistrationNotClosedError,
    StageNotFoundError,
    TournamentLockedError,
    TournamentNotFoundError,
    TournamentNotOngoingError,
    UnknownMatchError,
)
from deltacrown.brackets.schemas import (
    MATCH_COMPACT,
    BracketGenerateArgs,
    BracketPictureArgs,
    BracketSchema,
    MatchQueryArgs,
    MatchSchema,
    StandingSchema,
    StandingsQueryArgs,
    ViewArgs,
)
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import get_current_user, login_required, require_user
from deltacrown.core.errors import ValidationError
from deltacrown.core.pagination import paginate_select
from deltacrown.core.response_cache import TOURNAMENT, cached_read
from deltacrown.core.scopes import TokenScopes
from deltacrown.tournaments.schemas import TournamentSchema

blp = Blueprint(
    "brackets",
    __name__,
    url_prefix="/api",
    description="Brackets: generation and seeding, the bracket, matches, standings, start.",
    token_scopes=TokenScopes("tournaments:read", "tournaments:write"),
)

ACCESS_ERRORS = (TournamentNotFoundError, PermissionDeniedError)
RESULT_ERRORS = (
    MatchNotFoundError,
    PermissionDeniedError,
    TournamentNotOngoingError,
    UnknownMatchError,
    InvalidWinnerError,
    InvalidScoresError,
)


@blp.route("/tournaments/<int:tournament_id>/bracket/generate/")
class BracketGenerate(MethodView):
    @login_required
    @blp.arguments(BracketGenerateArgs)
    @blp.response(201, BracketSchema)
    @blp.errors(
        *ACCESS_ERRORS,
        RegistrationNotClosedError,
        TournamentLockedError,
        BracketLockedError,
        NotEnoughParticipantsError,
        InvalidSeedsError,
        InvalidBracketOptionsError,
        ValidationError,
    )
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Seed the participants and generate the bracket (organizers; once registration has
        closed). Generating again replaces the bracket until a match starts (409
        `bracket_locked`)."""
        services.generate_bracket(
            tournament_id,
            actor=require_user(),
            seeding=args["seeding"],
            seeds=args.get("seeds"),
            options=args["options"],
            rng_seed=args.get("rng_seed"),
        )
        return presenters.bracket(tournament_id)


@cached_read(TOURNAMENT)
@blp.route("/tournaments/<int:tournament_id>/bracket/")
class BracketView(MethodView):
    @login_required(optional=True)
    @blp.etag
    @blp.arguments(ViewArgs, location="query")
    @blp.response(200, BracketSchema)
    @blp.errors(TournamentNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int) -> Any:
        """The whole bracket in one document, to draw it (no stages before generation)."""
        queries.visible_tournament(
            tournament_id, get_current_user(), invite_code=args.get("invite_code")
        )
        return presenters.bracket(tournament_id)


PICTURE_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def _picture(args: dict[str, Any], tournament_id: int, fmt: str) -> Response:
    tournament = queries.visible_tournament(
        tournament_id, get_current_user(), invite_code=args.get("invite_code")
    )
    data, version = images.bracket_picture(
        tournament_id,
        tournament.name,
        fmt=fmt,
        stage_id=args.get("stage"),
        theme=args["theme"],
        width=args.get("width"),
    )
    response = Response(data, mimetype=PICTURE_TYPES[fmt])
    response.set_etag(version)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.make_conditional(request)
    return response


@cached_read(TOURNAMENT)
@blp.route("/tournaments/<int:tournament_id>/bracket.svg")
class BracketSvgView(MethodView):
    @login_required(optional=True)
    @blp.arguments(BracketPictureArgs, location="query")
    @blp.response(
        200,
        {"type": "string"},
        content_type="image/svg+xml",
        description="The bracket as an SVG picture.",
    )
    @blp.errors(TournamentNotFoundError, BracketMissingError, StageNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int) -> Any:
        """A picture of one stage of the bracket, as SVG.

        Drawn from the live bracket: elimination trees with round names, seeds, names, scores
        and winners highlighted (byes omitted); league, Swiss and battle-royale stages as
        their standings tables. The `ETag` changes with every result: embed it anywhere.
        """
        return _picture(args, tournament_id, "svg")


@cached_read(TOURNAMENT)
@blp.route("/tournaments/<int:tournament_id>/bracket.png")
class BracketPngView(MethodView):
    @login_required(optional=True)
    @blp.arguments(BracketPictureArgs, location="query")
    @blp.response(
        200,
        {"type": "string", "format": "binary"},
        content_type="image/png",
        description="The bracket as a PNG picture.",
    )
    @blp.errors(TournamentNotFoundError, BracketMissingError, StageNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int) -> Any:
        """A picture of one stage of the bracket, as PNG (for chats and social posts).

        The same picture as `bracket.svg`, rasterised; very large brackets are scaled down.
        """
        return _picture(args, tournament_id, "png")


@cached_read(TOURNAMENT)
@blp.route("/tournaments/<int:tournament_id>/matches/")
class TournamentMatches(MethodView):
    @login_required(optional=True)
    @blp.arguments(MatchQueryArgs, location="query")
    @blp.response(200, MatchSchema(many=True), compact=MATCH_COMPACT)
    @blp.paginate()
    @blp.errors(TournamentNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int, pagination_parameters: Any) -> Any:
        """A tournament's matches in order of play; filters: stage, round (with side),
        status, registration."""
        queries.visible_tournament(
            tournament_id, get_current_user(), invite_code=args.get("invite_code")
        )
        query = queries.list_matches(
            tournament_id,
            stage_id=args.get("stage"),
            round_number=args.get("round"),
            side=args.get("side"),
            status=args.get("status"),
            registration_id=args.get("registration"),
        )
        return presenters.matches(paginate_select(query, pagination_parameters))


@cached_read(TOURNAMENT)
@blp.route("/tournaments/<int:tournament_id>/standings/")
class TournamentStandings(MethodView):
    @login_required(optional=True)
    @blp.arguments(StandingsQueryArgs, location="query")
    @blp.response(200, StandingSchema(many=True))
    @blp.paginate(page_size=100)
    @blp.errors(TournamentNotFoundError, StageNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int, pagination_parameters: Any) -> Any:
        """The tournament's final placements once known (an empty list before); `?stage=`:
        one stage's tables in any state, with their statistics (groups, lobbies, Swiss)."""
        queries.visible_tournament(
            tournament_id, get_current_user(), invite_code=args.get("invite_code")
        )
        stage_id = args.get("stage")
        rows = (
            presenters.standings(tournament_id)
            if stage_id is None
            else presenters.stage_standings(tournament_id, stage_id)
        )
        pagination_parameters.item_count = len(rows)
        first = (pagination_parameters.page - 1) * pagination_parameters.page_size
        return rows[first : first + pagination_parameters.page_size]


@blp.route("/tournaments/<int:tournament_id>/start/")
class TournamentStart(MethodView):
    @login_required
    @blp.response(200, TournamentSchema)
    @blp.errors(*ACCESS_ERRORS, InvalidTransitionError, BracketMissingError, BracketOutdatedError)
    def post(self, tournament_id: int) -> Any:
        """Start the tournament: registration_closed → ongoing (needs a bracket of the
        current participants)."""
        tournament = services.start_tournament(tournament_id, actor=require_user())
        tournament.viewer_can_manage = True
        return tournament
