"""Sign-in with an OAuth 2.0 provider (Discord, and any provider configured the same way).

The authorization-code flow with PKCE (S256), through Authlib's client:

1. `start(provider)` makes a random `state` and PKCE verifier, and returns the provider's
   authorization URL and a cookie value holding both (signed with SECRET_KEY, valid
   `STATE_MAX_AGE` seconds); the browser keeps the cookie while it visits the provider.
   `start(provider, link_user_id=...)` is the same for a signed-in user linking an account.
2. `complete(provider, query, cookie)` checks the callback's `state` against the cookie's,
   exchanges the code (with the verifier) at the token endpoint and reads the user info, then
   signs in the linked user, links an account whose e-mail both sides have verified, links
   the provider to the user of a link flow, or creates an account (username from the
   provider's, made unique; the provider's e-mail, verified if the provider says so; no
   password until one is set through password reset).

A provider is a dict of settings: `client_id`, `client_secret`, `authorize_url`, `token_url`,
`userinfo_url`, `scope`, and where the user info keeps the subject (`subject_key`), the name
(`username_key`), the e-mail (`email_key`) and whether it is verified (`verified_key`).
Discord's comes from `DISCORD_CLIENT_ID/SECRET` and `DISCORD_*_URL`; `OAUTH_PROVIDERS` adds
others. The network calls run outside any database transaction.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
import sqlalchemy as sa
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from deltacrown.accounts import account_tokens, queries
from deltacrown.accounts.bans import ensure_not_banned
from deltacrown.accounts.credential_models import OAuthAccount, TokenPurpose
from deltacrown.accounts.errors import AccountDisabledError
from deltacrown.accounts.models import User
from deltacrown.accounts.recovery_errors import (
    OAuthAccountLinkedError,
    OAuthEmailInUseError,
    OAuthFailedError,
    OAuthNotLinkedError,
    OAuthProviderUnavailableError,
    OAuthProviderUnknownError,
    OAuthStateInvalidError,
    PasswordRequiredError,
)
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import outside_transaction
from deltacrown.extensions import db

STATE_SALT = "deltacrown-oauth-state"
STATE_MAX_AGE = 600
COOKIE = "deltacrown_oauth"
COOKIE_PATH = "/api/auth/oauth/"
SIGN_IN_CODE_TTL = timedelta(minutes=2)
_USERNAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Provider:
    name: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    userinfo_url: str
    scope: str = "identify email"
    redirect_uri: str | None = None
    subject_key: str = "id"
    username_key: str = "username"
    email_key: str = "email"
    verified_key: str = "verified"


@dataclass(frozen=True)
class SignIn:
    user: User
    outcome: str  # signed_in | linked | created


def discord_provider(config: Any) -> dict[str, Any] | None:
    """Discord's settings from `DISCORD_*`, or None when no client id is configured."""
    if not config.get("DISCORD_CLIENT_ID"):
        return None
    return {
        "client_id": config["DISCORD_CLIENT_ID"],
        "client_secret": config.get("DISCORD_CLIENT_SECRET") or "",
        "authorize_url": config.get("DISCORD_AUTHORIZE_URL"),
        "token_url": config.get("DISCORD_TOKEN_URL"),
        "userinfo_url": config.get("DISCORD_USERINFO_URL"),
        "scope": "identify email",
    }


def providers() -> dict[str, Provider]:
    config = current_app.config
    found: dict[str, dict[str, Any]] = dict(config.get("OAUTH_PROVIDERS") or {})
    discord = discord_provider(config)
    if discord is not None:
        found.setdefault("discord", discord)
    return {name: Provider(name=name, **settings) for name, settings in found.items()}


def get_provider(name: str) -> Provider:
    provider = providers().get(name)
    if provider is None:
        raise OAuthProviderUnknownError(f"Sign-in with {name!r} is not configured here.")
    return provider


def redirect_uri(provider: Provider) -> str:
    if provider.redirect_uri:
        return provider.redirect_uri
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/api/auth/oauth/{provider.name}/callback/"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=STATE_SALT)


