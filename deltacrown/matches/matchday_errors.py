"""Match-day errors (stable codes): schedule proposals, lobby codes, streams, calendars."""

from __future__ import annotations

from deltacrown.core.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    ValidationError,
)


class ProposalNotFoundError(NotFoundError):
    code, title = "proposal_not_found", "Schedule proposal not found"


class ProposalNotPendingError(ConflictError):
    """The proposal was already accepted, declined or cancelled."""

    code, title = "proposal_not_pending", "Schedule proposal already answered"


class ScheduleProposalsOffError(ConflictError):
    """The tournament does not let sides propose their match times."""

    code, title = "schedule_proposals_off", "Schedule proposals are off"


class ScheduleSetByOrganizerError(ConflictError):
    """The organizer set the match's time; it is no longer the sides' to agree."""

    code, title = "schedule_set_by_organizer", "Time set by the organizer"


class OutsideRoundWindowError(ValidationError):
    """The proposed time is outside the window the organizer set for the match's round."""

    code, title = "outside_round_window", "Outside the round's window"


class RoomNotRevealedError(ConflictError):
    """The lobby code is shown to the sides only from `reveal_room_minutes` before the
    match's scheduled time."""

    code, title = "room_not_revealed", "Lobby code not shown yet"


class RoomNotSetError(NotFoundError):
    code, title = "room_not_set", "No lobby code set"


class InvalidStreamUrlError(ValidationError):
    code, title = "invalid_stream_url", "Stream link not accepted"


class InvalidCalendarTokenError(AuthenticationError):
    """The calendar address is wrong, or its token was rotated or revoked."""

    code, title = "invalid_calendar_token", "Calendar address not valid"
