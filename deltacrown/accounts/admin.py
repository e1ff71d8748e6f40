"""Flask-Admin views for users: staff see users and may (de)activate or promote them."""

from __future__ import annotations

from typing import Any

from flask_admin.actions import action

from deltacrown.accounts import queries, services, verification
from deltacrown.accounts.models import GameProfile, User
from deltacrown.core.admin import (
    ReadOnlyModelView,
    StaffModelView,
    admin_action,
    current_admin_user,
    run_for_each,
)
from deltacrown.extensions import db


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
        "email_verified",
        "created_at",
    )
    column_searchable_list = ("username_key",)
    column_filters = ("is_active", "is_staff", "email_verified", "country")
    column_details_exclude_list = ("password_hash", "username_key", "credentials_version")
    form_columns = ("display_name", "country", "is_active", "is_staff")

    def update_model(self, form: Any, model: User) -> bool:
        changes = {name: getattr(form, name).data for name in self.form_columns}
        with admin_action() as outcome:
            services.update_user_as_staff(model, actor=current_admin_user(), changes=changes)
        return outcome.ok

    @action("verify_email", "Mark e-mail verified", "Mark the selected users' e-mail verified?")
    def action_verify_email(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda i, actor: verification.mark_verified_as_staff(
                queries.get_user(i, active_only=False), actor=actor
            ),
            "{count} address(es) verified.",
        )


class GameProfileAdmin(ReadOnlyModelView):
    column_list = ("id", "user", "game", "in_game_id", "created_at")
    column_searchable_list = ("in_game_id_key",)


def register_admin(admin: Any) -> None:
    admin.add_view(UserAdmin(User, db, category="Accounts", endpoint="admin_users"))
    admin.add_view(
        GameProfileAdmin(GameProfile, db, category="Accounts", endpoint="admin_game_profiles")
    )
