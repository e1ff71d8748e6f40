"""Who may see and change a tournament's bracket: pure predicates over an actor and objects.

An actor is a user (with `id`, `is_staff`, `is_superuser`), the system (`core.actors.SYSTEM`)
or None, which means anonymous and nothing else. Seeing a bracket follows seeing its
tournament (drafts and private tournaments are 404 to strangers), except that a participant
keeps seeing the bracket they play in. Generating, starting and entering results are
organizer actions (owner, co-organizers, staff); the system enters results too (a confirmed
submission, a sweep), through `brackets.services.apply_result`, which asks no policy.
"""

from __future__ import annotations

from typing import Any

from deltacrown.core.actors import SYSTEM
from deltacrown.tournaments import policies as tournament_policies
from deltacrown.tournaments.models import Tournament


def can_view(
    actor: Any, tournament: Tournament, *, invite_code: str | None = None, is_listed: bool = False
) -> bool:
    """The tournament is visible to the actor, or the actor plays in it (`is_listed`)."""
    if tournament.is_deleted:
        return False
    return tournament_policies.can_view(actor, tournament, invite_code) or (
        is_listed and not tournament.is_draft
    )


def can_manage(actor: Any, tournament: Tournament) -> bool:
    """Generate or regenerate the bracket, start the tournament."""
    return tournament_policies.can_manage(actor, tournament)


def can_record_result(actor: Any, tournament: Tournament) -> bool:
    """Enter or correct a result: organizers and staff, and the system; never anonymous."""
    if actor is None:
        return False
    return actor is SYSTEM or tournament_policies.can_manage(actor, tournament)
