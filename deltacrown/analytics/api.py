"""Analytics API: a tournament's figures and participants CSV (its organizers and staff), an
organizer's figures over their tournaments, and players' records."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.accounts.errors import UserNotFoundError
from deltacrown.analytics import export, players, services
from deltacrown.analytics.schemas import (
    MyStatsSchema,
    OrganizerAnalyticsArgs,
    OrganizerAnalyticsSchema,
    PlayerStatsSchema,
    TournamentAnalyticsSchema,
)
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.csv import csv_response
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.time import utcnow
from deltacrown.organizer.queries import managed_tournament
from deltacrown.tournaments.errors import TournamentNotFoundError

blp = Blueprint(
    "analytics",
    __name__,
    url_prefix="/api",
    description="Analytics: a tournament's figures for its organizers, an organizer's over "
    "their tournaments, and players' records.",
)

ACCESS_ERRORS = (TournamentNotFoundError, PermissionDeniedError)


@blp.route("/tournaments/<int:tournament_id>/analytics/")
class TournamentAnalytics(MethodView):
    @login_required
    @blp.response(200, TournamentAnalyticsSchema)
    @blp.errors(*ACCESS_ERRORS)
    def get(self, tournament_id: int) -> Any:
        """How the tournament went: sign-ups per day, fill, check-in and no-show rates, match
        counts and durations (average, median, p90), dispute rate, revenue and prizes paid.

        Its organizers and staff only. Figures come from the periodic summary while it is
        fresher than `ANALYTICS_FRESHNESS_MINUTES`, else are computed now: `cache` says which.
        """
        return services.tournament_analytics(require_user(), tournament_id, now=utcnow())


@blp.route("/tournaments/<int:tournament_id>/analytics/participants.csv")
class TournamentParticipantsCsv(MethodView):
    @login_required
    @blp.response(
        200,
        {"type": "string"},
        content_type="text/csv",
        description="UTF-8 CSV with a BOM, columns: " + ", ".join(c.name for c in export.COLUMNS),
    )
    @blp.errors(*ACCESS_ERRORS)
    def get(self, tournament_id: int) -> Any:
        """Every registration of the tournament with its check-in, match record, placement
        and prize, as a CSV download (names only: no e-mail or payment details)."""
        tournament = managed_tournament(require_user(), tournament_id)
        return csv_response(
            export.participants_query(tournament.id),
            export.COLUMNS,
            filename=f"tournament-{tournament.id}-participants.csv",
        )


@blp.route("/organizer/analytics/")
class OrganizerAnalytics(MethodView):
    @login_required
    @blp.arguments(OrganizerAnalyticsArgs, location="query")
    @blp.response(200, OrganizerAnalyticsSchema)
    @blp.errors(PermissionDeniedError, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Your tournaments' figures summed (those starting between `from` and `to`), and per
        game; staff may ask for any organizer's with `organizer`."""
        return services.organizer_analytics(
            require_user(),
            organizer_id=args.get("organizer"),
            date_from=args.get("date_from"),
            date_to=args.get("date_to"),
            now=utcnow(),
        )


@blp.route("/users/<int:user_id>/stats/")
class PlayerStats(MethodView):
    @blp.response(200, PlayerStatsSchema)
    @blp.errors(UserNotFoundError)
    def get(self, user_id: int) -> Any:
        """A player's public record: tournaments, wins and podiums, matches played, won and
        lost, win rate, best placement, tournaments per game and the last 10 results."""
        return players.player_stats(user_id, complete=False)


@blp.route("/me/stats/")
class MyStats(MethodView):
    @login_required
    @blp.response(200, MyStatsSchema)
    def get(self) -> Any:
        """Your record, with your prize winnings (coins and cash paid to you)."""
        return players.player_stats(require_user().id, complete=True)
