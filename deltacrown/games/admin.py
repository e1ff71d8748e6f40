"""Flask-Admin views for games (reference data: plain staff CRUD, no deletion)."""

from __future__ import annotations

from typing import Any

from wtforms.validators import ValidationError as FormValidationError

from deltacrown.core.admin import StaffModelView
from deltacrown.extensions import db
from deltacrown.games.idrules import ID_RULES
from deltacrown.games.models import Game


def _known_rule(form: Any, field: Any) -> None:
    if field.data not in ID_RULES:
        raise FormValidationError("Unknown id rule; one of: " + ", ".join(sorted(ID_RULES)))


class GameAdmin(StaffModelView):
    can_delete = False  # tournaments and profiles refer to games: deactivate instead
    action_disallowed_list = ["delete"]
    column_list = ("id", "slug", "name", "team_size", "result_shape", "has_draws", "is_active")
    column_searchable_list = ("slug", "name")
    column_filters = ("is_active", "result_shape")
    form_columns = (
        "slug",
        "name",
        "team_size",
        "has_draws",
        "result_shape",
        "id_rule",
        "is_active",
        "description",
    )
    form_args = {"id_rule": {"validators": [_known_rule]}}


def register_admin(admin: Any) -> None:
    admin.add_view(GameAdmin(Game, db, category="Games", endpoint="admin_games"))
