"""Accounts' domain errors (each a stable problem `code`)."""

from deltacrown.core.auth import InvalidCredentialsError as InvalidCredentialsError
from deltacrown.core.errors import ConflictError, DomainError, NotFoundError, ValidationError


class UsernameTakenError(ConflictError):
    code, title = "username_taken", "Username already taken"


class EmailTakenError(ConflictError):
    code, title = "email_taken", "E-mail already registered"


class WeakPasswordError(ValidationError):
    code, title = "weak_password", "Password too weak"


class InvalidCurrentPasswordError(ValidationError):
    code, title = "invalid_current_password", "Current password is wrong"


class AccountDisabledError(DomainError):
    status, code, title = 403, "account_disabled", "Account disabled"


class LoginLockedError(DomainError):
    status, code, title = 429, "login_locked", "Too many failed sign-ins"


class UserNotFoundError(NotFoundError):
    code, title = "user_not_found", "User not found"


class InvalidGameIdError(ValidationError):
    code, title = "invalid_game_id", "Invalid in-game id"


class GameProfileExistsError(ConflictError):
    code, title = "game_profile_exists", "Game profile already exists"


class GameIdTakenError(ConflictError):
    code, title = "game_id_taken", "In-game id already claimed"


class GameProfileNotFoundError(NotFoundError):
    code, title = "game_profile_not_found", "Game profile not found"


class AccountBannedError(DomainError):
    """The account is banned: sign-in, refresh and its tokens are refused until `ends_at`
    (null: permanently); the problem names the sanction to appeal."""

    status, code, title = 403, "account_banned", "Account banned"
