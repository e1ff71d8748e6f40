"""This domain's answers to what brackets asks through `brackets.ports.MatchStarts`: the
matches that wait for nobody go live when the tournament starts."""

from __future__ import annotations

from datetime import datetime

from deltacrown.matches import lifecycle
from deltacrown.tournaments.models import Tournament


class TournamentMatchStarts:
    """`brackets.ports.MatchStarts` through the match lifecycle."""

    def start_waiting(self, tournament: Tournament, now: datetime) -> None:
        lifecycle.start_waiting(tournament, now)
