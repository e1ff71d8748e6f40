"""Errors the bracket engine raises; plain exceptions, mapped to DomainErrors by the service."""

from __future__ import annotations


class BracketError(Exception):
    """Base of every engine error; `code` is the stable snake_case code the API will expose."""

    code = "bracket_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnknownFormatError(BracketError):
    code = "unknown_bracket_format"


class InvalidOptionsError(BracketError):
    code = "invalid_bracket_options"


class InvalidSeedsError(BracketError):
    code = "invalid_seeds"


class InvalidStageError(BracketError):
    """A serialized stage that cannot be loaded (wrong version or shape)."""

    code = "invalid_stage"


class UnknownMatchError(BracketError):
    code = "unknown_match"


class MatchNotReadyError(BracketError):
    code = "match_not_ready"


class MatchAlreadyCompletedError(BracketError):
    code = "match_already_completed"


class MatchNotCompletedError(BracketError):
    code = "match_not_completed"


class InvalidWinnerError(BracketError):
    code = "invalid_winner"


class InvalidScoresError(BracketError):
    code = "invalid_scores"


class CorrectionBlockedError(BracketError):
    """A correction would change matches that have already started; `blocking` lists them."""

    code = "correction_blocked"

    def __init__(self, detail: str, blocking: list[str]) -> None:
        super().__init__(detail)
        self.blocking = blocking


class ResetBlockedError(BracketError):
    """A reset would take back a result that matches already started on; `blocking` lists
    them."""

    code = "match_reset_blocked"

    def __init__(self, detail: str, blocking: list[str]) -> None:
        super().__init__(detail)
        self.blocking = blocking


class WrongFormatError(BracketError):
    """An operation for one format (a Swiss round, a lobby result) on a stage of another."""

    code = "wrong_bracket_format"


class RoundNotCompleteError(BracketError):
    """The next Swiss round is paired only once every match of the current one has a result."""

    code = "round_not_complete"


class NoMoreRoundsError(BracketError):
    code = "no_more_rounds"


class StageNotCompleteError(BracketError):
    """Standings-based seeding (playoffs, advancing players) needs the stage to be over."""

    code = "stage_not_complete"


class UnknownLobbyError(BracketError):
    code = "unknown_lobby"


class InvalidLobbyResultError(BracketError):
    code = "invalid_lobby_result"
