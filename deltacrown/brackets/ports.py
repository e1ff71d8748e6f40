"""What brackets asks of the domain above it.

Of matches: once a tournament is under way, to start the matches that wait for nobody (the
tournament's `auto_start_matches`). Of leaderboards: the players' skill ratings, to seed a
bracket by rating. `deltacrown.wiring` provides the implementations."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from deltacrown.core.ports import Port
from deltacrown.tournaments.models import Tournament


class MatchStarts(Protocol):
    def start_waiting(self, tournament: Tournament, now: datetime) -> None:
        """Start the tournament's ready matches that need neither a check-in nor an
        organizer (in the caller's transaction)."""
        ...


matches: Port[MatchStarts] = Port("brackets.matches")


class Ratings(Protocol):
    def seed_order(self, tournament: Tournament, registration_ids: list[int]) -> list[int]:
        """`registration_ids` (in registration order) best first by skill rating in the
        tournament's game: a team by the mean of its roster's ratings; unrated entries
        last, in registration order."""
        ...


# Of leaderboards: the ratings behind `seeding: "rating"`.
ratings: Port[Ratings] = Port("brackets.ratings")
