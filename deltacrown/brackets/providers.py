"""This domain's answers to what tournaments asks through `tournaments.ports.BracketFacts`:
whether a bracket exists, and the podium from the recorded placements."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.brackets import queries as bracket_queries
from deltacrown.brackets.models import TournamentResult
from deltacrown.extensions import db

PODIUM_KEYS = {1: "champion", 2: "runner_up", 3: "third"}


class TournamentBracketFacts:
    """`tournaments.ports.BracketFacts` from the bracket and result tables."""

    def has_bracket(self, tournament_id: int) -> bool:
        return bracket_queries.has_bracket(tournament_id)

    def podium(self, tournament_id: int) -> dict[str, list[dict[str, Any]]]:
        rows = db.session.execute(
            sa.select(TournamentResult.placement, TournamentResult.registration_id)
            .where(
                TournamentResult.tournament_id == tournament_id,
                TournamentResult.placement <= 3,
            )
            .order_by(TournamentResult.placement, TournamentResult.registration_id)
        ).all()
        names = bracket_queries.registration_names(reg_id for _, reg_id in rows)
        places: dict[str, list[dict[str, Any]]] = {key: [] for key in PODIUM_KEYS.values()}
        for placement, registration_id in rows:
            places[PODIUM_KEYS[placement]].append(
                {"registration_id": registration_id, "name": names.get(registration_id)}
            )
        return places