def _session(provider: Provider) -> OAuth2Session:
    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=provider.scope,
        redirect_uri=redirect_uri(provider),
        code_challenge_method="S256",
    )


def start(name: str, *, link_user_id: int | None = None) -> tuple[str, str]:
    """The provider's authorization URL and the signed state cookie's value."""
    provider = get_provider(name)
    state = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    url, _ = _session(provider).create_authorization_url(
        provider.authorize_url, state=state, code_verifier=verifier
    )
    cookie = _serializer().dumps({"p": provider.name, "s": state, "v": verifier, "u": link_user_id})
    return url, cookie


def _load_state(provider: Provider, query: dict[str, Any], cookie: str | None) -> dict[str, Any]:
    try:
        data = _serializer().loads(cookie or "", max_age=STATE_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        data = None
    state = query.get("state")
    if (
        not isinstance(data, dict)
        or data.get("p") != provider.name
        or not isinstance(state, str)
        or not hmac.compare_digest(str(data.get("s", "")), state)
    ):
        raise OAuthStateInvalidError(
            "This sign-in was not started from this browser, or it took too long; start again."
        )
    return data


def _fetch_profile(provider: Provider, code: str, verifier: str) -> dict[str, Any]:
    timeout = float(current_app.config.get("OAUTH_HTTP_TIMEOUT", 10))
    session = _session(provider)
    try:
        session.fetch_token(provider.token_url, code=code, code_verifier=verifier, timeout=timeout)
        response = session.get(provider.userinfo_url, timeout=timeout)
    except OAuthError as exc:
        raise OAuthFailedError(
            f"{provider.name} refused the sign-in ({exc.error}); start again."
        ) from exc
    except requests.RequestException as exc:
        raise OAuthProviderUnavailableError(f"{provider.name} could not be reached.") from exc
    if response.status_code != 200:
        raise OAuthFailedError(f"{provider.name} did not share the account's details.")
    try:
        profile = response.json()
    except ValueError as exc:
        raise OAuthFailedError(f"{provider.name} answered with something unreadable.") from exc
    if not isinstance(profile, dict) or not str(profile.get(provider.subject_key) or ""):
        raise OAuthFailedError(f"{provider.name} did not name the account.")
    return profile


def complete(name: str, query: dict[str, Any], cookie: str | None) -> SignIn:
    """Finish the flow the cookie started; see the module docstring for what it does.

    Raises OAuthProviderUnknownError (404), OAuthStateInvalidError (400: tampered, missing or
    expired state), OAuthFailedError (400: denied, or the code or PKCE verifier refused),
    OAuthProviderUnavailableError (502), OAuthAccountLinkedError and OAuthEmailInUseError
    (409), AccountDisabledError and AccountBannedError (403).
    """
    provider = get_provider(name)
    state = _load_state(provider, query, cookie)
    if query.get("error"):
        raise OAuthFailedError(f"{provider.name} answered {str(query['error'])[:100]}.")
    code = query.get("code")
    if not isinstance(code, str) or not code:
        raise OAuthFailedError(f"{provider.name} sent no authorization code.")
    with outside_transaction():
        profile = _fetch_profile(provider, code, str(state.get("v", "")))
    link_user_id = state.get("u")
    if isinstance(link_user_id, int):
        return _link_to(provider, profile, link_user_id)
    return _sign_in(provider, profile)


def _linked(provider: Provider, subject: str) -> OAuthAccount | None:
    return db.session.scalars(
        sa.select(OAuthAccount).where(
            OAuthAccount.provider == provider.name, OAuthAccount.subject == subject
        )
    ).first()


def _add_link(provider: Provider, profile: dict[str, Any], user: User) -> None:
    mine = db.session.scalar(
        sa.select(OAuthAccount.id).where(
            OAuthAccount.provider == provider.name, OAuthAccount.user_id == user.id
        )
    )
    if mine is not None:
        raise OAuthAccountLinkedError(
            f"This account is linked to another {provider.name} account; unlink it first."
        )
    username = profile.get(provider.username_key)
    db.session.add(
        OAuthAccount(
            provider=provider.name,
            subject=str(profile[provider.subject_key]),
            user_id=user.id,
            provider_username=str(username)[:100] if username else None,
            linked_at=utcnow(),
        )
    )
    db.session.flush()


def _usable(user: User | None) -> User:
    if user is None or not user.is_active:
        raise AccountDisabledError("This account is disabled.")
    ensure_not_banned(user.id)
    return user


def _link_to(provider: Provider, profile: dict[str, Any], user_id: int) -> SignIn:
    user = _usable(queries.find_user(user_id))
    linked = _linked(provider, str(profile[provider.subject_key]))
    if linked is not None:
        if linked.user_id != user.id:
            raise OAuthAccountLinkedError(
                f"This {provider.name} account is linked to another user."
            )
        return SignIn(user, "linked")
    _add_link(provider, profile, user)
    return SignIn(user, "linked")


def _sign_in(provider: Provider, profile: dict[str, Any]) -> SignIn:
    linked = _linked(provider, str(profile[provider.subject_key]))
    if linked is not None:
        return SignIn(_usable(queries.find_user(linked.user_id)), "signed_in")
    email = str(profile.get(provider.email_key) or "").strip().lower()
    verified = profile.get(provider.verified_key) is True
    if not email or len(email) > 254:
        raise OAuthFailedError(
            f"{provider.name} did not share an e-mail address; allow it and start again."
        )
    owner = db.session.scalars(sa.select(User).where(User.email == email)).first()
    if owner is not None:
        if not (verified and owner.email_verified):
            raise OAuthEmailInUseError(
                "An account with this e-mail address exists: sign in with its password and "
                f"link {provider.name} from the account."
            )
        user = _usable(owner)
        _add_link(provider, profile, user)
        return SignIn(user, "linked")
    user = User(
        username=(name := _free_username(profile.get(provider.username_key))),
        username_key=name.lower(),
        email=email,
        password_hash="",  # no password: sign-in through the provider until one is set
        email_verified=verified,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    _add_link(provider, profile, user)
    return SignIn(user, "created")


def _free_username(wanted: Any) -> str:
    """The provider's username in our alphabet, with a number added until it is free."""
    base = _USERNAME_CHARS.sub("", str(wanted or ""))[:30]
    if len(base) < 3:
        base = f"player{base}"[:30]
    taken = set(
        db.session.scalars(
            sa.select(User.username_key).where(User.username_key.like(f"{base.lower()[:24]}%"))
        )
    )
    if base.lower() not in taken:
        return base
    for number in range(2, 1000):
        candidate = f"{base[: 30 - len(str(number))]}{number}"
        if candidate.lower() not in taken:
            return candidate
    return f"{base[:22]}{secrets.token_hex(4)}"


def sign_in_code(user: User) -> str:
    """A one-time code (2 minutes) the front end exchanges for the user's tokens."""
    return account_tokens.issue(user.id, TokenPurpose.OAUTH_SIGN_IN, SIGN_IN_CODE_TTL)


def exchange_code(code: str) -> User:
    """The user of a one-time sign-in code (TokenInvalidError when unknown, used or expired)."""
    token = account_tokens.consume(code, TokenPurpose.OAUTH_SIGN_IN)
    return _usable(queries.find_user(token.user_id))


def linked_accounts(user_id: int) -> list[OAuthAccount]:
    return list(
        db.session.scalars(
            sa.select(OAuthAccount)
            .where(OAuthAccount.user_id == user_id)
            .order_by(OAuthAccount.provider)
        )
    )


def unlink(user: User, provider_name: str) -> None:
    """Remove the user's link to the provider; refused while it is the only way to sign in."""
    link = db.session.scalars(
        sa.select(OAuthAccount).where(
            OAuthAccount.provider == provider_name, OAuthAccount.user_id == user.id
        )
    ).first()
    if link is None:
        raise OAuthNotLinkedError(f"No {provider_name} account is linked.")
    if not user.password_hash:
        raise PasswordRequiredError(
            "This account has no password yet: set one (password reset) before unlinking."
        )
    db.session.delete(link)
    db.session.flush()
