"""Bearer tokens → the current actor; JWT failures as 401 problems; the `login_required` doc.

Accounts registers how a token's identity becomes a user (`jwt.user_lookup_loader`) and which
refresh tokens are revoked; this module only knows that there is a user with `is_staff`.

A bearer starting with `dc_pat_` is a personal access token: the accounts domain answers who
it belongs to and which scopes it carries (the `personal_tokens` port), and the operation must
take one of them (`core.scopes`). Such a request acts without staff rights, and so does a
staff member without two-factor sign-in while `STAFF_REQUIRE_2FA` is on
(`withhold_staff_rights`): staff checks then answer 403 `insufficient_scope` or `mfa_required`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, datetime
from functools import wraps
from typing import Any, Protocol

import jwt as pyjwt
from flask import Flask, Response, g, request
from flask_jwt_extended import JWTManager, current_user, decode_token, verify_jwt_in_request
from flask_jwt_extended.internal_utils import user_lookup
from sqlalchemy.orm.attributes import set_committed_value

from deltacrown.core.errors import (
    STAFF_WITHHELD,
    AuthenticationError,
    PermissionDeniedError,
    problem,
)
from deltacrown.core.ports import Port
from deltacrown.core.scopes import PAT_PREFIX, InsufficientScopeError, ensure_scope

# The unbound token manager; `create_app` binds it, accounts registers its loaders.
jwt = JWTManager()


class TokenExpiredError(AuthenticationError):
    code, title = "token_expired", "Token expired"


class TokenRevokedError(AuthenticationError):
    code, title = "token_revoked", "Token revoked"


class TokenInvalidError(AuthenticationError):
    code, title = "token_invalid", "Token invalid"


class InvalidCredentialsError(AuthenticationError):
    code, title = "invalid_credentials", "Invalid credentials"


class MfaRequiredError(PermissionDeniedError):
    code, title = "mfa_required", "Two-factor sign-in required"


class PersonalTokens(Protocol):
    """How a personal access token becomes a user: the accounts domain answers
    (`deltacrown.wiring` provides it on each app as `personal_tokens`)."""

    def authenticate(self, token: str) -> tuple[Any, frozenset[str]]:
        """The token's owner and its scopes; raises TokenInvalidError, TokenExpiredError or
        TokenRevokedError (401), or a rate-limit error (429)."""
        ...


personal_tokens: Port[PersonalTokens] = Port("core.personal_tokens")


AUTH_ERRORS: tuple[type[AuthenticationError], ...] = (
    AuthenticationError,
    TokenExpiredError,
    TokenRevokedError,
    TokenInvalidError,
)


def _unauthorized(error_cls: type[AuthenticationError], detail: str) -> Response:
    return problem(
        401,
        error_cls.code,
        error_cls.title,
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="deltacrown"'},
    )


def init_jwt_errors(app: Flask) -> None:
    """Every token failure is a 401 problem (flask-jwt-extended answers some with 422)."""

    @jwt.unauthorized_loader
    def _missing(reason: str) -> Response:
        return _unauthorized(AuthenticationError, "Send an access token: Authorization: Bearer …")

    @jwt.invalid_token_loader
    def _invalid(reason: str) -> Response:
        return _unauthorized(TokenInvalidError, f"The token is not valid: {reason}")

    @jwt.expired_token_loader
    def _expired(header: dict[str, Any], payload: dict[str, Any]) -> Response:
        return _unauthorized(TokenExpiredError, "The token has expired; refresh or log in again.")

    @jwt.revoked_token_loader
    def _revoked(header: dict[str, Any], payload: dict[str, Any]) -> Response:
        return _unauthorized(TokenRevokedError, "The token was revoked; log in again.")

    @jwt.user_lookup_error_loader
    def _no_user(header: dict[str, Any], payload: dict[str, Any]) -> Response:
        return _unauthorized(
            TokenInvalidError, "The token's account is unknown, disabled or its password changed."
        )

    @jwt.needs_fresh_token_loader
    def _not_fresh(header: dict[str, Any], payload: dict[str, Any]) -> Response:
        return _unauthorized(TokenInvalidError, "This action needs a fresh login.")

    @jwt.token_verification_failed_loader
    def _failed(header: dict[str, Any], payload: dict[str, Any]) -> Response:
        return _unauthorized(TokenInvalidError, "The token failed verification.")


def get_current_user() -> Any:
    """The authenticated user of this request (after `login_required`), else None."""
    try:
        return current_user._get_current_object()
    except RuntimeError:
        return None


def require_user() -> Any:
    user = get_current_user()
    if user is None:
        raise AuthenticationError("Send an access token: Authorization: Bearer …")
    return user


def require_staff() -> Any:
    user = require_user()
    if not user.is_staff:
        withheld = g.get(STAFF_WITHHELD)
        if withheld == "mfa":
            raise MfaRequiredError(
                "Staff must turn on two-factor sign-in (POST /api/auth/2fa/setup/) first."
            )
        if withheld == "token":
            raise InsufficientScopeError("A personal access token never carries staff rights.")
        raise PermissionDeniedError("Staff only.")
    return user


def withhold_staff_rights(user: Any, reason: str) -> None:
    """`user` acts without staff rights for the rest of this request (`reason`: "token" or
    "mfa"). The loaded row says so in memory only; nothing is written."""
    if user.is_staff or user.is_superuser:
        set_committed_value(user, "is_staff", False)
        set_committed_value(user, "is_superuser", False)
        g.setdefault(STAFF_WITHHELD, reason)


def staff_rights_withheld() -> str | None:
    """Why this request's staff member acts without staff rights ("token", "mfa"), or None."""
    return g.get(STAFF_WITHHELD)  # type: ignore[no-any-return]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    return token or None


