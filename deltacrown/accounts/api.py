"""Accounts API: sign-up, tokens, me and my avatar, user search, game profiles, staff user admin."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import get_jwt

from deltacrown.accounts import lockout, queries, services, tokens, twofactor, verification
from deltacrown.accounts.errors import (
    AccountBannedError,
    AccountDisabledError,
    EmailTakenError,
    GameIdTakenError,
    GameProfileExistsError,
    GameProfileNotFoundError,
    InvalidCredentialsError,
    InvalidCurrentPasswordError,
    InvalidGameIdError,
    LoginLockedError,
    UsernameTakenError,
    UserNotFoundError,
    WeakPasswordError,
)
from deltacrown.accounts.schemas import (
    AccessTokenSchema,
    AvatarAltTextArgs,
    AvatarUploadArgs,
    ChangePasswordArgs,
    GameProfileCreateArgs,
    GameProfileSchema,
    GameProfileUpdateArgs,
    LoginArgs,
    MeSchema,
    ProfileUpdateArgs,
    PublicUserSchema,
    RegisterArgs,
    RegisteredSchema,
    StaffUserQueryArgs,
    StaffUserSchema,
    StaffUserUpdateArgs,
    TokenSchema,
    UserSearchArgs,
)
from deltacrown.accounts.security_schemas import SignInResultSchema
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_staff, require_user
from deltacrown.core.csv import csv_export, page_or_export
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.http import accepts_multipart
from deltacrown.core.pagination import paginate_select
from deltacrown.core.ratelimit import auth_limit, ip_key
from deltacrown.core.scopes import TokenScopes, token_scope
from deltacrown.core.storage import FileTooLargeError, UnsupportedFileTypeError
from deltacrown.extensions import limiter
from deltacrown.games.errors import GameNotFoundError

blp = Blueprint(
    "accounts",
    __name__,
    url_prefix="/api",
    description="Accounts and sign-in.",
    token_scopes=TokenScopes("profile:read", "profile:write"),
)


@blp.route("/auth/register/")
class Register(MethodView):
    decorators = [
        limiter.limit(auth_limit, key_func=ip_key, methods=["POST"]),
    ]

    @blp.idempotent
    @blp.arguments(RegisterArgs)
    @blp.response(201, RegisteredSchema)
    @blp.errors(UsernameTakenError, EmailTakenError, WeakPasswordError, 422, 429)
    def post(self, args: dict[str, Any]) -> Any:
        """Create an account and sign it in; a link to verify the e-mail address is sent.

        The answer is the new account with the same tokens login gives (`access_token`,
        `refresh_token`, `token_type`, `expires_in`), so there is no need to log in next.
        """
        user = services.register_user(**args)
        services.record_login(user)
        verification.send_verification(user)
        for name, value in tokens.tokens_for(user).items():
            setattr(user, name, value)  # dumped beside the account's fields
        return user


@blp.route("/auth/login/")
class Login(MethodView):
    decorators = [limiter.limit(auth_limit, key_func=ip_key, methods=["POST"])]

    @blp.arguments(LoginArgs)
    @blp.response(200, SignInResultSchema)
    @blp.errors(
        InvalidCredentialsError, AccountDisabledError, AccountBannedError, LoginLockedError, 429
    )
    def post(self, args: dict[str, Any]) -> Any:
        """Exchange a username or e-mail and password for tokens.

        Ten failed passwords for one account within 15 minutes lock it (429 `login_locked`
        with `Retry-After`) for every client except the devices that signed in to it before:
        send the `device_token` of an earlier successful sign-in to be exempt.

        An account with two-factor sign-in on gets `{"mfa_required": true, "mfa_token": …}`
        instead of tokens: send the token with the authenticator's code to
        POST /api/auth/2fa/verify/ within five minutes.
        """
        user = services.authenticate(
            args["login"], args["password"], device_token=args.get("device_token")
        )
        if twofactor.is_enabled(user):
            device_user = lockout.device_user_id(args.get("device_token"))
            return {
                "mfa_required": True,
                "mfa_token": twofactor.mfa_token_for(user, device_user=device_user),
            }
        services.record_login(user)
        return {**tokens.tokens_for(user), "device_token": lockout.device_token_for(user)}


@blp.route("/auth/refresh/")
class Refresh(MethodView):
    @login_required(refresh=True)
    @blp.response(200, AccessTokenSchema)
    @blp.errors(AccountBannedError)
    def post(self) -> Any:
        """Get a new access token (send the refresh token as the bearer); a banned account
        gets 403 `account_banned` instead."""
        return tokens.access_token_for(require_user())


@blp.route("/auth/logout/")
class Logout(MethodView):
    @login_required(refresh=True)
    @blp.response(204)
    def post(self) -> None:
        """Revoke the refresh token sent as the bearer."""
        payload = get_jwt()
        services.revoke_token(
            jti=payload["jti"], user_id=require_user().id, expires_at=tokens.expiry_of(payload)
        )


@blp.route("/auth/me/")
class Me(MethodView):
    @login_required
    @blp.etag
    @blp.response(200, MeSchema)
    def get(self) -> Any:
        """The signed-in user."""
        user = require_user()
        blp.set_etag(user)
        return user

    @login_required
    @blp.etag
    @blp.arguments(ProfileUpdateArgs)
    @blp.response(200, MeSchema)
    @blp.errors(412, 422)
    def patch(self, args: dict[str, Any]) -> Any:
        """Change display name or country."""
        user = require_user()
        blp.check_etag(user)
        services.update_profile(user, changes=args)
        blp.set_etag(user)
        return user


@blp.route("/auth/change-password/")
class ChangePassword(MethodView):
    @token_scope(None)
    @login_required
    @blp.arguments(ChangePasswordArgs)
    @blp.response(200, TokenSchema)
    @blp.errors(InvalidCurrentPasswordError, WeakPasswordError)
    def post(self, args: dict[str, Any]) -> Any:
        """Change the password; earlier tokens stop working and fresh ones are returned."""
        user = services.change_password(require_user(), **args)
        return tokens.tokens_for(user)


@blp.route("/users/")
class UserCollection(MethodView):
    @login_required
    @blp.arguments(UserSearchArgs, location="query")
    @blp.response(200, PublicUserSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Find users by username prefix (public fields only)."""
        return paginate_select(queries.search_users(args.get("search")), pagination_parameters)


