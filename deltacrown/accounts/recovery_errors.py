"""Errors of password reset, e-mail verification and OAuth sign-in (each a stable `code`)."""

from deltacrown.core.errors import ConflictError, DomainError, NotFoundError


class TokenInvalidError(DomainError):
    """The token is unknown, expired or already used."""

    status, code, title = 400, "token_invalid", "Invalid or expired token"


class EmailNotVerifiedError(DomainError):
    """The action needs a verified e-mail address (`REQUIRE_EMAIL_VERIFICATION`)."""

    status, code, title = 403, "email_not_verified", "E-mail address not verified"


class EmailAlreadyVerifiedError(ConflictError):
    code, title = "email_already_verified", "E-mail address already verified"


class OAuthProviderUnknownError(NotFoundError):
    code, title = "oauth_provider_unknown", "Unknown sign-in provider"


class OAuthStateInvalidError(DomainError):
    """The callback's `state` does not match the one this browser started with (or it expired)."""

    status, code, title = 400, "oauth_state_invalid", "Sign-in state invalid or expired"


class OAuthFailedError(DomainError):
    """The provider refused the sign-in or the code exchange (denied, reused or wrong code)."""

    status, code, title = 400, "oauth_failed", "Sign-in with the provider failed"


class OAuthProviderUnavailableError(DomainError):
    status, code, title = 502, "oauth_provider_unavailable", "Sign-in provider unreachable"


class OAuthAccountLinkedError(ConflictError):
    """The provider account already belongs to another user (or this user has another)."""

    code, title = "oauth_account_linked", "Provider account already linked"


class OAuthEmailInUseError(ConflictError):
    """An account with the provider's e-mail exists but the address is not verified on both
    sides: sign in with the password and link the provider from the account instead."""

    code, title = "oauth_email_in_use", "E-mail address belongs to another account"


class OAuthNotLinkedError(NotFoundError):
    code, title = "oauth_not_linked", "Provider not linked"


class PasswordRequiredError(ConflictError):
    """Unlinking the last way to sign in: set a password (password reset) first."""

    code, title = "password_required", "Set a password first"
