"""Games API: the catalogue, with ETags and sparse fieldsets."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.core.api import Blueprint
from deltacrown.games import queries
from deltacrown.games.errors import GameNotFoundError
from deltacrown.games.schemas import GameQueryArgs, GameSchema

blp = Blueprint("games", __name__, url_prefix="/api/games", description="Supported games.")


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


def paginate(query: Any, pagination_parameters: Any) -> list[Any]:
    from deltacrown.core.pagination import paginate_select

    return paginate_select(query, pagination_parameters)
