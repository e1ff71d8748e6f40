"""Who may see and change a tournament's bracket: pure predicates over an actor and objects.

An actor is a user (with `id`, `is_staff`, `is_superuser`) or None. Seeing a bracket is
seeing its tournament, decided by `tournaments.access` (a participant keeps seeing the
bracket they play in). Generating, starting and entering results
are organizer actions (owner, co-organizers, staff). `record_match_result` with `actor=None`
is the system (the match-lifecycle issue after both sides agreed, or a task); the API always
passes the signed-in user.
"""

from __future__ import annotations

from typing import Any

from deltacrown.tournaments import policies as tournament_policies
from deltacrown.tournaments.models import Tournament


def can_manage(actor: Any, tournament: Tournament) -> bool:
    """Generate or regenerate the bracket, start the tournament."""
    return tournament_policies.can_manage(actor, tournament)


def can_record_result(actor: Any, tournament: Tournament) -> bool:
    """Enter or correct a result: organizers and staff; None is the system."""
    return actor is None or tournament_policies.can_manage(actor, tournament)
