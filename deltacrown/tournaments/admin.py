"""Flask-Admin views for staff: tournaments (read-only, with publish and cancel actions that call
the services), game configuration versions (created through the service), custom fields and
templates (read-only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash
from flask_admin.actions import action
from wtforms.validators import DataRequired

from deltacrown.core import admin_format
from deltacrown.core.admin import (
    ReadOnlyModelView,
    admin_action,
    current_admin_user,
    error_message,
)
from deltacrown.core.admin_filters import date_filters
from deltacrown.extensions import db
from deltacrown.games.config import GameConfig, create_config_version
from deltacrown.tournaments import services
from deltacrown.tournaments.models import CustomField, Tournament, TournamentTemplate

STAFF_CANCEL_REASON = "Cancelled by staff"


class TournamentAdmin(ReadOnlyModelView):
    """Tournaments change only through the services: bulk publish and cancel are actions."""

    column_list = (
        "id",
        "name",
        "game",
        "status",
        "format",
        "start_at",
        "entry_fee",
        "organizer",
    )
    column_formatters = {
        "entry_fee": admin_format.money_column("fee_amount", "fee_currency", "fee_coins")
    }
    column_searchable_list = ("name", "slug", "organizer.username")
    column_filters = (
        "game.slug",
        "status",
        "format",
        "visibility",
        *date_filters(Tournament.start_at, "Start"),
        *date_filters(Tournament.registration_opens_at, "Registration opens"),
        *date_filters(Tournament.registration_closes_at, "Registration closes"),
        *date_filters(Tournament.created_at, "Created"),
        "participant_type",
        "region",
        "organizer_id",
    )
    column_labels = {
        "start_at": "Starts",
        "entry_fee": "Entry fee",
        "game.slug": "Game",
        "organizer_id": "Organizer id",
        "participant_type": "Participant type",
    }
    column_default_sort = ("id", True)
    column_details_exclude_list = ("invite_code",)

    def get_query(self) -> Any:
        return super().get_query().filter(Tournament.deleted_at.is_(None))

    def get_count_query(self) -> Any:
        return super().get_count_query().filter(Tournament.deleted_at.is_(None))

    def _apply_each(self, ids: list[str], run: Callable[[int, Any], Any], verb: str) -> None:
        """Run a service per id, each in its own unit of work: one refusal spoils nothing else;
        the refusals are flashed together."""
        actor = current_admin_user()
        done: list[int] = []
        refused: list[str] = []
        for raw in ids:
            tournament_id = int(raw)
            with admin_action(flash_error=False) as outcome:
                run(tournament_id, actor)
            if outcome.ok:
                done.append(tournament_id)
            elif outcome.error is not None:
                refused.append(f"#{tournament_id}: {error_message(outcome.error)}")
        if done:
            flash(f"{verb.capitalize()} {len(done)} tournament(s).", "success")
        if refused:
            flash(f"Not {verb}: " + "; ".join(refused), "error")

    @action("publish", "Publish", "Publish the selected drafts?")
    def action_publish(self, ids: list[str]) -> None:
        self._apply_each(
            ids, lambda tid, actor: services.publish_tournament(tid, actor=actor), "published"
        )

    @action("cancel", "Cancel", f'Cancel the selected tournaments ("{STAFF_CANCEL_REASON}")?')
    def action_cancel(self, ids: list[str]) -> None:
        self._apply_each(
            ids,
            lambda tid, actor: services.cancel_tournament(
                tid, actor=actor, reason=STAFF_CANCEL_REASON
            ),
            "cancelled",
        )

    @action("freeze", "Freeze", "Freeze the selected tournaments (participants cannot act)?")
    def action_freeze(self, ids: list[str]) -> None:
        self._apply_each(
            ids,
            lambda tid, actor: services.set_frozen(
                tid, frozen=True, reason="Frozen from the admin", actor=actor
            ),
            "frozen",
        )

    @action("unfreeze", "Unfreeze", "Unfreeze the selected tournaments?")
    def action_unfreeze(self, ids: list[str]) -> None:
        self._apply_each(
            ids,
            lambda tid, actor: services.set_frozen(
                tid, frozen=False, reason="Unfrozen from the admin", actor=actor
            ),
            "unfrozen",
        )


class GameConfigAdmin(ReadOnlyModelView):
    """Versions are immutable; staff add version n+1 through the service."""

    can_create = True
    column_list = ("id", "game", "version", "created_at")
    column_filters = ("game.slug",)
    column_labels = {"game.slug": "Game"}
    column_default_sort = ("id", True)
    form_columns = ("game", "schema")
    form_args = {
        "game": {"validators": [DataRequired()]},
        "schema": {"validators": [DataRequired()]},
    }

    def create_model(self, form: Any) -> Any:
        with admin_action() as outcome:
            result = create_config_version(
                form.game.data.id, actor=current_admin_user(), schema=form.schema.data
            )
        if not outcome.ok:
            return False
        return db.session.scalars(
            db.select(GameConfig).filter_by(game_id=form.game.data.id, version=result["version"])
        ).one()


class CustomFieldAdmin(ReadOnlyModelView):
    column_list = ("id", "tournament", "key", "label", "type", "required", "order", "deleted_at")
    column_searchable_list = ("key", "label")
    column_filters = ("type", "required", "tournament_id")
    column_default_sort = ("id", True)


class TournamentTemplateAdmin(ReadOnlyModelView):
    column_list = ("id", "name", "owner", "is_public", "created_at", "deleted_at")
    column_searchable_list = ("name",)
    column_filters = ("is_public",)
    column_default_sort = ("id", True)


def register_admin(admin: Any) -> None:
    admin.add_view(
        TournamentAdmin(Tournament, db, category="Tournaments", endpoint="admin_tournaments")
    )
    admin.add_view(
        CustomFieldAdmin(
            CustomField,
            db,
            category="Tournaments",
            endpoint="admin_custom_fields",
            name="Custom fields",
        )
    )
    admin.add_view(
        TournamentTemplateAdmin(
            TournamentTemplate,
            db,
            category="Tournaments",
            endpoint="admin_tournament_templates",
            name="Templates",
        )
    )
    admin.add_view(
        GameConfigAdmin(
            GameConfig, db, category="Games", endpoint="admin_game_configs", name="Game configs"
        )
    )
