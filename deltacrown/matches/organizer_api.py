"""The organizer's result API: enter, correct or preview a match's result from its games
(`/override-result/`), and record a battle-royale lobby's game. Organizers and staff only.

`/result/`, `/correction/preview/` and `/correction/` take the winner and the scores instead
of the games; they stay for existing clients, are marked deprecated, and run the same
service (`matches.services.enter_result`) as `/override-result/`.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.brackets import presenters, queries
from deltacrown.brackets.errors import (
    CorrectionBlockedError,
    InvalidLobbyResultError,
    InvalidWinnerError,
    LobbyNotFoundError,
    MatchAlreadyCompletedError,
    MatchNotCompletedError,
    MatchNotReadyError,
    TournamentLockedError,
    TournamentNotFoundError,
    UnknownMatchError,
)
from deltacrown.brackets.schemas import (
    BracketSchema,
    CorrectionSchema,
    LobbyGameArgs,
    MatchResultArgs,
    MatchSchema,
)
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.scopes import TokenScopes
from deltacrown.matches import services
from deltacrown.matches.errors import (
    DependentMatchStartedError,
    DisputesOpenError,
    InvalidScoresError,
    InvalidTransitionError,
    MatchNotFoundError,
    PermissionDeniedError,
    TournamentNotOngoingError,
)
from deltacrown.matches.schemas import DryRunArgs, OverrideArgs, games_pairs

blp = Blueprint(
    "results",
    __name__,
    url_prefix="/api",
    description="The organizer's result entry: enter, correct or preview a match's result, "
    "record a battle-royale lobby's game.",
    token_scopes=TokenScopes("matches:read", "matches:report"),
)

ACT = (MatchNotFoundError, PermissionDeniedError, InvalidTransitionError)
RESULT_ERRORS = (
    *ACT,
    TournamentNotOngoingError,
    UnknownMatchError,
    InvalidWinnerError,
    InvalidScoresError,
    DisputesOpenError,
)
DEPRECATED = {"deprecated": True}


@blp.route("/matches/<int:match_id>/override-result/")
class MatchOverride(MethodView):
    @login_required
    @blp.arguments(DryRunArgs, location="query")
    @blp.arguments(OverrideArgs)
    @blp.response(200, CorrectionSchema)
    @blp.errors(
        *RESULT_ERRORS,
        DependentMatchStartedError,
        TournamentLockedError,
        MatchNotCompletedError,
        MatchNotReadyError,
    )
    def post(self, query: dict[str, Any], args: dict[str, Any], match_id: int) -> Any:
        """Enter or correct the result (organizers and staff). `?dry_run=true` changes
        nothing and returns a preview of every change it would make (moves, resets,
        placements); correcting a completed match is 409 `dependent_match_started` once a
        dependent match has started.
        An open dispute is resolved (overturned) with the override as its resolution. Not for
        a lobby (409 `invalid_transition`: record the lobby's game instead)."""
        return services.override_result(
            match_id,
            games=games_pairs(args["games"]) or [],
            reason=args["reason"],
            dry_run=query["dry_run"],
            actor=require_user(),
        )


@blp.route("/matches/<int:match_id>/result/")
class MatchResult(MethodView):
    @login_required
    @blp.arguments(MatchResultArgs)
    @blp.response(200, MatchSchema)
    @blp.errors(*RESULT_ERRORS, MatchNotReadyError, MatchAlreadyCompletedError)
    @blp.doc(**DEPRECATED)
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """Enter an open match's result from its winner and scores (organizers and staff):
        `POST /api/matches/{id}/override-result/` with the games does the same.

        The winner moves on (and in double elimination the loser drops); the tournament
        completes with its last match. A forfeit is the winner with no scores. A completed
        match is corrected instead (409 `match_already_completed`).
        """
        services.enter_result(
            match_id,
            winner=args["winner_registration_id"],
            games=args["scores"],
            forfeit=args["forfeit"],
            actor=require_user(),
            expect="open",
            announce=False,
        )
        return presenters.matches([queries.get_match(match_id)])[0]


@blp.route("/matches/<int:match_id>/correction/preview/")
class MatchCorrectionPreview(MethodView):
    @login_required
    @blp.arguments(MatchResultArgs)
    @blp.response(200, CorrectionSchema)
    @blp.errors(*RESULT_ERRORS, MatchNotCompletedError, TournamentLockedError)
    @blp.doc(**DEPRECATED)
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """What correcting a completed match's result would change (nothing is changed):
        `allowed`, the `blocking` matches, and the moves, resets and placements.
        `POST /api/matches/{id}/override-result/?dry_run=true` does the same from the games."""
        return services.enter_result(
            match_id,
            winner=args["winner_registration_id"],
            games=args["scores"],
            forfeit=args["forfeit"],
            actor=require_user(),
            preview=True,
            expect="completed",
            blocked_as_dependent=False,
            announce=False,
        )


@blp.route("/matches/<int:match_id>/correction/")
class MatchCorrection(MethodView):
    @login_required
    @blp.arguments(MatchResultArgs)
    @blp.response(200, CorrectionSchema)
    @blp.errors(
        *RESULT_ERRORS, MatchNotCompletedError, CorrectionBlockedError, TournamentLockedError
    )
    @blp.doc(**DEPRECATED)
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """Correct a completed match's result (organizers and staff), re-routing the bracket
        while no match depending on it has started (409 `correction_blocked` otherwise). An
        open dispute is resolved (overturned). `POST /api/matches/{id}/override-result/`
        does the same from the games."""
        return services.enter_result(
            match_id,
            winner=args["winner_registration_id"],
            games=args["scores"],
            forfeit=args["forfeit"],
            actor=require_user(),
            expect="completed",
            blocked_as_dependent=False,
            announce=False,
        )


@blp.route("/tournaments/<int:tournament_id>/lobbies/<int:number>/games/")
class LobbyGames(MethodView):
    @login_required
    @blp.arguments(LobbyGameArgs)
    @blp.response(200, BracketSchema)
    @blp.errors(
        TournamentNotFoundError,
        PermissionDeniedError,
        TournamentNotOngoingError,
        LobbyNotFoundError,
        MatchAlreadyCompletedError,
        InvalidLobbyResultError,
        DisputesOpenError,
    )
    def post(self, args: dict[str, Any], tournament_id: int, number: int) -> Any:
        """Battle royale: record a lobby's next game (or replace `game`), every member's
        placement and kills (organizers and staff); answers with the bracket. A new game
        sets aside the lobby's submissions for it and resolves its open dispute
        (overturned)."""
        services.record_lobby_game(
            tournament_id,
            number,
            results=args["results"],
            game=args.get("game"),
            actor=require_user(),
        )
        return presenters.bracket(tournament_id)
