"""Registrations' domain errors (each a stable problem `code`)."""

from deltacrown.core.errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.economy.errors import InsufficientFundsError
from deltacrown.moderation.errors import SanctionedError
from deltacrown.tournaments.errors import InvalidAnswersError, TournamentNotFoundError

__all__ = [
    "AlreadyRegisteredError",
    "AmountMismatchError",
    "ApprovalNotRequiredError",
    "CheckinNotOpenError",
    "CheckinUndoExpiredError",
    "DuplicateTransactionIdError",
    "InsufficientFundsError",
    "InvalidAnswersError",
    "InvalidInviteCodeError",
    "InvalidPaymentMethodError",
    "InvalidRosterError",
    "InvalidTransitionError",
    "NotCheckedInError",
    "NotOnWaitlistError",
    "NotTeamCaptainError",
    "PaymentNotExpectedError",
    "PaymentNotSubmittedError",
    "PlacesAvailableError",
    "PlayerInOtherRosterError",
    "RefundNotDueError",
    "RegistrationClosedError",
    "RegistrationNotConfirmedError",
    "RegistrationNotFoundError",
    "SanctionedError",
    "TournamentFullError",
    "TournamentNotFoundError",
    "TournamentStartedError",
    "WaitlistDisabledError",
]


class RegistrationNotFoundError(NotFoundError):
    code, title = "registration_not_found", "Registration not found"


class NotOnWaitlistError(NotFoundError):
    code, title = "not_on_waitlist", "Not on the waitlist"


class RegistrationClosedError(ConflictError):
    code, title = "registration_closed", "Registration is closed"


class AlreadyRegisteredError(ConflictError):
    code, title = "already_registered", "Already registered"


class TournamentFullError(ConflictError):
    code, title = "tournament_full", "Tournament is full"


class PlayerInOtherRosterError(ConflictError):
    code, title = "player_in_other_roster", "Player already in another roster"


class WaitlistDisabledError(ConflictError):
    code, title = "waitlist_disabled", "The tournament has no waitlist"


class PlacesAvailableError(ConflictError):
    code, title = "places_available", "Places are available: register instead"


class TournamentStartedError(ConflictError):
    code, title = "tournament_started", "Tournament has started"


class ApprovalNotRequiredError(ConflictError):
    code, title = "approval_not_required", "Tournament does not require approval"


class PaymentNotExpectedError(ConflictError):
    code, title = "payment_not_expected", "No payment is expected for this registration now"


class PaymentNotSubmittedError(ConflictError):
    code, title = "payment_not_submitted", "No submitted payment to review"


class DuplicateTransactionIdError(ConflictError):
    code, title = "duplicate_transaction_id", "Transaction id already used"


class RefundNotDueError(ConflictError):
    code, title = "refund_not_due", "No refund is due"


class CheckinNotOpenError(ConflictError):
    code, title = "check_in_not_open", "Check-in is not open"


class CheckinUndoExpiredError(ConflictError):
    code, title = "check_in_undo_expired", "Check-in can no longer be undone"


class NotCheckedInError(ConflictError):
    code, title = "not_checked_in", "Not checked in"


class RegistrationNotConfirmedError(ConflictError):
    code, title = "registration_not_confirmed", "Registration is not confirmed"


class InvalidInviteCodeError(PermissionDeniedError):
    code, title = "invalid_invite_code", "Invalid invite code"


class NotTeamCaptainError(PermissionDeniedError):
    code, title = "not_team_captain", "Only the team's captain may do this"


class InvalidRosterError(ValidationError):
    code, title = "invalid_roster", "Invalid roster"


class InvalidPaymentMethodError(ValidationError):
    code, title = "payment_method_not_accepted", "Payment method not accepted"


class AmountMismatchError(ValidationError):
    code, title = "amount_mismatch", "Amount does not match the entry fee"
