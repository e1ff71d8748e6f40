"""The points table of a placement, the tier multiplier and battle-royale game points, by
example (original notes 5.20)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from deltacrown.leaderboards import boards, scoring


@pytest.mark.parametrize(
    ("placement", "points"),
    [(1, 1000), (2, 750), (3, 500), (4, 250), (8, 250), (9, 100), (16, 100), (17, 25), (200, 25)],
)
def test_placement_points_follow_the_table(placement, points):
    assert scoring.placement_points(placement) == points


@pytest.mark.parametrize(
    ("tier", "placement", "points"),
    [
        ("premier", 1, "1000"),
        ("standard", 1, "500"),
        ("community", 1, "250"),
        ("community", 5, "62.5"),
        ("community", 20, "6.25"),
        ("standard", 2, "375"),
    ],
)
def test_the_tier_multiplies_placement_points(tier, placement, points):
    earned = scoring.placement_points(placement) * scoring.tier_multiplier(tier)
    assert earned == Decimal(points)


@pytest.mark.parametrize(
    ("placement", "kills", "points"),
    [(1, 3, 15), (2, 0, 9), (5, 2, 6), (8, 1, 4), (15, 4, 5), (16, 7, 7)],
)
def test_a_battle_royale_game_scores_kills_plus_a_placement_bonus(placement, kills, points):
    assert scoring.br_game_points(placement, kills) == points


def test_a_placement_below_one_or_negative_kills_is_refused():
    with pytest.raises(ValueError):
        scoring.placement_points(0)
    with pytest.raises(ValueError):
        scoring.br_game_points(1, -1)


def test_a_board_score_keeps_points_wins_and_matches_exactly():
    from datetime import UTC, datetime

    score = boards.encode(Decimal("1234.75"), 17, 40, datetime(2030, 1, 1, tzinfo=UTC))
    assert boards.decode(score) == (Decimal("1234.75"), 17, 40)
    more_wins = boards.encode(Decimal("1234.75"), 18, 40, datetime(2030, 1, 1, tzinfo=UTC))
    fewer_matches = boards.encode(Decimal("1234.75"), 17, 39, datetime(2030, 1, 1, tzinfo=UTC))
    more_points = boards.encode(Decimal("1235"), 0, 2047, datetime(2030, 1, 1, tzinfo=UTC))
    assert score < fewer_matches < more_wins < more_points
