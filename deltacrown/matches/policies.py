"""Who acts on a match: pure predicates. Organizers (owner, co-organizers) and staff act on
every match of their tournament; a side acts through its registration's player (solo), the
team's captain, or a player on the registration's active roster. `None` is an anonymous
caller and may do nothing; the system (`core.actors.SYSTEM`, the sweeps) acts as an
organizer does."""

from __future__ import annotations

from typing import Any

from deltacrown.core.actors import SYSTEM
from deltacrown.tournaments import policies as tournament_policies
from deltacrown.tournaments.models import Tournament


def can_manage(actor: Any, tournament: Tournament) -> bool:
    """Schedule, start, override, forfeit, cancel; review and settle disputes."""
    if actor is None:
        return False
    return actor is SYSTEM or tournament_policies.can_manage(actor, tournament)


def can_record_result(actor: Any, tournament: Tournament) -> bool:
    """Enter, correct or preview a result directly: as `can_manage`."""
    return can_manage(actor, tournament)


def acts_for(
    actor_id: int, *, user_id: int | None, captain_id: int | None, roster: set[int]
) -> bool:
    """The user speaks for a registration (its player, its team's captain, or on its roster)."""
    return actor_id == user_id or actor_id == captain_id or actor_id in roster


def can_confirm(side: int | None, submitted_side: int, *, manager: bool) -> bool:
    """The other side confirms a submission; organizers and staff confirm any."""
    return manager or (side is not None and side != submitted_side)
