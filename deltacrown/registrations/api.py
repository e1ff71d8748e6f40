"""Registrations API: signing up (solo and team), reading and withdrawing registrations,
organizers' approval, and the waitlist."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.accounts.recovery_errors import EmailNotVerifiedError
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import get_current_user, login_required, require_user
from deltacrown.core.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from deltacrown.core.pagination import paginate_select
from deltacrown.core.scopes import TokenScopes
from deltacrown.economy.errors import InsufficientFundsError
from deltacrown.registrations import policies, queries, services
from deltacrown.registrations.errors import (
    AlreadyRegisteredError,
    ApprovalNotRequiredError,
    InvalidAnswersError,
    InvalidInviteCodeError,
    InvalidRosterError,
    NotOnWaitlistError,
    NotTeamCaptainError,
    PlacesAvailableError,
    PlayerInOtherRosterError,
    RegistrationClosedError,
    RegistrationNotFoundError,
    SanctionedError,
    TournamentFullError,
    TournamentNotFoundError,
    TournamentStartedError,
    WaitlistDisabledError,
)
from deltacrown.registrations.models import Registration, RegistrationStatus
from deltacrown.registrations.schemas import (
    REGISTRATION_COMPACT,
    MyRegistrationQueryArgs,
    ReasonArgs,
    RegistrationCreateArgs,
    RegistrationQueryArgs,
    RegistrationSchema,
    WaitlistEntrySchema,
)
from deltacrown.tournaments import access
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.models import Tournament
from deltacrown.tournaments.schemas import TournamentViewArgs

blp = Blueprint(
    "registrations",
    __name__,
    url_prefix="/api",
    description="Registrations: sign-up (solo and team), approval, withdrawal and the waitlist.",
    token_scopes=TokenScopes("registrations:read", "registrations:write"),
)

REGISTER_ERRORS = (
    TournamentNotFoundError,
    EmailNotVerifiedError,
    InvalidInviteCodeError,
    SanctionedError,
    NotTeamCaptainError,
    RegistrationClosedError,
    ValidationError,
    InvalidAnswersError,
    InvalidRosterError,
    AlreadyRegisteredError,
    PlayerInOtherRosterError,
    InsufficientFundsError,
)
ITEM_ERRORS = (RegistrationNotFoundError, PermissionDeniedError)


def present(registration: Registration, actor: Any) -> Registration:
    """Mark what the viewer may see of the registration (see schemas)."""
    registration.viewer_level = policies.viewer_level(actor, registration)  # type: ignore[attr-defined]
    return registration


def visible_tournament(
    tournament_id: int, actor: Any, invite_code: str | None = None
) -> Tournament:
    """The tournament if the actor may see it (`tournaments.access`: a private tournament's
    players keep access without the code); else 404."""
    tournament = tournament_queries.get_tournament(tournament_id)
    if not access.can_see(actor, tournament, invite_code=invite_code):
        raise TournamentNotFoundError(f"No tournament {tournament_id}.")
    return tournament


def _register(args: dict[str, Any], tournament_id: int, *, waitlist_only: bool) -> Registration:
    actor = require_user()
    registration = services.register(
        tournament_id,
        actor=actor,
        answers=args.get("answers"),
        team_id=args.get("team"),
        roster=args.get("roster"),
        substitutes=args.get("substitutes"),
        invite_code=args.get("invite_code"),
        waitlist_only=waitlist_only,
    )
    return present(registration, actor)


@blp.route("/tournaments/<int:tournament_id>/registrations/")
class TournamentRegistrations(MethodView):
    @login_required(optional=True)
    @blp.arguments(RegistrationQueryArgs, location="query")
    @blp.response(200, RegistrationSchema(many=True), compact=REGISTRATION_COMPACT)
    @blp.paginate()
    @blp.errors(TournamentNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int, pagination_parameters: Any) -> Any:
        """List registrations: organizers and staff see all (filter by status and payment
        status); everyone else sees the confirmed ones, public fields only."""
        actor = get_current_user()
        tournament = visible_tournament(tournament_id, actor)
        manager = policies.can_manage(actor, tournament)
        query = queries.list_for_tournament(
            tournament.id,
            status=args.get("status") if manager else None,
            payment_status=args.get("payment_status") if manager else None,
            public=not manager,
        )
        return [present(r, actor) for r in paginate_select(query, pagination_parameters)]

    @blp.idempotent
    @login_required
    @blp.arguments(RegistrationCreateArgs)
    @blp.response(201, RegistrationSchema)
    @blp.errors(*REGISTER_ERRORS, TournamentFullError)
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Register yourself (solo) or your team (captain): confirmed, pending (pay or await
        approval) or, when full, waitlisted with a position."""
        return _register(args, tournament_id, waitlist_only=False)


