"""Organizer dashboard API: stats over the caller's tournaments, one tournament's health, and
its participants (JSON pages or, with `Accept: text/csv`, every row)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.accounts.errors import UserNotFoundError
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.csv import Column, csv_export, page_or_export
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.scopes import TokenScopes
from deltacrown.core.time import utcnow
from deltacrown.organizer import queries
from deltacrown.organizer.schemas import (
    DashboardStatsSchema,
    ParticipantArgs,
    ParticipantSchema,
    StatsArgs,
    TournamentHealthSchema,
    participant_name,
)
from deltacrown.tournaments.errors import TournamentNotFoundError

blp = Blueprint(
    "organizer",
    __name__,
    url_prefix="/api/organizer",
    description="Organizer dashboard: figures over your tournaments, their health and players.",
    token_scopes=TokenScopes(read="tournaments:read"),
)

ACCESS_ERRORS = (TournamentNotFoundError, PermissionDeniedError)

# What organizers may export: no e-mail, no payment sender number, no registration answers.
PARTICIPANT_COLUMNS = (
    Column("registration_id", lambda r: r.id),
    Column("participant_type", lambda r: "team" if r.team_id else "solo"),
    Column("participant_name", participant_name),
    Column("user_id"),
    Column("team_id"),
    Column("status"),
    Column("payment_status"),
    Column("payment_method"),
    Column("fee_amount"),
    Column("fee_currency"),
    Column("fee_coins"),
    Column("checked_in", lambda r: r.checked_in_at is not None),
    Column("checked_in_at"),
    Column("waitlist_position"),
    Column("registered_at", lambda r: r.created_at),
    Column("confirmed_at"),
)


@blp.route("/dashboard/stats/")
class OrganizerStats(MethodView):
    @login_required
    @blp.arguments(StatsArgs, location="query")
    @blp.response(200, DashboardStatsSchema)
    @blp.errors(PermissionDeniedError, UserNotFoundError)
    def get(self, args: dict[str, Any]) -> Any:
        """Figures over your tournaments (staff: anyone's, with ?organizer=)."""
        return queries.stats_for(require_user(), organizer_id=args.get("organizer"), now=utcnow())


@blp.route("/tournaments/<int:tournament_id>/health/")
class OrganizerTournamentHealth(MethodView):
    @login_required
    @blp.response(200, TournamentHealthSchema)
    @blp.errors(*ACCESS_ERRORS)
    def get(self, tournament_id: int) -> Any:
        """A tournament's health: payments, check-in, disputes, matches, and what needs you."""
        tournament = queries.managed_tournament(require_user(), tournament_id)
        return queries.tournament_health(tournament, now=utcnow())


@blp.route("/tournaments/<int:tournament_id>/participants/")
class OrganizerParticipants(MethodView):
    @login_required
    @blp.arguments(ParticipantArgs, location="query")
    @blp.response(200, ParticipantSchema(many=True))
    @csv_export(PARTICIPANT_COLUMNS, filename="participants.csv")
    @blp.paginate()
    @blp.errors(*ACCESS_ERRORS)
    def get(self, args: dict[str, Any], tournament_id: int, pagination_parameters: Any) -> Any:
        """A tournament's registrations, filterable; `Accept: text/csv` exports every match."""
        tournament = queries.managed_tournament(require_user(), tournament_id)
        query = queries.list_participants(tournament.id, args)
        return page_or_export(query, pagination_parameters)
