"""Who acts on a match: pure predicates. Organizers (owner, co-organizers) and staff act on
every match of their tournament; its referees start matches, confirm and enter results and
review disputes; its casters read lobby codes and rooms and attach streams; a side acts through its registration's player (solo), the
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


def can_referee(actor: Any, tournament: Tournament) -> bool:
    """Start, confirm, enter results and forfeits, review and settle disputes, update the
    running score: organizers, staff and the tournament's referees."""
    if actor is None:
        return False
    return actor is SYSTEM or tournament_policies.can_referee(actor, tournament)


def can_record_result(actor: Any, tournament: Tournament) -> bool:
    """Enter, correct or preview a result directly: as `can_referee`."""
    return can_referee(actor, tournament)


def can_see_room(actor: Any, tournament: Tournament) -> bool:
    """Read any match's lobby code and room at any time: organizers, staff, referees,
    casters."""
    if actor is None:
        return False
    return actor is SYSTEM or tournament_policies.can_see_rooms(actor, tournament)


def can_set_room(actor: Any, tournament: Tournament) -> bool:
    """Set a match's lobby code: organizers, staff and referees."""
    return can_referee(actor, tournament)


def can_attach_streams(actor: Any, tournament: Tournament) -> bool:
    """Set a match's stream and VOD links: organizers, staff, referees and casters."""
    return can_see_room(actor, tournament)


def can_talk_in_room(actor: Any, tournament: Tournament, *, side: int | None) -> bool:
    """Post in a match's room: its sides, organizers, staff and referees (casters read)."""
    return side is not None or can_referee(actor, tournament)


def acts_for(
    actor_id: int, *, user_id: int | None, captain_id: int | None, roster: set[int]
) -> bool:
    """The user speaks for a registration (its player, its team's captain, or on its roster)."""
    return actor_id == user_id or actor_id == captain_id or actor_id in roster


def can_confirm(side: int | None, submitted_side: int, *, manager: bool) -> bool:
    """The other side confirms a submission; organizers and staff confirm any."""
    return manager or (side is not None and side != submitted_side)
