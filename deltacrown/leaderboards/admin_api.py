"""Staff leaderboards API under /api/admin/: seasons, a player's points breakdown, and a
recompute of a game's boards. Staff only (401 anonymous, 403 `forbidden` players)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app
from flask.views import MethodView

from deltacrown.core import audit
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user, staff_only
from deltacrown.core.transaction import after_commit
from deltacrown.leaderboards import queries, services, standings
from deltacrown.leaderboards.errors import (
    GameNotFoundError,
    SeasonNotFoundError,
    SeasonOverlapError,
    UserNotFoundError,
    ValidationError,
)
from deltacrown.leaderboards.schemas import (
    BreakdownArgs,
    BreakdownSchema,
    JobSchema,
    RecomputeArgs,
    SeasonCreateArgs,
    SeasonSchema,
    SeasonUpdateArgs,
)

blp = Blueprint(
    "leaderboards_admin",
    __name__,
    url_prefix="/api/admin",
    description="Leaderboards administration: seasons, points breakdowns, recomputes (staff only).",
)


@blp.route("/seasons/")
class StaffSeasons(MethodView):
    @login_required
    @staff_only
    @blp.arguments(SeasonCreateArgs)
    @blp.response(201, SeasonSchema)
    @blp.errors(403, GameNotFoundError, SeasonOverlapError, ValidationError)
    def post(self, args: dict[str, Any]) -> Any:
        """Create a season of a game (audited). Seasons of one game never overlap."""
        game = queries.game_by_ref(args["game"])
        season = services.create_season(
            actor=require_user(),
            game_id=game.id,
            name=args["name"],
            starts_at=args["starts_at"],
            ends_at=args["ends_at"],
        )
        return standings.season_out(season)


@blp.route("/seasons/<int:season_id>/")
class StaffSeason(MethodView):
    @login_required
    @staff_only
    @blp.arguments(SeasonUpdateArgs)
    @blp.response(200, SeasonSchema)
    @blp.errors(403, SeasonNotFoundError, SeasonOverlapError, ValidationError)
    def patch(self, args: dict[str, Any], season_id: int) -> Any:
        """Rename a season or move its window (audited). Points already earned keep the
        season they were earned in; recompute the game's boards to follow a move."""
        return standings.season_out(
            services.update_season(season_id, actor=require_user(), data=args)
        )

    @login_required
    @staff_only
    @blp.response(204)
    @blp.errors(403, SeasonNotFoundError)
    def delete(self, season_id: int) -> Any:
        """Delete a season (audited); its points stay on the all-time boards."""
        services.delete_season(season_id, actor=require_user())


@blp.route("/leaderboards/breakdown/")
class Breakdown(MethodView):
    @login_required
    @staff_only
    @blp.arguments(BreakdownArgs, location="query")
    @blp.response(200, BreakdownSchema)
    @blp.errors(403, GameNotFoundError, SeasonNotFoundError, UserNotFoundError)
    def get(self, args: dict[str, Any]) -> Any:
        """Every points row behind a player's rank on a game's board (all time, or the
        season given), with the total and the rank."""
        return standings.breakdown(args)


@blp.route("/leaderboards/recompute/")
class Recompute(MethodView):
    @login_required
    @staff_only
    @blp.arguments(RecomputeArgs)
    @blp.response(202, JobSchema)
    @blp.errors(403, GameNotFoundError, SeasonNotFoundError)
    def post(self, args: dict[str, Any]) -> Any:
        """Rebuild a game's boards (or one season's) from the points rows in the
        background (audited); each board is swapped in whole when ready."""
        game = queries.game_by_ref(args["game"])
        season_id = args.get("season")
        if season_id is not None and queries.get_season(season_id).game_id != game.id:
            raise SeasonNotFoundError(f"No season {season_id} of {game.slug}.")
        job_id = str(uuid.uuid4())
        audit.record(
            actor=require_user(),
            action="leaderboards.recompute",
            target=game,
            after={"season_id": season_id, "job_id": job_id},
        )
        task = current_app.extensions["celery"].tasks["leaderboards.rebuild"]
        after_commit(
            task.apply_async, kwargs={"game_id": game.id, "season_id": season_id}, task_id=job_id
        )
        return {"job_id": job_id, "boards": len(services.boards_to_rebuild(game.id, season_id))}
