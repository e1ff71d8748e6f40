"""Live leaderboard channel: `/ws/leaderboards/{game}` follows `leaderboards:{game id}`:
`leaderboard.updated` {game_id, changes: [{kind, scope, season, id, rank_before, rank}]}
after a completed tournament (or a correction) moves entries. Anyone may follow."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint

from deltacrown.core import ws
from deltacrown.extensions import db, sock
from deltacrown.games.models import Game
from deltacrown.leaderboards.services import channel as board_channel

bp = Blueprint("leaderboards_ws", __name__)


def channel(game_ref: str) -> ws.Channel | None:
    game = db.session.scalars(sa.select(Game).where(Game.slug == game_ref[:40])).first()
    if game is None:
        return None
    game_id, slug = game.id, game.slug
    return ws.Channel(
        name=board_channel(game_id),
        route="leaderboards",
        check=lambda user: None,
        describe=lambda user: {"game": slug, "game_id": game_id},
    )


@sock.route("/ws/leaderboards/<string:game>", bp=bp)
def follow_leaderboards(sock_ws: Any, game: str) -> None:
    """Follow a game's leaderboards: `leaderboard.updated` with the entries whose rank
    moved (docs/leaderboards.md)."""
    ws.follow(sock_ws, lambda: channel(game))
