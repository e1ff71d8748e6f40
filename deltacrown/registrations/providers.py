"""This domain's answers to the questions lower domains ask through their ports
(`tournaments.ports.RegistrationFacts`, `teams.ports.TeamRegistrations`); the composition
root (`deltacrown.wiring`) hands them in when it builds the app."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.registrations import queries
from deltacrown.registrations.models import HOLDING_STATUSES, Registration


class TournamentRegistrationFacts:
    """`tournaments.ports.RegistrationFacts` from the registrations tables."""

    def has_registrations(self, tournament_id: int) -> bool:
        return queries.registrations_exist(tournament_id)

    def is_listed(self, tournament_id: int, user_id: int) -> bool:
        return queries.is_listed_on_any(tournament_id, user_id)

    def places_taken(self, tournament_id: int) -> int:
        return queries.count_holding(tournament_id)

    def held_places(self, tournament_id: Any) -> Any:
        return (
            sa.select(sa.func.count(Registration.id))
            .where(
                Registration.tournament_id == tournament_id,
                Registration.status.in_(HOLDING_STATUSES),
            )
            .correlate_except(Registration)
            .scalar_subquery()
        )


class TeamRegistrationFacts:
    """`teams.ports.TeamRegistrations` from the registrations tables."""

    def roster_lock_reason(self, team_id: int) -> str | None:
        return queries.roster_lock_reason(team_id)

    def has_active_registration(self, team_id: int) -> bool:
        return queries.team_has_active_registration(team_id)
