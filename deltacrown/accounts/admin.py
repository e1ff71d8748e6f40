"""Flask-Admin views for users: staff see users and may (de)activate or promote them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deltacrown.accounts import lockout, queries, services
from deltacrown.accounts.errors import AccountDisabledError, InvalidCredentialsError
from deltacrown.accounts.models import GameProfile, User
from deltacrown.core.admin import (
    ReadOnlyModelView,
    StaffModelView,
    admin_action,
    current_admin_user,
    set_admin_auth,
)
from deltacrown.extensions import db


def _admin_authenticate(login: str, password: str, device_token: str | None) -> User | None:
    """The user, None for wrong credentials; a locked account raises LoginLockedError."""
    try:
        return services.authenticate(login, password, device_token=device_token)
    except (InvalidCredentialsError, AccountDisabledError):
        return None


def _revoke_admin_session(sid: str, user_id: int, expires_at: datetime) -> None:
    services.revoke_token(jti=f"admin:{sid}", user_id=user_id, expires_at=expires_at)


def _is_admin_session_revoked(sid: str) -> bool:
    return queries.is_token_revoked(f"admin:{sid}")


class UserAdmin(StaffModelView):
    """Users: no creation or deletion here; edits go through the accounts service."""

    can_create = False
    can_delete = False
    action_disallowed_list = ["delete"]
    column_list = (
        "id",
        "username",
        "display_name",
        "country",
        "is_active",
        "is_staff",
        "created_at",
    )
    column_searchable_list = ("username_key",)
    column_filters = ("is_active", "is_staff", "country")
    column_details_exclude_list = ("password_hash", "username_key", "credentials_version")
    form_columns = ("display_name", "country", "is_active", "is_staff")

    def update_model(self, form: Any, model: User) -> bool:
        changes = {name: getattr(form, name).data for name in self.form_columns}
        with admin_action() as outcome:
            services.update_user_as_staff(model, actor=current_admin_user(), changes=changes)
        return outcome.ok


class GameProfileAdmin(ReadOnlyModelView):
    column_list = ("id", "user", "game", "in_game_id", "created_at")
    column_searchable_list = ("in_game_id_key",)


def register_admin(admin: Any) -> None:
    set_admin_auth(
        authenticate=_admin_authenticate,
        load_user=queries.find_user,
        device_token=lockout.device_token_for,
        revoke_session=_revoke_admin_session,
        is_session_revoked=_is_admin_session_revoked,
    )
    admin.add_view(UserAdmin(User, db, category="Accounts", endpoint="admin_users"))
    admin.add_view(
        GameProfileAdmin(GameProfile, db, category="Accounts", endpoint="admin_game_profiles")
    )
