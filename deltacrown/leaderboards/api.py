"""Leaderboards API: each game's points boards (all time and per season, players and teams)
and rating board, a player's rank with the entries around it, points history and ratings, a
match's win prediction, and the seasons."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.brackets import queries as bracket_queries
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import get_current_user, login_required
from deltacrown.core.pagination import (
    CURSOR_RESPONSE_HEADERS,
    InvalidCursorError,
    cursor_page,
    decode_cursor,
    encode_cursor,
)
from deltacrown.core.response_cache import LEADERBOARDS, cached_read
from deltacrown.core.scopes import TokenScopes
from deltacrown.leaderboards import standings
from deltacrown.leaderboards.errors import (
    GameNotFoundError,
    SeasonNotFoundError,
    UserNotFoundError,
)
from deltacrown.leaderboards.models import LeaderboardPoints
from deltacrown.leaderboards.odds import OddsUnavailableError
from deltacrown.leaderboards.schemas import (
    BoardPageArgs,
    BoardSchema,
    HistoryArgs,
    OddsArgs,
    OddsSchema,
    PointsRowSchema,
    PredictionSchema,
    RankArgs,
    RankSchema,
    RatingSchema,
    SeasonQueryArgs,
    SeasonSchema,
)
from deltacrown.matches import queries as match_queries
from deltacrown.matches.errors import MatchNotFoundError
from deltacrown.tournaments.errors import TournamentNotFoundError

blp = Blueprint(
    "leaderboards",
    __name__,
    url_prefix="/api",
    description="Leaderboards: points and skill-rating standings per game, a player's rank, "
    "history and ratings, match predictions, seasons.",
    token_scopes=TokenScopes(read="tournaments:read"),
)

BOARD = (GameNotFoundError, SeasonNotFoundError)


@cached_read(LEADERBOARDS)
@blp.route("/leaderboards/")
class Leaderboard(MethodView):
    @blp.arguments(BoardPageArgs, location="query")
    @blp.response(200, BoardSchema, headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(*BOARD, InvalidCursorError)
    def get(self, args: dict[str, Any]) -> Any:
        """A game's leaderboard, best first: points (placements of completed tournaments,
        weighted by tier; all time or one season; players or teams) or skill rating.
        Entries tied on points, wins, matches played and last placement share a rank.
        Follow `X-Next-Cursor` for the next page."""
        start = decode_cursor(args["cursor"]) - 1 if args.get("cursor") else 0
        body, more = standings.board_page(args, start, args["limit"])
        headers = {"X-Next-Cursor": encode_cursor(start + args["limit"] + 1)} if more else {}
        return body, headers


@blp.route("/leaderboards/rank/")
class LeaderboardRank(MethodView):
    @blp.arguments(RankArgs, location="query")
    @blp.response(200, RankSchema)
    @blp.errors(*BOARD)
    def get(self, args: dict[str, Any]) -> Any:
        """A player's (or team's) rank, points and the entries just above and below
        (`entry` is null when they have no points on that board yet)."""
        return standings.rank(args)


@blp.route("/users/<int:user_id>/leaderboard-history/")
class LeaderboardHistory(MethodView):
    @blp.arguments(HistoryArgs, location="query")
    @blp.response(200, PointsRowSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(UserNotFoundError, GameNotFoundError, InvalidCursorError)
    def get(self, args: dict[str, Any], user_id: int) -> Any:
        """The points a player earned, one row per completed tournament (placement, tier,
        points, wins, matches), newest first; follow `X-Next-Cursor`."""
        query = standings.user_history(user_id, args.get("game"))
        rows, next_cursor = cursor_page(query, LeaderboardPoints.id, args)
        return standings.rows_out(rows), ({"X-Next-Cursor": next_cursor} if next_cursor else {})


@blp.route("/users/<int:user_id>/ratings/")
class UserRatings(MethodView):
    @blp.response(200, RatingSchema(many=True))
    @blp.errors(UserNotFoundError)
    def get(self, user_id: int) -> Any:
        """A player's skill rating in each game they played (OpenSkill: ordinal = mu - 3
        sigma), with the latest changes, newest first."""
        return standings.user_ratings(user_id)


@blp.route("/matches/<int:match_id>/prediction/")
class MatchPrediction(MethodView):
    @login_required(optional=True)
    @blp.response(200, PredictionSchema)
    @blp.errors(MatchNotFoundError)
    def get(self, match_id: int) -> Any:
        """Each side's chance to win the match, from its players' skill ratings (unrated
        players count at the starting rating)."""
        match, tournament = match_queries.visible_match(match_id, get_current_user())
        return standings.prediction(match, tournament)


@blp.route("/tournaments/<int:tournament_id>/odds/")
class TournamentOdds(MethodView):
    @login_required(optional=True)
    @blp.arguments(OddsArgs, location="query")
    @blp.response(200, OddsSchema)
    @blp.errors(TournamentNotFoundError, OddsUnavailableError)
    def get(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Each participant's chance to win the tournament: 10,000 simulations of the rest
        of its single- or double-elimination bracket from the players' skill ratings (a
        seed reproduces them; refreshed after every result)."""
        tournament = bracket_queries.visible_tournament(tournament_id, get_current_user())
        return standings.odds(tournament, args.get("seed"))


@blp.route("/seasons/")
class Seasons(MethodView):
    @blp.arguments(SeasonQueryArgs, location="query")
    @blp.response(200, SeasonSchema(many=True))
    @blp.errors(GameNotFoundError)
    def get(self, args: dict[str, Any]) -> Any:
        """The seasons (of one game with `game`), latest first; `is_current` marks the one
        running now."""
        return standings.seasons(args.get("game"))
