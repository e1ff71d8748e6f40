"""Tournaments' domain errors (each a stable problem `code`)."""

from deltacrown.core.errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.games.config import InvalidSettingsError

__all__ = [
    "AlreadyOrganizerError",
    "AlreadyStaffError",
    "BracketExistsError",
    "CannotRemoveOwnerError",
    "CustomFieldNotFoundError",
    "FieldFrozenError",
    "FieldKeyTakenError",
    "FieldTypeLockedError",
    "InvalidAnswersError",
    "InvalidCustomFieldError",
    "InvalidRegexError",
    "InvalidPaymentMethodsError",
    "InvalidPrizeDistributionError",
    "InvalidScheduleError",
    "InvalidSettingsError",
    "InvalidTemplateError",
    "InvalidTransitionError",
    "NotDraftError",
    "NotEnoughParticipantsError",
    "OrganizerNotFoundError",
    "PermissionDeniedError",
    "RegistrationWindowPassedError",
    "RegistrationsExistError",
    "StaffNotFoundError",
    "TemplateNotFoundError",
    "TournamentFrozenError",
    "TournamentLockedError",
    "TournamentNotFoundError",
    "ValidationError",
]


class TournamentNotFoundError(NotFoundError):
    code, title = "tournament_not_found", "Tournament not found"


class InvalidScheduleError(ValidationError):
    code, title = "invalid_schedule", "Invalid schedule"


class InvalidPrizeDistributionError(ValidationError):
    code, title = "invalid_prize_distribution", "Invalid prize distribution"


class InvalidPaymentMethodsError(ValidationError):
    code, title = "invalid_payment_methods", "Payment methods do not fit the entry fee"


class FieldFrozenError(ConflictError):
    code, title = "field_frozen", "Field frozen"


class NotDraftError(ConflictError):
    code, title = "not_draft", "Tournament is not a draft"


class TournamentLockedError(ConflictError):
    code, title = "tournament_locked", "Tournament is cancelled or completed"


class RegistrationWindowPassedError(ConflictError):
    code, title = "registration_window_passed", "Registration window has passed"


class AlreadyOrganizerError(ConflictError):
    code, title = "already_organizer", "Already an organizer"


class OrganizerNotFoundError(NotFoundError):
    code, title = "organizer_not_found", "Not a co-organizer"


class CannotRemoveOwnerError(ConflictError):
    code, title = "cannot_remove_owner", "The owner cannot be removed"


class CustomFieldNotFoundError(NotFoundError):
    code, title = "custom_field_not_found", "Custom field not found"


class InvalidCustomFieldError(ValidationError):
    code, title = "invalid_custom_field", "Invalid custom field"


class InvalidRegexError(InvalidCustomFieldError):
    code, title = "invalid_regex", "Invalid pattern"


class FieldKeyTakenError(ConflictError):
    code, title = "field_key_taken", "Field key already used"


class FieldTypeLockedError(ConflictError):
    code, title = "field_type_locked", "Field type locked by registrations"


class RegistrationsExistError(ConflictError):
    code, title = "registrations_exist", "Registrations exist"


class InvalidAnswersError(ValidationError):
    code, title = "invalid_answers", "Invalid registration answers"


class TemplateNotFoundError(NotFoundError):
    code, title = "template_not_found", "Template not found"


class InvalidTemplateError(ValidationError):
    code, title = "invalid_template", "Invalid template"


class NotEnoughParticipantsError(ConflictError):
    code, title = "not_enough_participants", "Not enough participants"


class BracketExistsError(ConflictError):
    code, title = "bracket_exists", "The bracket has been drawn"


class TournamentFrozenError(ConflictError):
    """Staff froze the tournament: participants' writes wait until it is unfrozen."""

    code, title = "tournament_frozen", "Tournament frozen"


class AlreadyStaffError(ConflictError):
    code, title = "already_staff", "Already on the match-day staff"


class StaffNotFoundError(NotFoundError):
    code, title = "staff_not_found", "Not on the match-day staff"