def personal_token_key() -> str | None:
    """A digest naming the personal access token sent (not checked), or None."""
    token = bearer_token()
    if token is None or not token.startswith(PAT_PREFIX):
        return None
    return hashlib.sha256(token.encode()).hexdigest()[:64]


def verify_personal_token() -> None:
    """401 unless the personal access token sent is still valid (revoked, expired, unknown)."""
    token = bearer_token()
    if token is not None and token.startswith(PAT_PREFIX):
        personal_tokens.get().authenticate(token)


def _use_personal_token(token: str, *, refresh: bool) -> None:
    """Authenticate a `dc_pat_` bearer and make its owner this request's user."""
    if refresh:
        raise TokenInvalidError("This operation takes a refresh token.")
    user, scopes = personal_tokens.get().authenticate(token)
    ensure_scope(scopes)
    withhold_staff_rights(user, "token")
    # Where flask-jwt-extended keeps the request's identity (`current_user`, `get_jwt`).
    g._jwt_extended_jwt_user = {"loaded_user": user}
    g._jwt_extended_jwt_header = {"typ": "pat"}
    g._jwt_extended_jwt = {"sub": str(user.id), "type": "access", "scopes": sorted(scopes)}
    g._jwt_extended_jwt_location = "headers"


def user_for_token(token: str) -> tuple[Any, datetime]:
    """The active user an access token stands for and when the token expires (websockets,
    which carry the token in a message or `?token=` rather than a header).

    Raises TokenExpiredError, TokenInvalidError (bad signature, a refresh token, a user who
    is gone, disabled or changed their password since).
    """
    try:
        payload = decode_token(token)
    except pyjwt.ExpiredSignatureError:
        raise TokenExpiredError("The token has expired.") from None
    except Exception:
        raise TokenInvalidError("The token is not valid.") from None
    if payload.get("type") != "access":
        raise TokenInvalidError("Use an access token.")
    user = user_lookup(pyjwt.get_unverified_header(token), payload)
    if user is None:
        raise TokenInvalidError("The token's user is unknown, inactive or signed out.")
    return user, datetime.fromtimestamp(int(payload["exp"]), tz=UTC)


def token_identity_unverified_db() -> str | None:
    """The token's subject after checking its signature and expiry, without a database lookup.

    Used to key rate limits per user; an invalid token yields None (the view answers 401).
    """
    token = bearer_token()
    if not token or token.startswith(PAT_PREFIX):
        return None
    try:
        return str(decode_token(token)["sub"])
    except Exception:
        return None


def login_required(
    func: Callable[..., Any] | None = None, *, optional: bool = False, refresh: bool = False
) -> Any:
    """Require a bearer token (access, or refresh when `refresh=True`) and document it."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = bearer_token()
            if token is not None and token.startswith(PAT_PREFIX):
                _use_personal_token(token, refresh=refresh)
            else:
                verify_jwt_in_request(optional=optional, refresh=refresh)
            return view(*args, **kwargs)

        wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))  # type: ignore[attr-defined]
        security: list[dict[str, list[str]]] = [{"bearerAuth": []}]
        if optional:
            security.append({})
        wrapper._apidoc.setdefault("manual_doc", {})["security"] = security  # type: ignore[attr-defined]
        wrapper._apidoc["auth_codes"] = [  # type: ignore[attr-defined]
            "authentication_required",
            "token_expired",
            "token_revoked",
            "token_invalid",
        ]
        wrapper._apidoc["token_auth"] = not refresh  # type: ignore[attr-defined]
        return wrapper

    return decorator(func) if func is not None else decorator


def staff_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """403 `forbidden` for non-staff before the body is parsed (place under `login_required`).
    Services check the same rule again; this only answers early. No token scope grants it."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        require_staff()
        return view(*args, **kwargs)

    wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))  # type: ignore[attr-defined]
    wrapper._apidoc["token_scope"] = None  # type: ignore[attr-defined]
    return wrapper
