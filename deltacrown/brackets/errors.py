"""Brackets' domain errors (each a stable problem `code`), and the engine errors mapped to them.

The engine raises plain exceptions with stable codes (`deltacrown.brackets.engine.errors`);
`translate` turns one into the DomainError with the same code, so the API answers 404 for an
unknown match, 409 for a match that is not ready, already completed or blocked from
correction, and 422 for a bad winner, scores, seeds or options.
"""

from __future__ import annotations

from deltacrown.brackets import engine
from deltacrown.core.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.tournaments.errors import TournamentLockedError, TournamentNotFoundError

__all__ = [
    "BracketLockedError",
    "BracketMissingError",
    "BracketOutdatedError",
    "CorrectionBlockedError",
    "InvalidBracketOptionsError",
    "InvalidLobbyResultError",
    "InvalidScoresError",
    "InvalidSeedsError",
    "InvalidTransitionError",
    "InvalidWinnerError",
    "LobbyNotFoundError",
    "MatchAlreadyCompletedError",
    "MatchNotCompletedError",
    "MatchResetBlockedError",
    "MatchNotFoundError",
    "MatchNotReadyError",
    "NotEnoughParticipantsError",
    "PermissionDeniedError",
    "PlacementNotFoundError",
    "RegistrationNotClosedError",
    "StageNotFoundError",
    "TournamentLockedError",
    "TournamentNotFoundError",
    "TournamentNotOngoingError",
    "UnknownBracketFormatError",
    "UnknownMatchError",
    "translate",
]


class MatchNotFoundError(NotFoundError):
    code, title = "match_not_found", "Match not found"


class PlacementNotFoundError(NotFoundError):
    code, title = "placement_not_found", "Placement not found"


class LobbyNotFoundError(NotFoundError):
    code, title = "lobby_not_found", "Lobby not found"


class StageNotFoundError(NotFoundError):
    code, title = "stage_not_found", "Stage not found"


class BracketMissingError(ConflictError):
    code, title = "bracket_missing", "No bracket generated"


class BracketLockedError(ConflictError):
    """A match has started: the bracket (seeding, options) is frozen. `started` lists them."""

    code, title = "bracket_locked", "Bracket locked"


class BracketOutdatedError(ConflictError):
    """The bracket's participants are no longer the tournament's (a withdrawal, a no-show)."""

    code, title = "bracket_outdated", "Bracket outdated"


class RegistrationNotClosedError(ConflictError):
    code, title = "registration_not_closed", "Registration is not closed"


class NotEnoughParticipantsError(ConflictError):
    code, title = "not_enough_participants", "Not enough participants"


class TournamentNotOngoingError(ConflictError):
    code, title = "tournament_not_ongoing", "Tournament is not ongoing"


# ----- the engine's errors -------------------------------------------------------------------
class UnknownMatchError(NotFoundError):
    code, title = "unknown_match", "Unknown match"


class MatchNotReadyError(ConflictError):
    code, title = "match_not_ready", "Match not ready"


class MatchAlreadyCompletedError(ConflictError):
    code, title = "match_already_completed", "Match already completed"


class MatchNotCompletedError(ConflictError):
    code, title = "match_not_completed", "Match has no result"


class CorrectionBlockedError(ConflictError):
    """Matches depending on the result have started; `blocking` lists their ids."""

    code, title = "correction_blocked", "Correction blocked"


class MatchResetBlockedError(ConflictError):
    """Matches a reset would take participants out of have started; `blocking` lists their
    ids."""

    code, title = "match_reset_blocked", "Match reset blocked"


class InvalidWinnerError(ValidationError):
    code, title = "invalid_winner", "Invalid winner"


class InvalidScoresError(ValidationError):
    code, title = "invalid_scores", "Invalid scores"


class InvalidSeedsError(ValidationError):
    code, title = "invalid_seeds", "Invalid seeds"


class InvalidBracketOptionsError(ValidationError):
    code, title = "invalid_bracket_options", "Invalid bracket options"


class UnknownBracketFormatError(ValidationError):
    code, title = "unknown_bracket_format", "Unknown bracket format"


class InvalidLobbyResultError(ValidationError):
    code, title = "invalid_lobby_result", "Invalid lobby result"


ENGINE_ERRORS: dict[type[engine.BracketError], type[DomainError]] = {
    engine.UnknownMatchError: UnknownMatchError,
    engine.MatchNotReadyError: MatchNotReadyError,
    engine.MatchAlreadyCompletedError: MatchAlreadyCompletedError,
    engine.MatchNotCompletedError: MatchNotCompletedError,
    engine.InvalidWinnerError: InvalidWinnerError,
    engine.InvalidScoresError: InvalidScoresError,
    engine.InvalidSeedsError: InvalidSeedsError,
    engine.InvalidOptionsError: InvalidBracketOptionsError,
    engine.UnknownFormatError: UnknownBracketFormatError,
    engine.InvalidLobbyResultError: InvalidLobbyResultError,
    engine.UnknownLobbyError: LobbyNotFoundError,
}
_FIELDS: dict[type[DomainError], str] = {
    InvalidWinnerError: "winner_registration_id",
    InvalidScoresError: "scores",
    InvalidSeedsError: "seeds",
    InvalidBracketOptionsError: "options",
    InvalidLobbyResultError: "results",
}


def translate(error: engine.BracketError) -> DomainError:
    """The DomainError for an engine error (same code). CorrectionBlockedError and
    ResetBlockedError are mapped by the service, which knows the blocking matches' row ids; anything else is a bug."""
    for engine_cls, domain_cls in ENGINE_ERRORS.items():
        if isinstance(error, engine_cls):
            field = _FIELDS.get(domain_cls)
            errors = {field: [error.detail]} if field else None
            return domain_cls(error.detail, errors=errors)
    raise error
