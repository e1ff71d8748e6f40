"""Games' domain errors."""

from deltacrown.core.errors import NotFoundError


class GameNotFoundError(NotFoundError):
    code, title = "game_not_found", "Game not found"
