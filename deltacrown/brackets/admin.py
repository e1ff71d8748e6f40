"""Flask-Admin views for brackets: stages and matches, read-only; "regenerate bracket" on stages
calls the service (the organizer's rules, lock and audit entry apply)."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_admin.actions import action

from deltacrown.brackets import services
from deltacrown.brackets.models import Stage
from deltacrown.core.admin import ReadOnlyModelView, admin_action, current_admin_user
from deltacrown.extensions import db
from deltacrown.matches.models import Match


class StageAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "tournament_id",
        "number",
        "format",
        "status",
        "seeding",
        "best_of",
        "created_at",
    )
    column_filters = ("tournament_id", "format", "status", "seeding")
    column_details_exclude_list = ("groups", "lobbies")
    column_default_sort = ("id", True)

    @action(
        "regenerate",
        "Regenerate bracket",
        "Regenerate the selected tournaments' brackets? Only before any match has started.",
    )
    def action_regenerate(self, ids: list[str]) -> None:
        actor = current_admin_user()
        tournament_ids = {
            stage.tournament_id
            for stage in (db.session.get(Stage, int(i)) for i in ids)
            if stage is not None
        }
        done = 0
        for tournament_id in sorted(tournament_ids):
            with admin_action(f"Tournament {tournament_id}: ") as outcome:
                services.regenerate_bracket(tournament_id, actor=actor)
            done += outcome.ok
        if done:
            flash(f"Regenerated {done} bracket(s).", "success")


class MatchAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "tournament_id",
        "engine_id",
        "round.name",
        "status",
        "participant1_registration_id",
        "participant2_registration_id",
        "winner_registration_id",
        "completed_at",
    )
    column_searchable_list = ("engine_id",)
    column_labels = {
        "engine_id": "Code",
        "round.name": "Round",
        "participant1_registration_id": "Slot 1",
        "participant2_registration_id": "Slot 2",
        "winner_registration_id": "Winner",
    }
    column_filters = ("tournament_id", "stage_id", "status", "engine_id")
    column_default_sort = [("stage_id", True), ("position", False)]


def register_admin(admin: Any) -> None:
    admin.add_view(StageAdmin(Stage, db, category="Brackets", endpoint="admin_stages"))
    admin.add_view(MatchAdmin(Match, db, category="Brackets", endpoint="admin_matches"))
