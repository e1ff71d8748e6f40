"""Match lifecycle API: a match with its deadlines and history, scheduling, check-in, start,
result submission, confirmation, disputes, the organizer's override and forfeit, evidence
uploads, and the dispute queue."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.brackets import presenters
from deltacrown.brackets.errors import (
    InvalidLobbyResultError,
    InvalidWinnerError,
    MatchNotReadyError,
    TournamentLockedError,
)
from deltacrown.core import storage
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import get_current_user, login_required, require_user
from deltacrown.core.http import accepts_multipart
from deltacrown.core.pagination import (
    CURSOR_RESPONSE_HEADERS,
    CursorArgs,
    InvalidCursorError,
    cursor_page,
    with_next_cursor,
)
from deltacrown.core.scopes import TokenScopes
from deltacrown.core.storage import FileTooLargeError, UnsupportedFileTypeError
from deltacrown.matches import live, queries, services
from deltacrown.matches.drafts import InvalidDraftError
from deltacrown.matches.errors import (
    AlreadyCheckedInError,
    AlreadySubmittedError,
    CheckInClosedError,
    CheckInNotOpenError,
    DependentMatchStartedError,
    DisputeExistsError,
    DisputeNotFoundError,
    DisputesOpenError,
    InvalidScoresError,
    InvalidTransitionError,
    MatchNotFoundError,
    PermissionDeniedError,
    TournamentNotOngoingError,
    ValidationError,
)
from deltacrown.matches.models import Dispute, MatchEvent
from deltacrown.matches.schemas import (
    DismissArgs,
    DisputeArgs,
    DisputeQueryArgs,
    DisputeSchema,
    EvidenceSchema,
    EvidenceUploadArgs,
    ForfeitArgs,
    MatchCancelArgs,
    MatchDetailSchema,
    MatchEventSchema,
    MatchUpdateArgs,
    ResolveArgs,
    ScoreUpdateArgs,
    SubmitResultArgs,
    games_pairs,
)
from deltacrown.moderation.errors import MutedError

blp = Blueprint(
    "matches",
    __name__,
    url_prefix="/api",
    description="Match lifecycle: scheduling, check-in, results, confirmation, disputes, "
    "forfeits; the dispute queue.",
    token_scopes=TokenScopes("matches:read", "matches:report"),
)

ACT = (MatchNotFoundError, PermissionDeniedError, InvalidTransitionError)


def detail(match_id: int) -> dict[str, Any]:
    match, tournament = queries.visible_match(match_id, get_current_user())
    return {**presenters.matches([match])[0], **services.match_state(match, tournament)}


@blp.route("/matches/<int:match_id>/")
class MatchDetail(MethodView):
    @login_required(optional=True)
    @blp.response(200, MatchDetailSchema)
    @blp.errors(MatchNotFoundError)
    def get(self, match_id: int) -> Any:
        """A match: participants, state, per-game scores, check-ins, current submissions and
        deadlines (check-in window, auto-confirm time), and its open dispute."""
        return detail(match_id)

    @login_required
    @blp.arguments(MatchUpdateArgs)
    @blp.response(200, MatchDetailSchema)
    @blp.errors(*ACT, ValidationError)
    def patch(self, args: dict[str, Any], match_id: int) -> Any:
        """Schedule a match or change its best-of (organizers; before play). Rescheduling
        clears check-ins; a cancelled match rescheduled is ready again."""
        services.schedule_match(
            match_id,
            actor=require_user(),
            scheduled_at=args.get("scheduled_at"),
            best_of=args.get("best_of"),
            fields=tuple(args),
        )
        return detail(match_id)


@blp.route("/matches/<int:match_id>/events/")
class MatchEvents(MethodView):
    @login_required(optional=True)
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, MatchEventSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(MatchNotFoundError, InvalidCursorError)
    def get(self, args: dict[str, Any], match_id: int) -> Any:
        """The match's history, newest first; follow `X-Next-Cursor`."""
        queries.visible_match(match_id, get_current_user())
        return with_next_cursor(*cursor_page(queries.list_events(match_id), MatchEvent.id, args))


@blp.route("/matches/<int:match_id>/check-in/")
class MatchCheckIn(MethodView):
    @blp.idempotent
    @login_required
    @blp.response(200, MatchDetailSchema)
    @blp.errors(
        *ACT,
        TournamentNotOngoingError,
        CheckInNotOpenError,
        CheckInClosedError,
        AlreadyCheckedInError,
    )
    def post(self, match_id: int) -> Any:
        """Check my side in (from 30 minutes before `scheduled_at` until the no-show grace
        ends; at once for a match without a scheduled time); the match goes live when both
        sides have (a lobby: all its members)."""
        services.check_in_match(match_id, actor=require_user())
        return detail(match_id)


