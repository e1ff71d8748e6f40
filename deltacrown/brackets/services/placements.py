"""Staff override a completed tournament's placement of one participant (original notes
5.11): the TournamentResult row changes, with the reason in the audit log."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.brackets.errors import PlacementNotFoundError, TournamentNotOngoingError
from deltacrown.brackets.models import TournamentResult
from deltacrown.core import audit
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.extensions import db
from deltacrown.tournaments import policies
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.models import TournamentStatus


def override_placement(
    tournament_id: int, *, registration_id: int, placement: int, reason: str, actor: Any
) -> TournamentResult:
    """Set a participant's final placement (staff). Raises PermissionDeniedError,
    TournamentNotFoundError, TournamentNotOngoingError (not completed), PlacementNotFoundError
    (the registration has no placement in it), ValidationError."""
    if not policies.is_staff(actor):
        raise PermissionDeniedError("Only staff may override a placement.")
    tournament = tournament_queries.get_tournament(tournament_id, for_update=True)
    if tournament.status is not TournamentStatus.COMPLETED:
        raise TournamentNotOngoingError(
            f"Tournament {tournament.id} is {tournament.status.value}; placements are final "
            "once it has completed.",
            tournament_status=tournament.status.value,
        )
    result = db.session.scalars(
        sa.select(TournamentResult).where(
            TournamentResult.tournament_id == tournament.id,
            TournamentResult.registration_id == registration_id,
        )
    ).first()
    if result is None:
        raise PlacementNotFoundError(
            f"Registration {registration_id} has no placement in tournament {tournament.id}."
        )
    count = db.session.scalar(
        sa.select(sa.func.count(TournamentResult.id)).where(
            TournamentResult.tournament_id == tournament.id
        )
    )
    if not 1 <= placement <= (count or 1):
        raise ValidationError(
            f"A placement is between 1 and {count}.",
            errors={"placement": [f"Between 1 and {count}."]},
        )
    before = {"registration_id": registration_id, "placement": result.placement}
    result.placement = placement
    db.session.flush()
    audit.record(
        actor=actor,
        action="tournament.placement_overridden",
        target=tournament,
        before=before,
        after={"registration_id": registration_id, "placement": placement, "reason": reason},
    )
    return result
