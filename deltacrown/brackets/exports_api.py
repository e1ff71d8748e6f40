"""Exports API: a tournament's standings (CSV or JSON) and matches (CSV), for whoever may
see its bracket."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView

from deltacrown.brackets import exports, queries
from deltacrown.brackets.errors import StageNotFoundError
from deltacrown.brackets.schemas import StandingSchema, ViewArgs
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import get_current_user, login_required
from deltacrown.core.csv import CSV_MIMETYPE, csv_response
from deltacrown.tournaments.errors import TournamentNotFoundError

blp = Blueprint(
    "exports",
    __name__,
    url_prefix="/api",
    description="Exports of a tournament's standings and matches (CSV, JSON).",
)


class StandingsExportArgs(ViewArgs):
    format = ma.fields.String(load_default="csv", validate=ma.validate.OneOf(["csv", "json"]))
    stage = ma.fields.Integer(metadata={"description": "One stage's tables (stage id)"})


class MatchesExportArgs(ViewArgs):
    format = ma.fields.String(load_default="csv", validate=ma.validate.OneOf(["csv"]))


def _csv_doc(columns: list[Any]) -> dict[str, Any]:
    header = ",".join(c.name for c in columns)
    return {
        "responses": {
            200: {
                "description": f"UTF-8 CSV with a BOM, streamed; columns: {header}.",
                "content": {
                    CSV_MIMETYPE: {"schema": {"type": "string"}, "example": header + "\r\n"},
                    "application/json": {"schema": {"type": "array", "items": StandingSchema}},
                }
                if columns is exports.STANDING_COLUMNS
                else {CSV_MIMETYPE: {"schema": {"type": "string"}, "example": header + "\r\n"}},
            }
        }
    }


@blp.route("/tournaments/<int:tournament_id>/standings/export/")
class StandingsExport(MethodView):
    @login_required(optional=True)
    @blp.arguments(StandingsExportArgs, location="query")
    @blp.doc(**_csv_doc(exports.STANDING_COLUMNS))
    @blp.errors(TournamentNotFoundError, StageNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int) -> Any:
        """The standings as a file: the final placements once decided, else the current
        stage's tables (`?stage=` for one stage); `?format=csv` (default) or `json`."""
        queries.visible_tournament(
            tournament_id, get_current_user(), invite_code=args.get("invite_code")
        )
        rows = exports.standings(tournament_id, args.get("stage"))
        if args["format"] == "json":
            return StandingSchema(many=True).dump(rows)
        return csv_response(
            rows, exports.STANDING_COLUMNS, f"tournament-{tournament_id}-standings.csv"
        )


@blp.route("/tournaments/<int:tournament_id>/matches/export/")
class MatchesExport(MethodView):
    @login_required(optional=True)
    @blp.arguments(MatchesExportArgs, location="query")
    @blp.doc(**_csv_doc(exports.MATCH_COLUMNS))
    @blp.errors(TournamentNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Every match of every stage in order of play as CSV: round, sides, series score
        and per-game scores, winner, scheduled and completed times, stream links."""
        queries.visible_tournament(
            tournament_id, get_current_user(), invite_code=args.get("invite_code")
        )
        return csv_response(
            exports.match_rows(tournament_id),
            exports.MATCH_COLUMNS,
            f"tournament-{tournament_id}-matches.csv",
        )
