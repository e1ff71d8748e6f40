"""The staff's read-only organizer dashboard page: the API's figures for any organizer (by id
or username), their tournaments, and one tournament's health with its issues."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import request
from flask_admin import BaseView, expose

from deltacrown.accounts.models import User
from deltacrown.accounts.queries import find_user_by_login
from deltacrown.core.admin import StaffAccessMixin
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.organizer import queries
from deltacrown.tournaments.models import Tournament

TEMPLATES = Path(__file__).resolve().parent / "templates"
TOURNAMENT_LIMIT = 100


def find_organizer(ref: str) -> User | None:
    """A user by id or by username / e-mail."""
    ref = ref.strip()
    if ref.isdigit():
        return db.session.get(User, int(ref))
    return find_user_by_login(ref) if ref else None


class OrganizerDashboardView(StaffAccessMixin, BaseView):
    """GET only: nothing here changes anything."""

    def create_blueprint(self, admin: Any) -> Any:
        blueprint = super().create_blueprint(admin)
        blueprint.template_folder = str(TEMPLATES)
        return blueprint

    @expose("/")
    def index(self) -> Any:
        now = utcnow()
        ref = request.args.get("organizer", "")
        organizer = find_organizer(ref) if ref else None
        stats = tournaments = health = None
        if organizer is not None:
            stats = queries.dashboard_stats(organizer.id, now=now)
            tournaments = db.session.scalars(
                sa.select(Tournament)
                .where(Tournament.id.in_(queries.organizer_tournament_ids(organizer.id)))
                .order_by(Tournament.start_at.desc(), Tournament.id.desc())
                .limit(TOURNAMENT_LIMIT)
            ).all()
        tournament_id = request.args.get("tournament", type=int)
        if tournament_id is not None:
            tournament = db.session.get(Tournament, tournament_id)
            if tournament is not None and not tournament.is_deleted:
                health = queries.tournament_health(tournament, now=now)
        return self.render(
            "admin/organizer_dashboard.html",
            ref=ref,
            organizer=organizer,
            stats=stats,
            tournaments=tournaments,
            health=health,
            tournament_id=tournament_id,
        )


def register_admin(admin: Any) -> None:
    admin.add_view(
        OrganizerDashboardView(
            name="Organizer dashboard",
            category="Tournaments",
            endpoint="admin_organizer_dashboard",
            url="organizer-dashboard",
        )
    )
