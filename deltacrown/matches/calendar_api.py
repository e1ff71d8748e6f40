"""Calendar API: a tournament's match times and my own as iCalendar feeds, and the token
that lets calendar programs read my feed without signing in."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, url_for
from flask.views import MethodView

from deltacrown.core.api import BaseSchema, Blueprint
from deltacrown.core.auth import get_current_user, login_required, require_user
from deltacrown.matches import calendar
from deltacrown.matches.matchday_errors import InvalidCalendarTokenError
from deltacrown.tournaments.errors import TournamentNotFoundError

blp = Blueprint(
    "calendars",
    __name__,
    url_prefix="/api",
    description="Match times as iCalendar feeds (a tournament's, and mine by a secret address).",
)
ICS_MIMETYPE = "text/calendar"
ICS_DOC: dict[str, Any] = {
    "schema": {"type": "string"},
    "content_type": ICS_MIMETYPE,
    "description": "An iCalendar (RFC 5545) document: one VEVENT per scheduled match, with a "
    "stable UID and a SEQUENCE that grows when the time changes.",
}


class CalendarFeedArgs(BaseSchema):
    token = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=512),
        metadata={"description": "The secret from `POST /api/me/calendar-token/`"},
    )


class CalendarTokenSchema(BaseSchema):
    token = ma.fields.String()
    url = ma.fields.String(metadata={"description": "The feed's address, to subscribe to"})


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype=ICS_MIMETYPE)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@blp.route("/tournaments/<int:tournament_id>/calendar.ics")
class TournamentCalendar(MethodView):
    @login_required(optional=True)
    @blp.response(200, **ICS_DOC)
    @blp.errors(TournamentNotFoundError)
    def get(self, tournament_id: int) -> Any:
        """The tournament's scheduled matches as a calendar to subscribe to."""
        body = calendar.tournament_feed(tournament_id, get_current_user())
        return _ics(body, f"tournament-{tournament_id}.ics")


@blp.route("/me/calendar.ics")
class MyCalendar(MethodView):
    @blp.arguments(CalendarFeedArgs, location="query")
    @blp.response(200, **ICS_DOC)
    @blp.errors(InvalidCalendarTokenError)
    def get(self, args: dict[str, Any]) -> Any:
        """My scheduled matches in every tournament, for calendar programs: the address
        carries my calendar token instead of a sign-in (401 `invalid_calendar_token` once
        it is rotated or revoked)."""
        user_id = calendar.user_of(args["token"])
        return _ics(calendar.user_feed(user_id), "my-matches.ics")


@blp.route("/me/calendar-token/")
class MyCalendarToken(MethodView):
    @login_required
    @blp.response(201, CalendarTokenSchema)
    def post(self) -> Any:
        """Create my calendar address, or replace it (the old one stops working)."""
        token = calendar.issue_token(require_user().id)
        return {"token": token, "url": url_for("calendars.MyCalendar", token=token)}

    @login_required
    @blp.response(204)
    def delete(self) -> None:
        """Revoke my calendar address (idempotent)."""
        calendar.revoke_token(require_user().id)