@blp.route("/users/<int:user_id>/")
class UserItem(MethodView):
    @login_required
    @blp.response(200, PublicUserSchema)
    @blp.errors(UserNotFoundError)
    def get(self, user_id: int) -> Any:
        """A user's public profile."""
        return queries.get_user(user_id)


@blp.route("/me/game-profiles/")
class GameProfileCollection(MethodView):
    @login_required
    @blp.response(200, GameProfileSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """My in-game ids."""
        return paginate_select(queries.list_game_profiles(require_user().id), pagination_parameters)

    @login_required
    @blp.arguments(GameProfileCreateArgs)
    @blp.response(201, GameProfileSchema)
    @blp.errors(
        GameNotFoundError, InvalidGameIdError, GameProfileExistsError, GameIdTakenError, 422
    )
    def post(self, args: dict[str, Any]) -> Any:
        """Add my in-game id for a game."""
        return services.add_game_profile(
            require_user(), game_ref=args["game"], in_game_id=args["in_game_id"]
        )


@blp.route("/me/game-profiles/<int:profile_id>/")
class GameProfileItem(MethodView):
    @login_required
    @blp.response(200, GameProfileSchema)
    @blp.errors(GameProfileNotFoundError)
    def get(self, profile_id: int) -> Any:
        """One of my in-game ids."""
        return queries.get_game_profile(require_user().id, profile_id)

    @login_required
    @blp.arguments(GameProfileUpdateArgs)
    @blp.response(200, GameProfileSchema)
    @blp.errors(GameProfileNotFoundError, InvalidGameIdError, GameIdTakenError)
    def patch(self, args: dict[str, Any], profile_id: int) -> Any:
        """Change one of my in-game ids."""
        profile = queries.get_game_profile(require_user().id, profile_id)
        return services.update_game_profile(profile, in_game_id=args["in_game_id"])

    @login_required
    @blp.response(204)
    @blp.errors(GameProfileNotFoundError)
    def delete(self, profile_id: int) -> None:
        """Remove one of my in-game ids."""
        services.delete_game_profile(queries.get_game_profile(require_user().id, profile_id))


@blp.route("/auth/me/avatar/")
@accepts_multipart
class MyAvatar(MethodView):
    @login_required
    @blp.arguments(AvatarUploadArgs, location="files")
    @blp.arguments(AvatarAltTextArgs, location="form")
    @blp.response(200, MeSchema)
    @blp.errors(UnsupportedFileTypeError, FileTooLargeError, 413, 415, 422)
    def put(self, args: dict[str, Any], form: dict[str, Any]) -> Any:
        """Upload or replace my avatar (multipart/form-data: part `file`, and `alt_text`
        saying what it shows, for screen readers: 422 without it)."""
        upload = args["file"]
        return services.set_avatar(
            require_user(),
            stream=upload.stream,
            filename=upload.filename,
            alt_text=form["alt_text"].strip(),
        )

    @login_required
    @blp.response(204)
    def delete(self) -> None:
        """Remove my avatar."""
        services.remove_avatar(require_user())


# E-mail is personal data: this export is for staff only (API_CONVENTIONS).
STAFF_USER_CSV_COLUMNS = (
    "id",
    "username",
    "email",
    "display_name",
    "country",
    "is_active",
    "is_staff",
    "created_at",
    "last_login_at",
)


@blp.route("/admin/users/")
class StaffUserCollection(MethodView):
    @login_required
    @blp.arguments(StaffUserQueryArgs, location="query")
    @blp.response(200, StaffUserSchema(many=True))
    @csv_export(STAFF_USER_CSV_COLUMNS, filename="users.csv")
    @blp.paginate()
    @blp.errors(PermissionDeniedError)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Staff: find users by username or e-mail; `Accept: text/csv` exports every match."""
        require_staff()
        return page_or_export(queries.list_users_for_staff(**args), pagination_parameters)


@blp.route("/admin/users/<int:user_id>/")
class StaffUserItem(MethodView):
    @login_required
    @blp.etag
    @blp.response(200, StaffUserSchema)
    @blp.errors(PermissionDeniedError, UserNotFoundError)
    def get(self, user_id: int) -> Any:
        """Staff: any user's account, active or not."""
        require_staff()
        user = queries.get_user(user_id, active_only=False)
        blp.set_etag(user)
        return user

    @login_required
    @blp.etag
    @blp.arguments(StaffUserUpdateArgs)
    @blp.response(200, StaffUserSchema)
    @blp.errors(PermissionDeniedError, UserNotFoundError, 412, 422)
    def patch(self, args: dict[str, Any], user_id: int) -> Any:
        """Staff: change a user's profile or flags (staff status: superusers only); audited."""
        actor = require_staff()
        user = queries.get_user(user_id, active_only=False)
        blp.check_etag(user)
        services.update_user_as_staff(user, actor=actor, changes=args)
        blp.set_etag(user)
        return user
