"""Points arithmetic (original notes 5.20), pure: placement points, the tier multiplier and
battle-royale game points. Every value is a multiple of 0.25, so Decimal keeps it exact."""

from __future__ import annotations

from decimal import Decimal

TIER_MULTIPLIERS = {
    "premier": Decimal("1.0"),
    "standard": Decimal("0.5"),
    "community": Decimal("0.25"),
}
# (last placement of the band, points): 1st, 2nd, 3rd, 4th-8th, 9th-16th; otherwise 25.
PLACEMENT_BANDS = ((1, 1000), (2, 750), (3, 500), (8, 250), (16, 100))
PARTICIPATION_POINTS = 25
# A battle-royale game: one point per kill plus this bonus for the game's placement.
BR_PLACEMENT_BANDS = ((1, 12), (2, 9), (3, 7), (4, 5), (6, 4), (8, 3), (10, 2), (15, 1))


def placement_points(placement: int) -> int:
    """Points for a tournament placement before the tier multiplier."""
    if placement < 1:
        raise ValueError(f"placement must be 1 or more, got {placement}")
    for last, points in PLACEMENT_BANDS:
        if placement <= last:
            return points
    return PARTICIPATION_POINTS


def tier_multiplier(tier: str) -> Decimal:
    return TIER_MULTIPLIERS[tier]


def br_game_points(placement: int, kills: int) -> int:
    """One battle-royale game: kills x 1 plus the placement bonus (0 beyond 15th)."""
    if placement < 1 or kills < 0:
        raise ValueError("a game's placement is 1 or more and its kills are not negative")
    bonus = next((points for last, points in BR_PLACEMENT_BANDS if placement <= last), 0)
    return kills + bonus
