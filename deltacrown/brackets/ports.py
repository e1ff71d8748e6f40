"""What brackets asks of the domain above it.

Of matches: once a tournament is under way, to start the matches that wait for nobody (the
tournament's `auto_start_matches`). `deltacrown.wiring` provides the implementation."""

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
