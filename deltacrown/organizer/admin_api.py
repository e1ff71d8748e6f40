"""Staff tournament operations under /api/admin/tournaments/{id}/: force a match's winner
on, reset a match, regenerate the bracket, freeze and unfreeze, override a final placement. Staff only
(401 anonymous, 403 `forbidden` others); each is audited.

Each operation belongs to the domain that owns the data (matches' result entry, brackets'
generation and placements, tournaments' freezing); this module is where they meet, above
all of them, so an overridden placement also rewrites the tournament's leaderboard points.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.brackets import services as brackets
from deltacrown.brackets.errors import (
    BracketLockedError,
    BracketMissingError,
    InvalidWinnerError,
    MatchNotReadyError,
    MatchResetBlockedError,
    NotEnoughParticipantsError,
    PlacementNotFoundError,
    RegistrationNotClosedError,
)
from deltacrown.core import audit
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user, staff_only
from deltacrown.core.errors import ConflictError, ValidationError
from deltacrown.extensions import db
from deltacrown.leaderboards import services as leaderboards
from deltacrown.matches import services as matches
from deltacrown.matches.errors import (
    DisputesOpenError,
    InvalidTransitionError,
    MatchNotFoundError,
    TournamentNotOngoingError,
)
from deltacrown.matches.models import Match
from deltacrown.organizer.ops_schemas import (
    ForceAdvanceArgs,
    ForceAdvanceSchema,
    FrozenSchema,
    MatchResetSchema,
    OverridePlacementArgs,
    PlacementSchema,
    RegeneratedSchema,
    ResetMatchArgs,
    StaffReasonArgs,
)
from deltacrown.tournaments import services as tournaments
from deltacrown.tournaments.errors import TournamentLockedError, TournamentNotFoundError

blp = Blueprint(
    "tournament_ops",
    __name__,
    url_prefix="/api/admin/tournaments",
    description="Staff tournament operations: force-advance, reset a match, regenerate the "
    "bracket, freeze, override a placement (staff only, audited).",
)


@blp.route("/<int:tournament_id>/force-advance/")
class ForceAdvance(MethodView):
    @login_required
    @staff_only
    @blp.arguments(ForceAdvanceArgs)
    @blp.response(200, ForceAdvanceSchema)
    @blp.errors(
        403, TournamentNotFoundError, MatchNotFoundError, InvalidTransitionError,
        TournamentNotOngoingError, MatchNotReadyError, InvalidWinnerError, DisputesOpenError,
        ConflictError,
    )  # fmt: skip
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Move a winner on without the match being played (a forfeit without scores),
        whatever stage its lifecycle is at: no check-in, submission or confirmation."""
        actor = require_user()
        match = db.session.get(Match, args["match"])
        if match is None or match.tournament_id != tournament_id:
            raise MatchNotFoundError(f"No match {args['match']} in tournament {tournament_id}.")
        matches.enter_result(
            match.id, winner=args["winner"], games=[], forfeit=True, actor=actor,
            reason=args["reason"], expect="open",
        )  # fmt: skip
        audit.record(
            actor=actor,
            action="tournament.force_advanced",
            target=match,
            after={"winner_registration_id": args["winner"], "reason": args["reason"]},
        )
        return {
            "match_id": match.id,
            "winner_registration_id": match.winner_registration_id,
            "status": match.status.value,
        }


@blp.route("/<int:tournament_id>/reset-match/")
class ResetMatch(MethodView):
    @login_required
    @staff_only
    @blp.arguments(ResetMatchArgs)
    @blp.response(200, MatchResetSchema)
    @blp.errors(
        403, TournamentNotFoundError, MatchNotFoundError, InvalidTransitionError,
        TournamentNotOngoingError, MatchNotReadyError, MatchResetBlockedError,
    )  # fmt: skip
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Put a match back to ready to be played again: its result, scores, submissions and
        check-ins are cleared, the participants it sent on leave the next matches and a
        participant it eliminated is back. Refused (409 `match_reset_blocked`, listing them)
        once a match it sent a participant to has started; a completed tournament's
        placements are overridden instead."""
        match = db.session.get(Match, args["match"])
        if match is None or match.tournament_id != tournament_id:
            raise MatchNotFoundError(f"No match {args['match']} in tournament {tournament_id}.")
        outcome = matches.reset_match(match.id, actor=require_user(), reason=args["reason"])
        return {
            "match_id": match.id,
            "status": match.status.value,
            "reset_match_ids": outcome.reset,
            "reinstated_registration_ids": outcome.reinstated,
        }


@blp.route("/<int:tournament_id>/regenerate-bracket/")
class RegenerateBracket(MethodView):
    @login_required
    @staff_only
    @blp.response(200, RegeneratedSchema)
    @blp.errors(
        403, TournamentNotFoundError, BracketMissingError, BracketLockedError,
        RegistrationNotClosedError, TournamentLockedError, NotEnoughParticipantsError,
        ValidationError,
    )  # fmt: skip
    def post(self, tournament_id: int) -> Any:
        """Draw the bracket again as it was asked for, for the current participants, while
        no match has started (409 `bracket_locked` lists those that have)."""
        stages = brackets.regenerate_bracket(tournament_id, actor=require_user())
        return {"tournament_id": tournament_id, "stage_ids": [s.id for s in stages]}


@blp.route("/<int:tournament_id>/freeze/")
class Freeze(MethodView):
    @login_required
    @staff_only
    @blp.arguments(StaffReasonArgs)
    @blp.response(200, FrozenSchema)
    @blp.errors(403, TournamentNotFoundError, ConflictError)
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Freeze the tournament: participants' registrations, withdrawals, payments,
        check-ins and match actions answer 409 `tournament_frozen` until it is unfrozen."""
        tournament = tournaments.set_frozen(
            tournament_id, frozen=True, reason=args["reason"], actor=require_user()
        )
        return {"tournament_id": tournament.id, "frozen_at": tournament.frozen_at}


@blp.route("/<int:tournament_id>/unfreeze/")
class Unfreeze(MethodView):
    @login_required
    @staff_only
    @blp.arguments(StaffReasonArgs)
    @blp.response(200, FrozenSchema)
    @blp.errors(403, TournamentNotFoundError, ConflictError)
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Unfreeze the tournament: participants act again."""
        tournament = tournaments.set_frozen(
            tournament_id, frozen=False, reason=args["reason"], actor=require_user()
        )
        return {"tournament_id": tournament.id, "frozen_at": tournament.frozen_at}


@blp.route("/<int:tournament_id>/override-placement/")
class OverridePlacement(MethodView):
    @login_required
    @staff_only
    @blp.arguments(OverridePlacementArgs)
    @blp.response(200, PlacementSchema)
    @blp.errors(
        403, TournamentNotFoundError, TournamentNotOngoingError, PlacementNotFoundError,
        ValidationError,
    )  # fmt: skip
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Set a participant's final placement in a completed tournament, with a reason;
        the tournament's leaderboard points follow."""
        result = brackets.override_placement(
            tournament_id,
            registration_id=args["registration"],
            placement=args["placement"],
            reason=args["reason"],
            actor=require_user(),
        )
        leaderboards.on_placements_changed(tournament_id)
        return {
            "tournament_id": tournament_id,
            "registration_id": result.registration_id,
            "placement": result.placement,
        }
