"""Staff freeze a tournament (an investigation, a dispute over the whole event): while it is
frozen every participant write (registering, withdrawing, paying, checking in, anything a
match's side does) is refused with 409 `tournament_frozen`; organizers and staff still act."""

from __future__ import annotations

from typing import Any

from deltacrown.core import audit, realtime
from deltacrown.core.errors import ConflictError, PermissionDeniedError
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.tournaments import policies, queries
from deltacrown.tournaments.models import Tournament


def _staff_lock(tournament_id: int, actor: Any) -> Tournament:
    if not policies.is_staff(actor):
        raise PermissionDeniedError("Only staff may freeze or unfreeze a tournament.")
    return queries.get_tournament(tournament_id, for_update=True)


def set_frozen(tournament_id: int, *, frozen: bool, reason: str, actor: Any) -> Tournament:
    """Freeze (or unfreeze) a tournament, audited with the reason. Freezing a frozen one (or
    unfreezing one that is not) is a 409 `conflict`."""
    tournament = _staff_lock(tournament_id, actor)
    if (tournament.frozen_at is not None) == frozen:
        state = "frozen" if frozen else "not frozen"
        raise ConflictError(f"Tournament {tournament.id} is already {state}.")
    before = {"frozen_at": tournament.frozen_at}
    tournament.frozen_at = utcnow() if frozen else None
    db.session.flush()
    audit.record(
        actor=actor,
        action="tournament.frozen" if frozen else "tournament.unfrozen",
        target=tournament,
        before=before,
        after={"frozen_at": tournament.frozen_at, "reason": reason},
    )
    realtime.publish(
        f"tournament:{tournament.id}",
        "tournament.frozen" if frozen else "tournament.unfrozen",
        {"tournament_id": tournament.id, "reason": reason},
    )
    return tournament
