"""Match-day API: match times the sides agree on, lobby codes, and streams."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView

from deltacrown.brackets.schemas import MatchSchema
from deltacrown.core.api import BaseSchema, Blueprint
from deltacrown.core.auth import get_current_user, login_required, require_user
from deltacrown.matches import rooms, schedule, streams
from deltacrown.matches.api import detail
from deltacrown.matches.errors import (
    InvalidTransitionError,
    MatchNotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.matches.matchday_errors import (
    InvalidStreamUrlError,
    OutsideRoundWindowError,
    ProposalNotFoundError,
    ProposalNotPendingError,
    RoomNotRevealedError,
    ScheduleProposalsOffError,
    ScheduleSetByOrganizerError,
)
from deltacrown.matches.matchday_models import ProposalStatus
from deltacrown.matches.schemas import MatchDetailSchema
from deltacrown.tournaments.errors import TournamentNotFoundError

blp = Blueprint(
    "matchday",
    __name__,
    url_prefix="/api",
    description="Match day: match times the sides agree on, lobby codes and streams.",
)
ACT = (MatchNotFoundError, PermissionDeniedError)
TIME_ERRORS = (
    InvalidTransitionError,
    ValidationError,
    ScheduleProposalsOffError,
    ScheduleSetByOrganizerError,
    OutsideRoundWindowError,
)


def _aware(**kwargs: Any) -> ma.fields.AwareDateTime:
    return ma.fields.AwareDateTime(format="iso", **kwargs)


class ScheduleProposalArgs(BaseSchema):
    starts_at = _aware(required=True, metadata={"description": "When the match would start"})


class ScheduleProposalSchema(BaseSchema):
    id = ma.fields.Integer()
    match_id = ma.fields.Integer()
    registration_id = ma.fields.Integer(metadata={"description": "The proposing side"})
    proposed_by_id = ma.fields.Integer(allow_none=True)
    starts_at = _aware()
    status = ma.fields.Enum(ProposalStatus, by_value=True)
    created_at = _aware()
    decided_at = _aware(allow_none=True)


class MatchRoomArgs(BaseSchema):
    room_id = ma.fields.String(
        required=True, allow_none=True, validate=ma.validate.Length(min=1, max=64)
    )
    password = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=64)
    )


class MatchRoomSchema(BaseSchema):
    match_id = ma.fields.Integer()
    room_id = ma.fields.String(allow_none=True)
    password = ma.fields.String(allow_none=True)
    reveals_at = _aware(
        allow_none=True,
        metadata={"description": "From when the sides may read it (null: at once)"},
    )


class MatchStreamsArgs(BaseSchema):
    stream_url = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    vod_url = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))


class LiveStreamSchema(MatchSchema):
    stream_url = ma.fields.String()
    vod_url = ma.fields.String(allow_none=True)


# ----- schedule proposals ------------------------------------------------------------------
@blp.route("/matches/<int:match_id>/schedule-proposals/")
class ScheduleProposals(MethodView):
    @login_required
    @blp.response(200, ScheduleProposalSchema(many=True))
    @blp.errors(*ACT)
    def get(self, match_id: int) -> Any:
        """The match's time proposals, newest first (its sides, organizers, referees)."""
        return schedule.list_proposals(match_id, require_user())

    @login_required
    @blp.arguments(ScheduleProposalArgs)
    @blp.response(201, ScheduleProposalSchema)
    @blp.errors(*ACT, *TIME_ERRORS)
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """Propose when a ready match starts (a side; when the tournament allows it). The
        time must be in the future and inside the round's window (422
        `outside_round_window`); once the organizer set the time, 409
        `schedule_set_by_organizer`. A side's new proposal replaces its pending one. The
        other side is notified and followers get `schedule.proposed`."""
        return schedule.propose(match_id, actor=require_user(), starts_at=args["starts_at"])


@blp.route("/matches/<int:match_id>/schedule-proposals/<int:proposal_id>/accept/")
class ScheduleProposalAccept(MethodView):
    @login_required
    @blp.response(200, ScheduleProposalSchema)
    @blp.errors(*ACT, ProposalNotFoundError, ProposalNotPendingError, *TIME_ERRORS)
    def post(self, match_id: int, proposal_id: int) -> Any:
        """Accept the other side's proposal: it becomes the match's `scheduled_at`
        (check-ins are cleared, other pending proposals cancelled; `schedule.accepted`)."""
        return schedule.answer(match_id, proposal_id, actor=require_user(), accept=True)


@blp.route("/matches/<int:match_id>/schedule-proposals/<int:proposal_id>/decline/")
class ScheduleProposalDecline(MethodView):
    @login_required
    @blp.response(200, ScheduleProposalSchema)
    @blp.errors(*ACT, ProposalNotFoundError, ProposalNotPendingError)
    def post(self, match_id: int, proposal_id: int) -> Any:
        """Decline the other side's proposal (`schedule.declined`)."""
        return schedule.answer(match_id, proposal_id, actor=require_user(), accept=False)


# ----- lobby codes -------------------------------------------------------------------------
@blp.route("/matches/<int:match_id>/room/")
class MatchRoom(MethodView):
    @login_required
    @blp.response(200, MatchRoomSchema)
    @blp.errors(*ACT, RoomNotRevealedError)
    def get(self, match_id: int) -> Any:
        """The custom room a match or lobby is played in: its organizers, referees and
        casters at any time; its sides from `reveals_at` (409 `room_not_revealed` before)."""
        return rooms.get_room(match_id, actor=require_user())

    @login_required
    @blp.arguments(MatchRoomArgs)
    @blp.response(200, MatchRoomSchema)
    @blp.errors(*ACT)
    def patch(self, args: dict[str, Any], match_id: int) -> Any:
        """Set the room id and password (organizers and referees; a null `room_id` clears
        it). Its members get `room.updated` on the match channel: with the code once the
        sides may read it, else with `reveals_at` only (the tournament's organizers,
        referees and casters then get the code on `/ws/me`, and the room gets it when
        `reveals_at` comes)."""
        return rooms.set_room(
            match_id, actor=require_user(), room_id=args["room_id"], password=args["password"]
        )


# ----- streams -----------------------------------------------------------------------------
@blp.route("/matches/<int:match_id>/streams/")
class MatchStreams(MethodView):
    @login_required
    @blp.arguments(MatchStreamsArgs)
    @blp.response(200, MatchDetailSchema)
    @blp.errors(*ACT, InvalidStreamUrlError)
    def patch(self, args: dict[str, Any], match_id: int) -> Any:
        """Set or clear (null) the match's live `stream_url` and recording `vod_url`
        (organizers, referees, casters): Twitch, YouTube or Facebook Gaming links only
        (422 `invalid_stream_url`). Followers get `match.streams_updated`."""
        streams.set_streams(match_id, actor=require_user(), changes=args)
        return detail(match_id)


@blp.route("/tournaments/<int:tournament_id>/streams/")
class TournamentStreams(MethodView):
    @login_required(optional=True)
    @blp.response(200, LiveStreamSchema(many=True))
    @blp.errors(TournamentNotFoundError)
    def get(self, tournament_id: int) -> Any:
        """The tournament's matches being played now that have a stream, in order of play."""
        return streams.live_streams(tournament_id, get_current_user())
