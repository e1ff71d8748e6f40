"""Map pools and starting sides for the map veto.

A game's competitive pool is part of its settings schema (`games.config`): the `map_pool`
property lists every map a tournament may choose (`items.enum`) and the current competitive
pool as its `default`. Version 2 of the Counter-Strike 2 and Valorant schemas carries the
pools below; a rotation is a new schema version, so tournaments keep the version they were
created with. A tournament may narrow the pool with its own `settings.map_pool`.

Pure: it reads schema and settings dictionaries only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Competitive pools (Counter-Strike 2 Active Duty after the Premier Season Three update;
# Valorant's competitive rotation from patch 11.04).
COMPETITIVE_POOLS: dict[str, list[str]] = {
    "cs2": ["Ancient", "Dust2", "Inferno", "Mirage", "Nuke", "Overpass", "Train"],
    "valorant": ["Abyss", "Ascent", "Bind", "Corrode", "Haven", "Lotus", "Sunset"],
}

# Games whose side choice is part of the veto: the side that did not pick a map chooses its
# starting side on it. Counter-Strike sides are settled in the server (knife round).
STARTING_SIDES: dict[str, tuple[str, str]] = {
    "valorant": ("attack", "defense"),
}

# Seconds a side has for one veto turn when the tournament sets none (0: no timer).
DEFAULT_TURN_SECONDS = 0
MAX_TURN_SECONDS = 3600


def pool_of(schema: Mapping[str, Any], settings: Mapping[str, Any]) -> list[str] | None:
    """The maps a tournament vetoes from: its own `settings.map_pool`, else the pool its
    schema gives as `map_pool`'s default; None when the game has no map pool."""
    chosen = settings.get("map_pool")
    if isinstance(chosen, list) and chosen:
        return [str(m) for m in chosen]
    prop = (schema.get("properties") or {}).get("map_pool") or {}
    default = prop.get("default")
    if isinstance(default, list) and default:
        return [str(m) for m in default]
    return None


def sides_of(game_slug: str) -> tuple[str, str] | None:
    return STARTING_SIDES.get(game_slug)


def turn_seconds(settings: Mapping[str, Any]) -> int:
    """The tournament's `veto_turn_seconds` (0: no timer)."""
    value = settings.get("veto_turn_seconds", DEFAULT_TURN_SECONDS)
    return value if isinstance(value, int) and 0 <= value <= MAX_TURN_SECONDS else 0