@blp.route("/me/registrations/")
class MyRegistrations(MethodView):
    @login_required
    @blp.arguments(MyRegistrationQueryArgs, location="query")
    @blp.response(200, RegistrationSchema(many=True), compact=REGISTRATION_COMPACT)
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """My registrations (solo, on a roster, or made as captain), newest first."""
        actor = require_user()
        query = queries.list_for_user(actor.id, status=args.get("status"))
        return [present(r, actor) for r in paginate_select(query, pagination_parameters)]


@blp.route("/registrations/<int:registration_id>/")
class RegistrationItem(MethodView):
    @login_required(optional=True)
    @blp.etag
    @blp.response(200, RegistrationSchema)
    @blp.errors(RegistrationNotFoundError)
    def get(self, registration_id: int) -> Any:
        """A registration: in full for its registrant, organizers and staff; the roster sees
        it without personal data; others see a confirmed one's public fields."""
        actor = get_current_user()
        registration = queries.get_registration(registration_id)
        tournament = registration.tournament
        visible = policies.can_view(actor, registration) or (
            registration.status == RegistrationStatus.CONFIRMED
            and access.can_see(actor, tournament)
        )
        if not visible:
            raise RegistrationNotFoundError(f"No registration {registration_id}.")
        blp.set_etag(registration)
        return present(registration, actor)


@blp.route("/registrations/<int:registration_id>/cancel/")
class RegistrationCancel(MethodView):
    @login_required
    @blp.response(200, RegistrationSchema)
    @blp.errors(*ITEM_ERRORS, TournamentStartedError, InvalidTransitionError)
    def post(self, registration_id: int) -> Any:
        """Withdraw (player, captain) or remove (organizers) before the tournament starts: a
        coin fee is refunded, a manual payment listed for refund, the place passed on."""
        actor = require_user()
        return present(services.cancel_registration(registration_id, actor=actor), actor)


@blp.route("/registrations/<int:registration_id>/approve/")
class RegistrationApprove(MethodView):
    @login_required
    @blp.response(200, RegistrationSchema)
    @blp.errors(*ITEM_ERRORS, ApprovalNotRequiredError, InvalidTransitionError)
    def post(self, registration_id: int) -> Any:
        """Organizers: approve a registration (tournaments that require approval)."""
        actor = require_user()
        return present(services.approve_registration(registration_id, actor=actor), actor)


@blp.route("/registrations/<int:registration_id>/reject/")
class RegistrationReject(MethodView):
    @login_required
    @blp.arguments(ReasonArgs)
    @blp.response(200, RegistrationSchema)
    @blp.errors(*ITEM_ERRORS, ApprovalNotRequiredError, InvalidTransitionError, ValidationError)
    def post(self, args: dict[str, Any], registration_id: int) -> Any:
        """Organizers: reject a registration awaiting approval, with a reason."""
        actor = require_user()
        registration = services.reject_registration(
            registration_id, actor=actor, reason=args["reason"]
        )
        return present(registration, actor)


@blp.route("/registrations/<int:registration_id>/promote/")
class RegistrationPromote(MethodView):
    @login_required
    @blp.response(200, RegistrationSchema)
    @blp.errors(*ITEM_ERRORS, InvalidTransitionError, TournamentFullError)
    def post(self, registration_id: int) -> Any:
        """Organizers: give a free place to this waitlisted registration, out of turn."""
        actor = require_user()
        return present(services.promote_by_hand(registration_id, actor=actor), actor)


# ----- the waitlist ------------------------------------------------------------------------------
@blp.route("/tournaments/<int:tournament_id>/waitlist/")
class TournamentWaitlist(MethodView):
    @login_required
    @blp.arguments(TournamentViewArgs, location="query")
    @blp.response(200, WaitlistEntrySchema(many=True))
    @blp.paginate()
    @blp.errors(TournamentNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int, pagination_parameters: Any) -> Any:
        """The waitlist in order: organizers and staff see everyone; a player sees their own
        entry (with its position) or an empty list."""
        actor = require_user()
        tournament = visible_tournament(tournament_id, actor, args.get("invite_code"))
        if policies.can_manage(actor, tournament):
            return paginate_select(queries.waitlist(tournament.id), pagination_parameters)
        own = queries.find_registration_of(tournament.id, actor.id)
        items = [own] if own is not None and own.status == RegistrationStatus.WAITLISTED else []
        pagination_parameters.item_count = len(items)
        return items


@blp.route("/tournaments/<int:tournament_id>/waitlist/join/")
class WaitlistJoin(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(RegistrationCreateArgs)
    @blp.response(201, RegistrationSchema)
    @blp.errors(*REGISTER_ERRORS, WaitlistDisabledError, PlacesAvailableError)
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Join a full tournament's waitlist (the same body as registering)."""
        return _register(args, tournament_id, waitlist_only=True)


@blp.route("/tournaments/<int:tournament_id>/waitlist/leave/")
class WaitlistLeave(MethodView):
    @login_required
    @blp.response(204)
    @blp.errors(TournamentNotFoundError, NotOnWaitlistError)
    def delete(self, tournament_id: int) -> None:
        """Leave the waitlist; everyone behind moves up one place."""
        services.leave_waitlist(tournament_id, actor=require_user())
