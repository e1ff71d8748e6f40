"""Sign-in with an OAuth 2.0 provider (Discord): start, callback, one-time code exchange, and
my linked accounts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import current_app, redirect, request
from flask.views import MethodView
from werkzeug.http import dump_cookie
from werkzeug.wrappers import Response

from deltacrown.accounts import oauth, services, tokens
from deltacrown.accounts.errors import AccountBannedError, AccountDisabledError
from deltacrown.accounts.recovery_errors import (
    OAuthAccountLinkedError,
    OAuthEmailInUseError,
    OAuthFailedError,
    OAuthNotLinkedError,
    OAuthProviderUnavailableError,
    OAuthProviderUnknownError,
    OAuthStateInvalidError,
    PasswordRequiredError,
    TokenInvalidError,
)
from deltacrown.accounts.recovery_schemas import (
    OAuthAccountSchema,
    OAuthExchangeArgs,
    OAuthSignInSchema,
    OAuthStartSchema,
)
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.errors import DomainError
from deltacrown.core.ratelimit import auth_limit, ip_key
from deltacrown.extensions import limiter

blp = Blueprint(
    "oauth",
    __name__,
    url_prefix="/api",
    description="Sign-in with an OAuth 2.0 provider (Discord) and linked accounts.",
)

LIMITS: list[Any] = [limiter.limit(auth_limit, key_func=ip_key)]


def _state_cookie(value: str, *, max_age: int = oauth.STATE_MAX_AGE) -> str:
    return dump_cookie(
        oauth.COOKIE,
        value,
        max_age=max_age,
        path=oauth.COOKIE_PATH,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


def _front_end(params: dict[str, str]) -> Response | None:
    url = current_app.config.get("OAUTH_FRONTEND_REDIRECT_URL")
    if not url:
        return None
    separator = "&" if "?" in url else "?"
    return redirect(f"{url}{separator}{urlencode(params)}", code=302)


@blp.route("/auth/oauth/<provider>/start/")
class OAuthStart(MethodView):
    decorators = LIMITS

    @blp.response(302, description="To the provider's authorization page.")
    @blp.errors(OAuthProviderUnknownError, 429)
    def get(self, provider: str) -> Any:
        """Sign in with the provider: redirects the browser to it.

        The state and the PKCE verifier stay in a signed cookie for 10 minutes; the provider
        sends the browser back to `/api/auth/oauth/{provider}/callback/`.
        """
        url, cookie = oauth.start(provider)
        response = redirect(url, code=302)
        response.headers.add("Set-Cookie", _state_cookie(cookie))
        return response


@blp.route("/auth/oauth/<provider>/link/start/")
class OAuthLinkStart(MethodView):
    decorators = LIMITS

    @login_required
    @blp.response(200, OAuthStartSchema)
    @blp.errors(OAuthProviderUnknownError, 429)
    def post(self, provider: str) -> Any:
        """Link the provider to my account: the URL to send the browser to.

        The answer sets the state cookie; once the provider sends the browser back to the
        callback, the provider's account is linked to mine.
        """
        url, cookie = oauth.start(provider, link_user_id=require_user().id)
        return {"authorization_url": url}, 200, {"Set-Cookie": _state_cookie(cookie)}


@blp.route("/auth/oauth/<provider>/callback/")
class OAuthCallback(MethodView):
    decorators = LIMITS

    @blp.response(200, OAuthSignInSchema)
    @blp.alt_response(
        302, description="To OAUTH_FRONTEND_REDIRECT_URL with `code` and `outcome` (or `error`)."
    )
    @blp.errors(
        OAuthProviderUnknownError,
        OAuthStateInvalidError,
        OAuthFailedError,
        OAuthProviderUnavailableError,
        OAuthAccountLinkedError,
        OAuthEmailInUseError,
        AccountDisabledError,
        AccountBannedError,
        429,
    )
    def get(self, provider: str) -> Any:
        """Where the provider sends the browser back: signs in, links or creates the account.

        A provider account already linked signs its user in; otherwise one with the same
        e-mail address, verified here and at the provider, is linked; otherwise a new account
        is created (the provider's username, made unique). In a link flow it is linked to
        the user who started it. The answer is the token pair, or, with a front end
        configured, a redirect to it with a one-time `code` for `/api/auth/oauth/exchange/`.
        A tampered or expired `state` is 400 `oauth_state_invalid`; a code or PKCE verifier
        the provider refuses is 400 `oauth_failed`.
        """
        query = {key: request.args.get(key) for key in ("state", "code", "error")}
        clear = _state_cookie("", max_age=0)
        try:
            result = oauth.complete(provider, query, request.cookies.get(oauth.COOKIE))
        except DomainError as error:
            response = _front_end({"error": error.code})
            if response is None:
                raise
            response.headers.add("Set-Cookie", clear)
            return response
        services.record_login(result.user)
        response = _front_end({"code": oauth.sign_in_code(result.user), "outcome": result.outcome})
        if response is not None:
            response.headers.add("Set-Cookie", clear)
            return response
        body = {**tokens.tokens_for(result.user), "outcome": result.outcome}
        return {**body, "user_id": result.user.id}, 200, {"Set-Cookie": clear}


@blp.route("/auth/oauth/exchange/")
class OAuthExchange(MethodView):
    decorators = LIMITS

    @blp.arguments(OAuthExchangeArgs)
    @blp.response(200, OAuthSignInSchema)
    @blp.errors(TokenInvalidError, AccountDisabledError, AccountBannedError, 429)
    def post(self, args: dict[str, Any]) -> Any:
        """Exchange the one-time code the callback gave the front end for the token pair
        (valid 2 minutes, once)."""
        user = oauth.exchange_code(args["code"])
        return {**tokens.tokens_for(user), "user_id": user.id}


@blp.route("/me/oauth/")
class MyOAuthAccounts(MethodView):
    @login_required
    @blp.response(200, OAuthAccountSchema(many=True))
    def get(self) -> Any:
        """The provider accounts linked to mine."""
        return oauth.linked_accounts(require_user().id)


@blp.route("/me/oauth/<provider>/")
class MyOAuthAccount(MethodView):
    @login_required
    @blp.response(204)
    @blp.errors(OAuthNotLinkedError, PasswordRequiredError)
    def delete(self, provider: str) -> None:
        """Unlink the provider from my account (only once the account has a password)."""
        oauth.unlink(require_user(), provider)
