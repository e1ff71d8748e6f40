"""Read helpers for games."""

from __future__ import annotations

import sqlalchemy as sa

from deltacrown.extensions import db
from deltacrown.games.errors import GameNotFoundError
from deltacrown.games.models import Game

# Ids are INTEGER columns: a larger number names no game (and would overflow the driver).
MAX_GAME_ID = 2**31 - 1


def list_games(*, include_inactive: bool = False) -> sa.Select[tuple[Game]]:
    query = sa.select(Game).order_by(Game.name)
    if not include_inactive:
        query = query.where(Game.is_active.is_(True))
    return query


def get_game(ref: int | str, *, active_only: bool = True) -> Game:
    """A game by id or slug; GameNotFoundError if unknown (or inactive when `active_only`)."""
    query = sa.select(Game)
    if isinstance(ref, str) and ref.isascii() and ref.isdigit():
        ref = int(ref)
    if isinstance(ref, int):
        if not 0 < ref <= MAX_GAME_ID:
            raise GameNotFoundError(f"No active game {ref!r}.")
        query = query.where(Game.id == ref)
    else:
        query = query.where(Game.slug == str(ref).strip().lower())
    game = db.session.scalars(query).first()
    if game is None or (active_only and not game.is_active):
        raise GameNotFoundError(f"No active game {ref!r}.")
    return game
