"""Match-day staff and settings API: a tournament's referees and casters, and how its match
day runs (sides proposing times, round windows, when lobby codes are shown)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView

from deltacrown.accounts.errors import UserNotFoundError
from deltacrown.core.api import BaseSchema, Blueprint
from deltacrown.core.auth import get_current_user, login_required, require_user
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.tournaments import staff_roles
from deltacrown.tournaments.errors import (
    AlreadyStaffError,
    StaffNotFoundError,
    TournamentLockedError,
    TournamentNotFoundError,
)
from deltacrown.tournaments.models import StaffRole
from deltacrown.tournaments.schemas import UserRefSchema

blp = Blueprint(
    "tournament_staff",
    __name__,
    url_prefix="/api/tournaments",
    description="Match-day staff (referees, casters) and match-day settings of a tournament.",
)
ACCESS_ERRORS = (TournamentNotFoundError, PermissionDeniedError)


class TournamentStaffArgs(BaseSchema):
    user = ma.fields.Integer(required=True, metadata={"description": "User id"})
    role = ma.fields.Enum(StaffRole, by_value=True, required=True)


class TournamentStaffSchema(BaseSchema):
    user = ma.fields.Nested(UserRefSchema)
    role = ma.fields.Enum(StaffRole, by_value=True)
    created_at = ma.fields.AwareDateTime(format="iso")


class RoundWindowSchema(BaseSchema):
    round = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=1024))
    side = ma.fields.String(
        allow_none=True,
        load_default=None,
        validate=ma.validate.OneOf(
            ["winners", "losers", "grand_final", "third_place", "group", "swiss", "lobby"]
        ),
        metadata={"description": "The bracket side; empty for every side of that round."},
    )
    opens_at = ma.fields.AwareDateTime(format="iso", required=True)
    closes_at = ma.fields.AwareDateTime(format="iso", required=True)


class MatchdaySettingsSchema(BaseSchema):
    schedule_proposals = ma.fields.Boolean(
        metadata={"description": "Sides may propose their match's time to each other."}
    )
    round_deadlines = ma.fields.List(
        ma.fields.Nested(RoundWindowSchema),
        validate=ma.validate.Length(max=staff_roles.MAX_ROUND_DEADLINES),
        metadata={"description": "The window each round's matches are played in."},
    )
    reveal_room_minutes = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=staff_roles.MAX_REVEAL_MINUTES),
        metadata={"description": "Minutes before a match its sides may read the lobby code."},
    )


@blp.route("/<int:tournament_id>/staff/")
class StaffCollection(MethodView):
    @login_required(optional=True)
    @blp.response(200, TournamentStaffSchema(many=True))
    @blp.errors(TournamentNotFoundError)
    def get(self, tournament_id: int) -> Any:
        """The tournament's referees and casters."""
        return staff_roles.list_staff(tournament_id, get_current_user())

    @login_required
    @blp.arguments(TournamentStaffArgs)
    @blp.response(201, TournamentStaffSchema)
    @blp.errors(*ACCESS_ERRORS, UserNotFoundError, AlreadyStaffError, TournamentLockedError)
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Name a referee (starts matches, confirms and enters results, reviews disputes,
        forces check-ins) or a caster (reads lobby codes and match rooms, attaches streams).
        Organizers and staff; an organizer or someone already named gets 409
        `already_staff`."""
        return staff_roles.add_staff(
            tournament_id, actor=require_user(), user_id=args["user"], role=args["role"]
        )


@blp.route("/<int:tournament_id>/staff/<int:user_id>/")
class StaffItem(MethodView):
    @login_required
    @blp.response(204)
    @blp.errors(*ACCESS_ERRORS, StaffNotFoundError)
    def delete(self, tournament_id: int, user_id: int) -> None:
        """Remove a referee or caster (organizers and staff), or step down yourself."""
        staff_roles.remove_staff(tournament_id, actor=require_user(), user_id=user_id)


@blp.route("/<int:tournament_id>/matchday/")
class MatchdaySettingsItem(MethodView):
    @login_required(optional=True)
    @blp.response(200, MatchdaySettingsSchema)
    @blp.errors(TournamentNotFoundError)
    def get(self, tournament_id: int) -> Any:
        """How the tournament's match day runs: proposals on or off, each round's window,
        and when lobby codes are shown to the sides."""
        settings = staff_roles.get_settings(tournament_id, get_current_user())
        return staff_roles.present_settings(settings)

    @login_required
    @blp.arguments(MatchdaySettingsSchema)
    @blp.response(200, MatchdaySettingsSchema)
    @blp.errors(*ACCESS_ERRORS, TournamentLockedError, ValidationError)
    def patch(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Change match-day settings (organizers and staff); `round_deadlines` replaces the
        whole list. A window must close after it opens; one window per round and side."""
        settings = staff_roles.update_settings(tournament_id, actor=require_user(), changes=args)
        return staff_roles.present_settings(settings)
