"""Who may see and change a tournament's bracket: pure predicates over an actor and objects.

An actor is a user (with `id`, `is_staff`, `is_superuser`), the system (`core.actors.SYSTEM`)
or None, which means anonymous and nothing else. Seeing a bracket is seeing its tournament,
decided by `tournaments.access` (a participant keeps seeing the bracket they play in).
Generating, starting and entering results are organizer actions (owner, co-organizers,
staff); the system enters results too (a confirmed submission, a sweep), through
`brackets.services.apply_result`, which asks no policy.
"""

from __future__ import annotations

from typing import Any

from deltacrown.core.actors import SYSTEM
from deltacrown.tournaments import policies as tournament_policies
from deltacrown.tournaments.models import Tournament


def can_manage(actor: Any, tournament: Tournament) -> bool:
    """Generate or regenerate the bracket, start the tournament."""
    return tournament_policies.can_manage(actor, tournament)


def can_record_result(actor: Any, tournament: Tournament) -> bool:
    """Enter or correct a result: organizers, referees and staff, and the system; never
    anonymous."""
    if actor is None:
        return False
    return actor is SYSTEM or tournament_policies.can_referee(actor, tournament)
