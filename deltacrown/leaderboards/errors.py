"""Leaderboards' domain errors (each a stable problem `code`)."""

from __future__ import annotations

from deltacrown.accounts.errors import UserNotFoundError
from deltacrown.core.errors import ConflictError, NotFoundError, ValidationError
from deltacrown.games.errors import GameNotFoundError

__all__ = [
    "GameNotFoundError",
    "SeasonNotFoundError",
    "SeasonOverlapError",
    "UserNotFoundError",
    "ValidationError",
]


class SeasonNotFoundError(NotFoundError):
    code, title = "season_not_found", "Season not found"


class SeasonOverlapError(ConflictError):
    """Another season of the game covers part of the window; `seasons` lists them."""

    code, title = "season_overlap", "Seasons overlap"
