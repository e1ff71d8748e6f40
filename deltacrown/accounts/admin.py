"""Flask-Admin views for users: the user list and page (what every domain knows about a user,
with deactivate / reactivate, a password-reset e-mail and marking the address verified), game
profiles, and each staff member's own settings."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.actions import action
from wtforms import SelectField

from deltacrown.accounts import queries, recovery, services, verification
from deltacrown.accounts.models import GameProfile, User
from deltacrown.core import admin_format, admin_pages
from deltacrown.core.admin import (
    ReadOnlyModelView,
    StaffAccessMixin,
    StaffModelView,
    admin_action,
    current_admin_user,
    run_for_each,
)
from deltacrown.core.admin_forms import StaffForm
from deltacrown.extensions import db


class UserAdmin(StaffModelView):
    """Users: no creation or deletion here; edits and (de)activation go through the accounts
    service. The details page is the user's page: every section other domains add."""

    can_create = False
    can_delete = False
    action_disallowed_list = ["delete"]
    details_template = "admin/user_details.html"
    column_list = ("id", "username", "display_name", "email", "is_active", "is_staff", "created_at")
    column_searchable_list = ("username_key", "email", "display_name")
    column_filters = (
        "is_active",
        "is_staff",
        "email_verified",
        "country",
        "created_at",
        "last_login_at",
    )
    column_labels = {"is_active": "Active", "is_staff": "Staff", "created_at": "Joined"}
    column_default_sort = ("id", True)
    column_details_list = (
        "id",
        "username",
        "display_name",
        "email",
        "email_verified",
        "country",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login_at",
        "created_at",
        "updated_at",
    )
    column_export_exclude_list = ("password_hash", "username_key", "credentials_version")
    form_columns = ("display_name", "country", "is_active", "is_staff")

    def update_model(self, form: Any, model: User) -> bool:
        changes = {name: getattr(form, name).data for name in self.form_columns}
        with admin_action() as outcome:
            services.update_user_as_staff(model, actor=current_admin_user(), changes=changes)
        return outcome.ok

    def _set_active(self, ids: list[str], active: bool, done: str) -> None:
        def run(user_id: int, actor: Any) -> None:
            user = db.session.get(User, user_id)
            if user is not None:
                services.update_user_as_staff(user, actor=actor, changes={"is_active": active})

        run_for_each(ids, run, done)

    @action("deactivate", "Deactivate", "Deactivate the selected users? They cannot sign in.")
    def action_deactivate(self, ids: list[str]) -> None:
        self._set_active(ids, False, "Deactivated {count} user(s).")

    @action("reactivate", "Reactivate", "Reactivate the selected users?")
    def action_reactivate(self, ids: list[str]) -> None:
        self._set_active(ids, True, "Reactivated {count} user(s).")

    @action(
        "reset_password",
        "Send password reset",
        "E-mail the selected users a link to choose a new password?",
    )
    def action_reset_password(self, ids: list[str]) -> None:
        def run(user_id: int, actor: Any) -> None:
            user = queries.get_user(user_id, active_only=False)
            if user.email:
                recovery.request_password_reset(user.email)

        run_for_each(ids, run, "Sent {count} password-reset e-mail(s).")

    @action("verify_email", "Mark e-mail verified", "Mark the selected users' e-mail verified?")
    def action_verify_email(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda i, actor: verification.mark_verified_as_staff(
                queries.get_user(i, active_only=False), actor=actor
            ),
            "{count} address(es) verified.",
        )

    def render(self, template: str, **kwargs: Any) -> Any:
        if template == self.details_template and kwargs.get("model") is not None:
            kwargs["sections"] = admin_pages.user_sections(self.admin, kwargs["model"])
            kwargs["user_action_form"] = self.action_form()
        return super().render(template, **kwargs)


class GameProfileAdmin(ReadOnlyModelView):
    column_list = ("id", "user", "game", "in_game_id", "created_at")
    column_searchable_list = ("in_game_id_key",)
    column_filters = ("user_id", "game.name")
    column_labels = {"game.name": "Game"}
    column_default_sort = ("id", True)


def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in ["UTC", *sorted(admin_format.zone_names() - {"UTC"})]]


class SettingsForm(StaffForm):
    time_zone = SelectField("Time zone (times in the console are shown in it)")


class MySettingsView(StaffAccessMixin, BaseView):
    """The signed-in staff member's own settings: the time zone the console shows times in."""

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        me = current_admin_user()
        form = SettingsForm(request.form, time_zone=me.time_zone)
        form.time_zone.choices = _zone_choices()
        if request.method == "POST" and form.validate():
            with admin_action() as outcome:
                services.set_time_zone(me, form.time_zone.data or "")
            if outcome.ok:
                flash(f"Times are now shown in {form.time_zone.data}.", "success")
                return redirect(url_for(".index"))
        return self.render("admin/my_settings.html", form=form, me=me)


def _profiles_section(admin: Any, user: User) -> admin_pages.Section:
    rows = [
        (profile.game, profile.in_game_id, admin_format.when(profile.created_at))
        for profile in user.game_profiles
    ]
    return admin_pages.Section(
        "Game profiles",
        ("Game", "In-game id", "Added"),
        rows,
        link=admin_pages.filtered_list_url(admin, "admin_game_profiles", "user_id", user.id),
    )


def register_admin(admin: Any) -> None:
    admin.add_view(UserAdmin(User, db, category="Accounts", endpoint="admin_users"))
    admin.add_view(
        GameProfileAdmin(GameProfile, db, category="Accounts", endpoint="admin_game_profiles")
    )
    admin.add_view(
        MySettingsView(name="My settings", category="Accounts", endpoint="admin_my_settings")
    )
    admin_pages.add_user_section(admin, _profiles_section, order=10)
