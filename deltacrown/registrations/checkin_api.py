"""Check-in API: players and captains check in (and undo within 15 minutes), organizers force
or undo a check-in and close check-in early, and anyone who can see the tournament reads the
check-in status."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.core.api import Blueprint
from deltacrown.core.auth import get_current_user, login_required, require_user
from deltacrown.core.errors import InvalidTransitionError, PermissionDeniedError
from deltacrown.core.scopes import TokenScopes
from deltacrown.registrations import services
from deltacrown.registrations.api import present, visible_tournament
from deltacrown.registrations.errors import (
    CheckinNotOpenError,
    CheckinUndoExpiredError,
    NotCheckedInError,
    NotTeamCaptainError,
    RegistrationNotConfirmedError,
    RegistrationNotFoundError,
    SanctionedError,
    TournamentNotFoundError,
)
from deltacrown.registrations.schemas import (
    CheckinClosedSchema,
    CheckinStatusSchema,
    RegistrationSchema,
)
from deltacrown.tournaments.schemas import TournamentViewArgs

blp = Blueprint(
    "checkin",
    __name__,
    url_prefix="/api",
    description="Check-in: the window, self check-in, and organizers' overrides.",
    token_scopes=TokenScopes("registrations:read", "registrations:write"),
)

SELF_ERRORS = (
    TournamentNotFoundError,
    RegistrationNotFoundError,
    NotTeamCaptainError,
    CheckinNotOpenError,
)


@blp.route("/tournaments/<int:tournament_id>/check-in/")
class TournamentCheckIn(MethodView):
    @login_required
    @blp.response(200, RegistrationSchema)
    @blp.errors(*SELF_ERRORS, RegistrationNotConfirmedError, SanctionedError)
    def post(self, tournament_id: int) -> Any:
        """Check in (the player, or the team's captain) while the window is open; idempotent."""
        actor = require_user()
        return present(services.check_in(tournament_id, actor=actor), actor)

    @login_required
    @blp.response(200, RegistrationSchema)
    @blp.errors(*SELF_ERRORS, NotCheckedInError, CheckinUndoExpiredError)
    def delete(self, tournament_id: int) -> Any:
        """Undo your check-in within 15 minutes (while the window is open); 409
        `not_checked_in` when there is none to undo."""
        actor = require_user()
        return present(services.undo_own_check_in(tournament_id, actor=actor), actor)


@blp.route("/tournaments/<int:tournament_id>/check-in/status/")
class TournamentCheckInStatus(MethodView):
    @login_required(optional=True)
    @blp.arguments(TournamentViewArgs, location="query")
    @blp.response(200, CheckinStatusSchema)
    @blp.errors(TournamentNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int) -> Any:
        """The check-in window, how many confirmed registrations have checked in, and yours."""
        actor = get_current_user()
        tournament = visible_tournament(tournament_id, actor, args.get("invite_code"))
        return services.checkin_status(tournament, actor=actor)


@blp.route("/tournaments/<int:tournament_id>/close-checkin/")
class TournamentCloseCheckIn(MethodView):
    @login_required
    @blp.response(200, CheckinClosedSchema)
    @blp.errors(
        TournamentNotFoundError, PermissionDeniedError, InvalidTransitionError, CheckinNotOpenError
    )
    def post(self, tournament_id: int) -> Any:
        """Organizers: close check-in now, before its scheduled end if you wish.

        Confirmed registrations that have not checked in become `no_show` (their fees are
        kept), then waitlisted registrations take the freed places; the answer counts both.
        Closing again applies the same rule to whoever has not checked in by then. 409 `check_in_not_open` when the tournament has no check-in window,
        `invalid_transition` outside registration (open or closed).
        """
        actor = require_user()
        visible_tournament(tournament_id, actor)
        counts = services.close_checkin(tournament_id, actor=actor)
        return {"tournament_id": tournament_id, **counts}


@blp.route("/registrations/<int:registration_id>/force-check-in/")
class RegistrationForceCheckIn(MethodView):
    @login_required
    @blp.response(200, RegistrationSchema)
    @blp.errors(
        RegistrationNotFoundError,
        PermissionDeniedError,
        RegistrationNotConfirmedError,
        InvalidTransitionError,
    )
    def post(self, registration_id: int) -> Any:
        """Organizers: check a confirmed registration in, at any time."""
        actor = require_user()
        return present(services.force_check_in(registration_id, actor=actor), actor)


@blp.route("/registrations/<int:registration_id>/undo-check-in/")
class RegistrationUndoCheckIn(MethodView):
    @login_required
    @blp.response(200, RegistrationSchema)
    @blp.errors(
        RegistrationNotFoundError,
        PermissionDeniedError,
        CheckinNotOpenError,
        CheckinUndoExpiredError,
        NotCheckedInError,
        InvalidTransitionError,
    )
    def post(self, registration_id: int) -> Any:
        """Undo a check-in: organizers at any time, the registrant within 15 minutes."""
        actor = require_user()
        return present(services.undo_check_in(registration_id, actor=actor), actor)
