"""This domain's answers to what lower domains ask (connected by `deltacrown.wiring`):
brackets' `ratings` port, to seed a bracket by skill rating."""

from __future__ import annotations

from deltacrown.leaderboards import queries
from deltacrown.tournaments.models import Tournament


class PlayerRatings:
    """Seeds by OpenSkill ordinal in the tournament's game."""

    def seed_order(self, tournament: Tournament, registration_ids: list[int]) -> list[int]:
        rosters = queries.rosters(registration_ids)
        rated = queries.ratings_of([u for ids in rosters.values() for u in ids], tournament.game_id)
        strength: dict[int, float] = {}
        for registration_id in registration_ids:
            values = [rated[u].ordinal for u in rosters[registration_id] if u in rated]
            if values:
                strength[registration_id] = sum(values) / len(values)
        ranked = sorted(
            (r for r in registration_ids if r in strength), key=lambda r: -strength[r]
        )  # stable: equal ratings keep registration order
        return ranked + [r for r in registration_ids if r not in strength]