@blp.route("/matches/<int:match_id>/start/")
class MatchStart(MethodView):
    @blp.idempotent
    @login_required
    @blp.response(200, MatchDetailSchema)
    @blp.errors(*ACT, TournamentNotOngoingError)
    def post(self, match_id: int) -> Any:
        """ready → live (organizers). A ready match without a scheduled time starts by itself
        when the tournament's `auto_start_matches` is on (a lobby waits for its members'
        check-in or this call)."""
        services.start_match(match_id, actor=require_user())
        return detail(match_id)


@blp.route("/matches/<int:match_id>/score/")
class MatchScore(MethodView):
    @login_required
    @blp.arguments(ScoreUpdateArgs)
    @blp.response(200, MatchDetailSchema)
    @blp.errors(*ACT, ValidationError, MutedError)
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """The running score of one game of a live match (a side or an organizer), for
        followers: broadcast as `match.score_updated` on the match and tournament channels
        and shown in `live_scores`. The result itself is still submitted and confirmed. A
        muted player gets 403 `muted`."""
        live.update_score(match_id, actor=require_user(), **args)
        return detail(match_id)


@blp.route("/matches/<int:match_id>/submit-result/")
class MatchSubmit(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(SubmitResultArgs)
    @blp.response(200, MatchDetailSchema)
    @blp.errors(DisputesOpenError)
    @blp.errors(
        *ACT,
        TournamentNotOngoingError,
        AlreadySubmittedError,
        InvalidScoresError,
        InvalidWinnerError,
        MatchNotReadyError,
        InvalidLobbyResultError,
        InvalidDraftError,
        ValidationError,
    )
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """Report the per-game scores for my side (one submission per side): the match awaits
        the other side, whose matching submission confirms it and different one disputes it.
        A best-of-N ends when a side wins N//2+1 games.

        A battle-royale lobby match takes `results` for its next game (every present
        member's placement and kills): the other members confirm it (it is applied once all
        have, or after the confirmation window) or dispute it; a different submission
        disputes it; an organizer's submission is final at once.

        Dota 2 and Mobile Legends games may carry their `draft` (picks and bans per side),
        checked by the game's draft rules (422 `invalid_draft` names the broken `rule`) and
        kept with the game."""
        results = args.get("results")
        games = args.get("games")
        services.submit_result(
            match_id,
            games=games_pairs(games),
            drafts=[g.get("draft") for g in games] if games is not None else None,
            results=[dict(r) for r in results] if results is not None else None,
            evidence=args["evidence"],
            actor=require_user(),
        )
        return detail(match_id)


@blp.route("/matches/<int:match_id>/confirm-result/")
class MatchConfirm(MethodView):
    @blp.idempotent
    @login_required
    @blp.response(200, MatchDetailSchema)
    @blp.errors(DisputesOpenError)
    @blp.errors(*ACT, TournamentNotOngoingError, AlreadySubmittedError)
    def post(self, match_id: int) -> Any:
        """Confirm the other side's submission (or, as an organizer, any): the match
        completes and the bracket moves on. In a lobby each other member confirms the
        pending game; it is applied once every present member has (an organizer: at once)."""
        services.confirm_result(match_id, actor=require_user())
        return detail(match_id)


@blp.route("/matches/<int:match_id>/dispute/")
class MatchDispute(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(DisputeArgs)
    @blp.response(201, DisputeSchema)
    @blp.errors(*ACT, TournamentNotOngoingError, DisputeExistsError, ValidationError)
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """Dispute the other side's submission, or a completed match's result while the
        tournament is ongoing (reason of at least 20 characters). In a lobby: the pending
        game, by a member who did not submit or confirm it."""
        return services.dispute_result(
            match_id, reason=args["reason"], evidence=args["evidence"], actor=require_user()
        )


@blp.route("/matches/<int:match_id>/forfeit/")
class MatchForfeit(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(ForfeitArgs)
    @blp.response(200, MatchDetailSchema)
    @blp.errors(DisputesOpenError)
    @blp.errors(*ACT, TournamentNotOngoingError, ValidationError)
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """Record a forfeit (organizers): `loser` loses, the other side moves on (not for a
        lobby: 409 `invalid_transition`)."""
        services.forfeit(match_id, loser=args["loser"], reason=args["reason"], actor=require_user())
        return detail(match_id)


@blp.route("/matches/<int:match_id>/cancel/")
class MatchCancel(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(MatchCancelArgs)
    @blp.response(200, MatchDetailSchema)
    @blp.errors(*ACT)
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """Cancel a match before its result (organizers); reschedule, forfeit or override it
        afterwards."""
        services.cancel_match(match_id, reason=args["reason"], actor=require_user())
        return detail(match_id)


@blp.route("/matches/<int:match_id>/evidence/")
@accepts_multipart
class MatchEvidence(MethodView):
    @login_required
    @blp.arguments(EvidenceUploadArgs, location="files")
    @blp.response(201, EvidenceSchema)
    @blp.errors(
        MatchNotFoundError,
        PermissionDeniedError,
        UnsupportedFileTypeError,
        FileTooLargeError,
        413,
        415,
        422,
    )
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """Upload a screenshot or PDF (multipart, part `file`) for a submission or dispute of
        this match (its sides and organizers); pass the returned `key` in `evidence`."""
        upload = args["file"]
        key = services.upload_evidence(
            match_id, stream=upload.stream, filename=upload.filename, actor=require_user()
        )
        return {"key": key, "url": storage.url(key)}


# ----- disputes ----------------------------------------------------------------------------------
@blp.route("/disputes/")
class DisputeList(MethodView):
    @login_required
    @blp.arguments(DisputeQueryArgs, location="query")
    @blp.response(200, DisputeSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(InvalidCursorError)
    def get(self, args: dict[str, Any]) -> Any:
        """Disputes of the tournaments I organize (staff: all), newest first; filters:
        status, tournament, match."""
        status = args.get("status")
        query = queries.list_disputes(
            require_user(),
            status=status.value if status else None,
            tournament_id=args.get("tournament"),
            match_id=args.get("match"),
        )
        return with_next_cursor(*cursor_page(query, Dispute.id, args))


@blp.route("/disputes/<int:dispute_id>/")
class DisputeDetail(MethodView):
    @login_required
    @blp.etag
    @blp.response(200, DisputeSchema)
    @blp.errors(DisputeNotFoundError)
    def get(self, dispute_id: int) -> Any:
        """A dispute (its tournament's organizers, staff, and the match's sides)."""
        dispute = services.visible_dispute(dispute_id, require_user())[0]
        blp.set_etag(dispute)
        return dispute


DISPUTE_ERRORS = (
    DisputeNotFoundError,
    PermissionDeniedError,
    InvalidTransitionError,
    TournamentNotOngoingError,
)


@blp.route("/disputes/<int:dispute_id>/review/")
class DisputeReview(MethodView):
    @blp.idempotent
    @login_required
    @blp.response(200, DisputeSchema)
    @blp.errors(*DISPUTE_ERRORS)
    def post(self, dispute_id: int) -> Any:
        """open → under_review (organizers and staff): marks the dispute as being looked at;
        resolving or dismissing does not need it."""
        return services.review_dispute(dispute_id, actor=require_user())


@blp.route("/disputes/<int:dispute_id>/resolve/")
class DisputeResolve(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(ResolveArgs)
    @blp.response(200, DisputeSchema)
    @blp.errors(DisputesOpenError)
    @blp.errors(
        *DISPUTE_ERRORS,
        ValidationError,
        InvalidScoresError,
        InvalidWinnerError,
        InvalidLobbyResultError,
        DependentMatchStartedError,
        TournamentLockedError,
    )
    def post(self, args: dict[str, Any], dispute_id: int) -> Any:
        """open or under_review → resolved (an open dispute is taken under review by the same
        call): `upheld` (the result stands), `overturned` (with
        `corrected_games`; re-routes the bracket, 409 `dependent_match_started` when a
        dependent match has started), or `rematch` (the match is ready again). A lobby's
        dispute: upheld applies the disputed game, overturned applies `corrected_results`,
        rematch replays the game (the lobby is live again)."""
        corrected_results = args.get("corrected_results")
        return services.resolve_dispute(
            dispute_id,
            outcome=args["outcome"],
            resolution=args["resolution"],
            corrected_games=games_pairs(args.get("corrected_games")),
            corrected_results=[dict(r) for r in corrected_results] if corrected_results else None,
            actor=require_user(),
        )


@blp.route("/disputes/<int:dispute_id>/dismiss/")
class DisputeDismiss(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(DismissArgs)
    @blp.response(200, DisputeSchema)
    @blp.errors(DisputesOpenError)
    @blp.errors(*DISPUTE_ERRORS, ValidationError)
    def post(self, args: dict[str, Any], dispute_id: int) -> Any:
        """open or under_review → dismissed: the disputed result stands."""
        return services.dismiss_dispute(
            dispute_id, resolution=args["resolution"], actor=require_user()
        )
