"""The match lifecycle's errors (stable codes), and the brackets/core ones its views document."""

from __future__ import annotations

from deltacrown.brackets.errors import (
    InvalidScoresError,
    MatchNotFoundError,
    TournamentNotOngoingError,
)
from deltacrown.core.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)

__all__ = [
    "AlreadyCheckedInError",
    "ChatMessageNotFoundError",
    "ChatRateLimitedError",
    "AlreadySubmittedError",
    "CheckInClosedError",
    "CheckInNotOpenError",
    "DependentMatchStartedError",
    "DisputeExistsError",
    "DisputeNotFoundError",
    "DisputesOpenError",
    "InvalidScoresError",
    "InvalidTransitionError",
    "MatchNotFoundError",
    "PermissionDeniedError",
    "TournamentNotOngoingError",
    "ValidationError",
]


class CheckInNotOpenError(ConflictError):
    """Check-in opens 30 minutes before `scheduled_at` (and needs a scheduled time)."""

    code, title = "check_in_not_open", "Check-in is not open"


class CheckInClosedError(ConflictError):
    """`scheduled_at + no_show_grace_minutes` has passed."""

    code, title = "check_in_closed", "Check-in is closed"


class AlreadyCheckedInError(ConflictError):
    code, title = "already_checked_in", "Already checked in"


class AlreadySubmittedError(ConflictError):
    """One submission per side."""

    code, title = "already_submitted", "Result already submitted"


class DisputeExistsError(ConflictError):
    """The match already has an open dispute; `dispute_id` names it."""

    code, title = "dispute_exists", "Dispute already open"


class DependentMatchStartedError(ConflictError):
    """Re-routing would change matches that have started; `blocking` lists their ids."""

    code, title = "dependent_match_started", "A dependent match has started"


class DisputesOpenError(ConflictError):
    """This result would complete the tournament while disputes are open; `dispute_ids`."""

    code, title = "disputes_open", "Disputes are open"


class DisputeNotFoundError(NotFoundError):
    code, title = "dispute_not_found", "Dispute not found"


class ChatMessageNotFoundError(NotFoundError):
    code, title = "chat_message_not_found", "Chat message not found"


class ChatRateLimitedError(DomainError):
    """Too many messages in a match room; `retry_after_ms` says when to send again."""

    status, code, title = 429, "chat_rate_limited", "Too many chat messages"
