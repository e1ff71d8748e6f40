"""Games API: the catalogue, with ETags and sparse fieldsets."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.pagination import paginate_select
from deltacrown.core.scopes import TokenScopes
from deltacrown.games import config, queries
from deltacrown.games.errors import GameNotFoundError
from deltacrown.games.schemas import GameQueryArgs, GameSchema

blp = Blueprint(
    "games",
    __name__,
    url_prefix="/api/games",
    description="Supported games.",
    token_scopes=TokenScopes(read="tournaments:read"),
)


@blp.route("/")
class GameCollection(MethodView):
    @blp.arguments(GameQueryArgs, location="query")
    @blp.response(200, GameSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List active games."""
        query = queries.list_games()
        if "result_shape" in args:
            query = query.where(queries.Game.result_shape == args["result_shape"])
        if "team_size" in args:
            query = query.where(queries.Game.team_size == args["team_size"])
        return paginate(query, pagination_parameters)


@blp.route("/<game_ref>/")
class GameItem(MethodView):
    @blp.etag
    @blp.response(200, GameSchema)
    @blp.errors(GameNotFoundError)
    def get(self, game_ref: str) -> Any:
        """Get a game by id or slug."""
        game = queries.get_game(game_ref)
        blp.set_etag(game)
        return game


@blp.route("/<game_ref>/config-schema/")
class GameConfigSchemaView(MethodView):
    @blp.arguments(config.GameConfigQueryArgs, location="query")
    @blp.response(200, config.GameConfigSchema)
    @blp.errors(GameNotFoundError, config.GameConfigNotFoundError)
    def get(self, args: dict[str, Any], game_ref: str) -> Any:
        """The JSON Schema for tournament `settings` of this game (latest, or ?version=)."""
        return config.schema_for(queries.get_game(game_ref), args.get("version"))

    @login_required
    @blp.arguments(config.GameConfigCreateArgs)
    @blp.response(201, config.GameConfigSchema)
    @blp.errors(GameNotFoundError, PermissionDeniedError, config.InvalidSchemaError)
    def post(self, args: dict[str, Any], game_ref: str) -> Any:
        """Publish the next version of the settings schema (staff)."""
        return config.create_config_version(game_ref, actor=require_user(), schema=args["schema"])


def paginate(query: Any, pagination_parameters: Any) -> list[Any]:

    return paginate_select(query, pagination_parameters)
